// All activities of the main task queue, built once per worker around one oVirt client.
import type { OvirtClient } from './ovirt/client';
import { createEngineJobActivities } from './engine-job';
import { createVmActivities } from './vms';

export function createActivities(deps: { ovirt: OvirtClient }) {
  return {
    ...createEngineJobActivities(deps.ovirt),
    ...createVmActivities(deps.ovirt),
  };
}

export type Activities = ReturnType<typeof createActivities>;
