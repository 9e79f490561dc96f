// The generic mirroring mechanism: a flow is one external engine job and each activity it runs through `step()`
// is one engine step, STARTED before the activity and ended after it. A step is ended FAILED only when its activity
// failed for good (Temporal's retries happen inside `executeWithOptions`), because oVirt fails the whole job as soon
// as one step fails. Finishing every step does not finish an oVirt job, so the flow ends the job itself.
import {
  CancellationScope,
  defineQuery,
  proxyActivities,
  setHandler,
  type ActivityFunction,
  type ActivityFunctionWithOptions,
} from '@temporalio/workflow';
import type { EngineJobActivities } from '../activities/engine-job';

export type StepKind = 'ovirt' | 'external' | 'compensation';
export type StepStatus = 'pending' | 'running' | 'finished' | 'failed';

export interface FlowStep {
  key: string;
  description: string;
  kind: StepKind;
  status: StepStatus;
  progress?: number;
  startedAt?: string;
  endedAt?: string;
  engineStepId?: string;
  children: FlowStep[];
}

export interface FlowProgress {
  engineJobId?: string;
  steps: FlowStep[];
}

/** The step tree of a running flow, for the API server. */
export const progressQuery = defineQuery<FlowProgress>('progress');

// Mirroring must never fail a flow: engine outages are retried without limit (the flow waits), and the
// activities themselves turn permanent refusals into a `lost` answer.
const mirror = proxyActivities<EngineJobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const now = () => new Date(Date.now()).toISOString();

export class MirroredJob {
  private readonly state: FlowProgress = { steps: [] };

  private constructor(readonly engineJobId: string | undefined) {
    this.state.engineJobId = engineJobId;
    setHandler(progressQuery, () => this.state);
  }

  /** Opens (or, after a restart, finds) the flow's engine job. */
  static async open(description: string): Promise<MirroredJob> {
    const job = await CancellationScope.nonCancellable(() =>
      mirror.ensureEngineJob.executeWithOptions({ summary: 'Open the engine job' }, [{ description }]),
    );
    return new MirroredJob(job.jobId);
  }

  /** Runs one activity as one mirrored step; its description is also the activity's summary in the Temporal UI. */
  async step<F extends ActivityFunction>(
    description: string,
    kind: StepKind,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    const step: FlowStep = { key: `s${this.state.steps.length + 1}`, description, kind, status: 'running', startedAt: now(), children: [] };
    this.state.steps.push(step);
    const jobId = this.engineJobId;
    if (jobId) {
      const ref = await CancellationScope.nonCancellable(() =>
        mirror.ensureEngineStep.executeWithOptions({ summary: `Mirror: ${description}` }, [{ jobId, description }]),
      );
      step.engineStepId = ref.stepId;
    }
    try {
      const result = await activity.executeWithOptions({ summary: description }, args);
      await this.endStep(step, true);
      return result;
    } catch (err) {
      await this.endStep(step, false);
      throw err;
    }
  }

  /** Ends the engine job: FINISHED on success, FAILED on failure or cancellation. */
  async end(succeeded: boolean): Promise<void> {
    const jobId = this.engineJobId;
    if (!jobId) return;
    await CancellationScope.nonCancellable(() =>
      mirror.endEngineJob.executeWithOptions({ summary: succeeded ? 'Finish the engine job' : 'Fail the engine job' }, [
        { jobId, succeeded },
      ]),
    );
  }

  private async endStep(step: FlowStep, succeeded: boolean): Promise<void> {
    step.status = succeeded ? 'finished' : 'failed';
    step.endedAt = now();
    const jobId = this.engineJobId;
    const stepId = step.engineStepId;
    if (!jobId || !stepId) return;
    await CancellationScope.nonCancellable(() =>
      mirror.endEngineStep.executeWithOptions({ summary: `Mirror: end ${step.description}` }, [{ jobId, stepId, succeeded }]),
    );
  }
}
