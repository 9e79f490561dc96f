// The worker side of common/step-mirror.ts: an activity inbound interceptor that begins the engine step named in the
// activity's header, runs the activity, and ends the step once it succeeded. A failed attempt leaves the step STARTED
// for the retry to find; a failure for good or a cancel is ended FAILED by the workflow. Mirroring never fails the
// work: what the engine refused or could not take now is answered, and the workflow mirrors it afterwards.
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { MIRROR_HEADER, type MirrorAnswer, type Mirrored, type MirrorRequest } from '../common/step-mirror';
import type { OvirtClient } from '../ovirt/client';
import { Job, Step } from '../ovirt/representation';
import { addEngineStep, createEngineJobActivities, unlessRefused } from './engine-job';
import { flowCorrelationId } from './flow-context';

export function mirrorStepsInActivities(ovirt: OvirtClient): ActivityInterceptorsFactory {
  const engine = createEngineJobActivities(ovirt);

  /**
   * A first attempt adds its step at once: one call (the job's status is read once the step has ended). A retry
   * finds the step an earlier attempt may have added.
   */
  async function begin(request: MirrorRequest): Promise<MirrorAnswer> {
    const correlationId = flowCorrelationId();
    if (Context.current().info.attempt > 1) return engine.ensureEngineStep(request);
    return unlessRefused('add the step', () => addEngineStep(ovirt, request, correlationId));
  }

  async function end(request: MirrorRequest, stepId: string): Promise<MirrorAnswer> {
    const correlationId = flowCorrelationId();
    return unlessRefused('end the step', async () => {
      await ovirt.action(`/jobs/${request.jobId}/steps/${stepId}/end`, { succeeded: true }, { correlationId });
      const job = await ovirt.get(`/jobs/${request.jobId}`, Job, { correlationId });
      if (job.status === 'started') return { stepId, jobStatus: job.status };
      const step = await ovirt.get(`/jobs/${request.jobId}/steps/${stepId}`, Step, { correlationId });
      return { stepId, jobStatus: job.status, stepStatus: step.status };
    });
  }

  /** An engine that cannot be reached now answers nothing: the workflow mirrors what is missing, waiting it out. */
  const unlessUnreachable = (answer: Promise<MirrorAnswer>, otherwise: MirrorAnswer) => answer.catch(() => otherwise);

  return () => ({
    inbound: {
      async execute(input, next): Promise<unknown> {
        const header = input.headers[MIRROR_HEADER];
        if (!header) return next(input);
        const request = defaultPayloadConverter.fromPayload<MirrorRequest>(header);
        const begun = await unlessUnreachable(begin(request), {});
        const result = await next(input);
        const mirror = begun.stepId
          ? await unlessUnreachable(end(request, begun.stepId), { stepId: begun.stepId })
          : begun;
        return { mirror, result } satisfies Mirrored<unknown>;
      },
    },
  });
}
