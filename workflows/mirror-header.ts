// Carries a MirrorRequest (common/step-mirror.ts) from MirroredJob to the activity it schedules, as a header: workflow
// code cannot set an activity's headers itself, only an outbound interceptor can. MirroredJob names the request right
// before it schedules the activity, and the interceptor (registered first in workflows/interceptors.ts) takes it in
// the same synchronous call, so no other activity can pick it up. Only the main worker's activities can mirror
// themselves: one bound for another task queue (a vendor's worker) goes without the header.
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowInfo, type WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import { MIRROR_HEADER, type MirrorRequest } from '../common/step-mirror';

let pending: MirrorRequest | undefined;
let attached = false;

/**
 * Runs `schedule` (which schedules one activity) with `request` in that activity's header, if the activity runs on
 * this workflow's task queue; `attached` says whether it went.
 */
export function scheduleMirrored<T>(
  request: MirrorRequest | undefined,
  schedule: () => Promise<T>,
): { attached: boolean; result: Promise<T> } {
  pending = request;
  attached = false;
  try {
    const result = schedule();
    return { attached: wasAttached(), result };
  } finally {
    pending = undefined;
  }
}

const wasAttached = () => attached;

export const mirrorHeader: WorkflowOutboundCallsInterceptor = {
  scheduleActivity(input, schedule) {
    const request = pending;
    pending = undefined;
    const taskQueue = input.options.taskQueue;
    if (!request || (taskQueue && taskQueue !== workflowInfo().taskQueue)) return schedule(input);
    attached = true;
    return schedule({
      ...input,
      headers: { ...input.headers, [MIRROR_HEADER]: defaultPayloadConverter.toPayload(request) },
    });
  },
};
