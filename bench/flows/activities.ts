// The benchmark's activities: the work itself costs nothing, so what is measured is the orchestration around it.
import { Context } from '@temporalio/activity';
import { createEngineJobActivities } from '../../activities/engine-job';
import { flowCorrelationId } from '../../activities/flow-context';
import type { OvirtClient } from '../../ovirt/client';
import { Step } from '../../ovirt/representation';

export function createBenchActivities(ovirt: OvirtClient) {
  const engine = createEngineJobActivities(ovirt);
  return {
    async noop(): Promise<void> {},

    /**
     * A candidate shape: the step's engine step begun and ended inside the activity itself. A first attempt has no
     * earlier engine step to find, so it adds one at once (one call); a retry looks for the one it may have made.
     */
    async mirroredNoop(input: { jobId: string; description: string }): Promise<void> {
      const first = Context.current().info.attempt === 1;
      const stepId = first
        ? (
            await ovirt.post(
              `/jobs/${input.jobId}/steps`,
              { description: input.description, type: 'executing' },
              Step,
              { correlationId: flowCorrelationId() },
            )
          ).id
        : (await engine.ensureEngineStep(input)).stepId;
      // (the work would run here)
      if (stepId) await engine.endEngineStep({ jobId: input.jobId, stepId, succeeded: true });
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
