// The generic mirroring mechanism: a flow is one external engine job and each activity it runs through `step()`
// or `external()` is one engine step, STARTED before the activity and ended after it. A step is ended FAILED only
// when its activity failed for good (Temporal's retries happen inside `executeWithOptions`), because oVirt fails
// the whole job as soon as one step fails. Finishing every step does not finish an oVirt job, so the flow ends the
// job itself. Vendor (external) steps also get their progress and nested sub-steps mirrored from heartbeats.
import {
  CancellationScope,
  proxyActivities,
  setHandler,
  upsertMemo,
  type ActivityFunction,
  type ActivityFunctionWithOptions,
} from '@temporalio/workflow';
import type { EngineJobActivities } from '../activities/engine-job';
import type { createVendorProgressActivities } from '../activities/vendor-progress';
import type { VendorProgress } from '../common/vendor-contract';
import { progressQuery, vendorProgressSignal, type FlowProgress, type FlowStep, type StepKind } from './definitions';

// Mirroring must never fail a flow: engine outages are retried without limit (the flow waits), and the
// activities themselves turn permanent refusals into a `lost` answer.
const mirror = proxyActivities<EngineJobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// The watcher relays a vendor's heartbeats; it runs as long as the vendor activity and is cancelled after it.
const watcher = proxyActivities<ReturnType<typeof createVendorProgressActivities>>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Progress is mirrored onto the engine in steps of this many percent, to keep the history small. */
const PROGRESS_GRANULARITY = 10;

const now = () => new Date(Date.now()).toISOString();

interface ExternalStepState {
  step: FlowStep;
  mirroredProgress: number;
}

export class MirroredJob {
  private readonly state: FlowProgress = { steps: [], engineJobIds: [] };
  private readonly externalSteps = new Map<string, ExternalStepState>();
  /** Engine writes for vendor sub-steps, one after the other (signals arrive while the vendor works). */
  private subStepWrites: Promise<void> = Promise.resolve();

  private constructor(readonly engineJobId: string | undefined) {
    this.state.engineJobId = engineJobId;
    setHandler(progressQuery, () => this.state);
    setHandler(vendorProgressSignal, ({ activityId, ...progress }) => {
      const entry = this.externalSteps.get(activityId);
      if (entry?.step.status === 'running') this.mirrorVendorProgress(entry, progress);
    });
  }

  /** Opens (or, after a restart, finds) the flow's engine job. */
  static async open(description: string): Promise<MirroredJob> {
    const job = await CancellationScope.nonCancellable(() =>
      mirror.ensureEngineJob.executeWithOptions({ summary: 'Open the engine job' }, [{ description }]),
    );
    return new MirroredJob(job.jobId);
  }

  get steps(): readonly FlowStep[] {
    return this.state.steps;
  }

  /** Runs one activity as one mirrored step; its description is also the activity's summary in the Temporal UI. */
  async step<F extends ActivityFunction>(
    description: string,
    kind: StepKind,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    const step = await this.begin(description, kind);
    try {
      const result = await activity.executeWithOptions({ summary: description }, args);
      await this.finish(step, true);
      return result;
    } catch (err) {
      await this.finish(step, false);
      throw err;
    }
  }

  /**
   * Runs a vendor activity as one mirrored step, with its heartbeated progress and sub-steps mirrored live
   * (see activities/vendor-progress.ts). `activityId` must be unique within the flow.
   */
  async external<F extends ActivityFunction<any[], { subSteps?: VendorProgress['subSteps'] } | void>>( // eslint-disable-line @typescript-eslint/no-explicit-any
    description: string,
    activityId: string,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    const step = await this.begin(description, 'external');
    const entry: ExternalStepState = { step, mirroredProgress: 0 };
    this.externalSteps.set(activityId, entry);
    const watching = new CancellationScope();
    const watch = watching
      .run(() => watcher.watchVendorProgress.executeWithOptions({ summary: `Watch the progress of: ${description}` }, [{ activityId }]))
      .catch(() => undefined); // best effort; it ends by being cancelled
    try {
      const result = await activity.executeWithOptions({ summary: description, activityId }, args);
      watching.cancel();
      this.mirrorVendorProgress(entry, { progress: 100, subSteps: result?.subSteps });
      await this.subStepWrites;
      await this.finish(step, true);
      return result;
    } catch (err) {
      watching.cancel();
      await CancellationScope.nonCancellable(() => this.subStepWrites);
      await this.finish(step, false);
      throw err;
    } finally {
      await watch;
    }
  }

