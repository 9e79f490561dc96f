// Free loopback ports for processes a test starts.
export { freePort } from '../../cli/stack/ports';
