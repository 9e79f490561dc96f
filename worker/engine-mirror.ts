// The main worker's engine mirroring on its own: the engine-job activities, the activity interceptor that begins and
// ends each oVirt step's engine step, and the workflow interceptors that name that step. The flow benchmarks run a
// worker with just these (bench/flows/mirroring.ts), so they measure what the product runs.
import type { OvirtClient } from '../ovirt/client';
import { createEngineJobActivities } from '../activities/engine-job';
import { mirrorStepsInActivities } from '../activities/step-mirror';
import { WORKFLOW_INTERCEPTOR_MODULES } from './interceptors';

export function engineMirroring(ovirt: OvirtClient) {
  return {
    activities: createEngineJobActivities(ovirt),
    interceptors: { activity: [mirrorStepsInActivities(ovirt)], workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}