  /** Records why the flow failed as a FAILED step, so admins read the reason in the engine's Tasks view. */
  async fail(reason: string): Promise<void> {
    const step = await this.begin(`Failed: ${reason}`.slice(0, 1000), 'compensation');
    await this.finish(step, false);
  }

  /**
   * Ends the engine job: FINISHED on success, FAILED on failure or cancellation. The final step tree is kept in the
   * workflow's memo, so the API can show a closed flow without asking a worker.
   */
  async end(succeeded: boolean): Promise<void> {
    upsertMemo({ steps: this.state.steps, engineJobId: this.engineJobId ?? null });
    const jobId = this.engineJobId;
    if (!jobId) return;
    await CancellationScope.nonCancellable(() =>
      mirror.endEngineJob.executeWithOptions({ summary: succeeded ? 'Finish the engine job' : 'Fail the engine job' }, [
        { jobId, succeeded },
      ]),
    );
  }

  private async begin(description: string, kind: StepKind, parent?: FlowStep): Promise<FlowStep> {
    const siblings = parent ? parent.children : this.state.steps;
    const key = `${parent ? `${parent.key}.` : 's'}${siblings.length + 1}`;
    const step: FlowStep = { key, description, kind, status: 'running', startedAt: now(), children: [] };
    siblings.push(step);
    const jobId = this.engineJobId;
    if (jobId && (!parent || parent.engineStepId)) {
      const ref = await CancellationScope.nonCancellable(() =>
        mirror.ensureEngineStep.executeWithOptions({ summary: `Mirror: ${description}` }, [
          { jobId, description, parentStepId: parent?.engineStepId },
        ]),
      );
      step.engineStepId = ref.stepId;
    }
    return step;
  }

  private async finish(step: FlowStep, succeeded: boolean): Promise<void> {
    step.status = succeeded ? 'finished' : 'failed';
    step.endedAt = now();
    if (succeeded) step.progress = step.progress === undefined ? undefined : 100;
    const jobId = this.engineJobId;
    const stepId = step.engineStepId;
    if (!jobId || !stepId) return;
    await CancellationScope.nonCancellable(() =>
      mirror.endEngineStep.executeWithOptions({ summary: `Mirror: end ${step.description}` }, [{ jobId, stepId, succeeded }]),
    );
  }

  /** Updates the step tree at once, and queues the engine writes behind earlier ones. */
  private mirrorVendorProgress(entry: ExternalStepState, progress: VendorProgress): void {
    const { step } = entry;
    if (progress.progress !== undefined) step.progress = progress.progress;
    const subSteps = progress.subSteps ?? [];
    this.subStepWrites = this.subStepWrites.then(() =>
      CancellationScope.nonCancellable(async () => {
        for (const sub of subSteps) {
          let child = step.children.find((c) => c.key === `${step.key}.${sub.key}`);
          if (!child) {
            child = await this.begin(sub.description, 'external', step);
            child.key = `${step.key}.${sub.key}`;
          }
          // A failed sub-step stays STARTED: only the vendor activity failing for good may fail the job.
          if (sub.status === 'finished' && child.status === 'running') await this.finish(child, true);
        }
        const jobId = this.engineJobId;
        const value = step.progress ?? 0;
        if (jobId && step.engineStepId && (value >= entry.mirroredProgress + PROGRESS_GRANULARITY || (value === 100 && entry.mirroredProgress < 100))) {
          entry.mirroredProgress = value;
          await mirror.setEngineStepProgress.executeWithOptions({ summary: `Mirror: ${value}% of ${step.description}` }, [
            { jobId, stepId: step.engineStepId, progress: value },
          ]);
        }
      }),
    );
  }
}
