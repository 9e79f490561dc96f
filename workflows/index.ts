// Every workflow the worker runs (this file is the bundle's entry point).
export { clonePreflight } from './clone-preflight';
export { externalTask } from './external-task';
export { rapidClone } from './rapid-clone';
export { bulkClone, bulkCloneMember } from './bulk-clone';
