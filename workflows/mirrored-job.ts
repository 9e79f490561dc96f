// The generic mirroring mechanism: a flow is one external engine job and each activity it runs through `step()`
// or `external()` is one engine step, STARTED before the activity and ended after it. A step is ended FAILED only
// when its activity failed for good (Temporal's retries happen inside `executeWithOptions`), because oVirt fails
// the whole job as soon as one step fails. Finishing every step does not finish an oVirt job, so the flow ends the
// job itself. Vendor (external) steps also get their progress and nested sub-steps mirrored from heartbeats.
//
// The engine may restart mid-flow (oVirt does on upgrades): it turns STARTED jobs and steps UNKNOWN, and they can no
// longer be ended. An admin may also end the job by hand. Either way the mirror notices (a step's end changed
// nothing, or the job is no longer STARTED when a step is added), opens a continuation job, mirrors what remains
// there (a step that was running is mirrored again, with a note) and ends it as the flow ends.
import {
  CancellationScope,
  CancelledFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  type ActivityFunction,
  type ActivityFunctionWithOptions,
} from '@temporalio/workflow';
import type { EngineJobActivities, EngineStatus } from '../activities/engine-job';
import { EngineJobId } from '../common/search-attributes';
import type { createVendorProgressActivities } from '../activities/vendor-progress';
import type { VendorProgress } from '../common/vendor-contract';
import type { Mirrored, MirrorAnswer } from '../common/step-mirror';
import { scheduleMirrored } from './mirror-header';
import { PROGRESS_RELAYED } from './vendor-calls';
import {
  progressQuery,
  progressStepChanged,
  vendorProgressSignal,
  vendorStepQuery,
  type FlowMemo,
  type FlowProgress,
  type FlowStep,
  type StepKind,
} from '../common/flow-definitions';

// Mirroring must never fail a flow: engine outages are retried without limit (the flow waits), and the
// activities themselves turn permanent refusals into a `lost` answer.
const mirror = proxyActivities<EngineJobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// Opening and ending the job: local activities (a marker each in the history, no task-queue round trip), as
// idempotent as the others.
const mirrorLocal = proxyLocalActivities<EngineJobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The patch that marks flows begun with steps mirrored in their own activities (see `MirroredJob.inActivity`). */
const IN_ACTIVITY = 'mirror-steps-in-activities';

// The watcher relays a temporal-mode vendor's heartbeats; it runs as long as the vendor activity and is cancelled
// after it. It completes asynchronously (activities/vendor-progress.ts), holding no activity slot meanwhile.
const watcher = proxyActivities<ReturnType<typeof createVendorProgressActivities>>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const now = () => new Date(Date.now()).toISOString();

/** A step is not begun once the flow is being cancelled: no engine step may stand for an activity never run. */
function throwIfCancelled(): void {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('The flow is being cancelled');
}

interface ExternalStepState {
  step: FlowStep;
  mirroredProgress: number;
}

/** What a job's mirror carries into the next run of its workflow (continue-as-new). */
export interface MirroredJobSnapshot {
  description: string;
  progress: FlowProgress;
  failedByFlow: boolean;
  givenUp: [string, string][];
}

/** Continuation jobs opened for one flow at the most; beyond that the flow goes on without mirroring. */
const MAX_ENGINE_JOBS = 10;

export class MirroredJob {
  private state: FlowProgress = { steps: [], engineJobIds: [] };
  private readonly externalSteps = new Map<string, ExternalStepState>();
  /** Engine writes for vendor sub-steps, one after the other (signals arrive while the vendor works). */
  private subStepWrites: Promise<void> = Promise.resolve();
  /** The flow failed its job itself (a step ended FAILED fails an oVirt job): later steps still go into it. */
  private failedByFlow = false;
  /** The continuation being opened after a given job, so that two paths noticing the same loss open one job. */
  private readonly continuations = new Map<string, Promise<void>>();
  /** Why each job given up was left: `the engine restarted`, or how it was ended outside the flow. */
  private readonly givenUp = new Map<string, string>();
  /** oVirt step types other than `executing` (a standalone task's vendor names them). */
  private readonly stepTypes = new Map<FlowStep, string>();
  /** Engine ends of steps that succeeded, written while the flow goes on (see `endLater`). */
  private readonly endsInFlight = new Set<Promise<void>>();
  /**
   * Flows begun before these changes keep their history's shape when replayed: oVirt steps mirrored by activities of
   * their own (ensure, end) and each end awaited before the next step.
   */
  private readonly inActivity = patched(IN_ACTIVITY);
  /**
   * Set for a part of another flow's job (`MirroredJob.nested`): the engine step its top-level steps go under. Such a
   * mirror neither opens, continues nor ends the job; steps may go into it after another part failed it.
   */
  private nestedUnder?: string;
  /**
   * Set for a job several flows fill (a bulk clone's, and each of its VMs' `nested` mirrors of it): a part whose step
   * fails fails the job at once, while the others still add steps (the next VM, the source started again). So a
   * FAILED job is no sign of an end from outside here, and takes further steps.
   */
  private sharedWithParts = false;

  private constructor(
    private readonly description: string,
    engineJobId: string | undefined,
  ) {
    if (engineJobId) this.useJob(engineJobId);
    setHandler(progressQuery, () => this.state);
    setHandler(vendorStepQuery, (activityId) => {
      const step = this.externalSteps.get(activityId)?.step;
      return step ? { engineJobId: step.engineJobId ?? null, engineStepId: step.engineStepId ?? null } : null;
    });
    setHandler(vendorProgressSignal, ({ activityId, ...progress }) => {
      const entry = this.externalSteps.get(activityId);
      if (entry?.step.status === 'running') this.mirrorVendorProgress(entry, progress);
    });
  }

  /**
   * Opens (or, after a worker restart, finds) the flow's engine job: by a local activity, unless `answerFirst`. A
   * workflow answers no query until its first task completes, and a local activity keeps that task open; a caller
   * that waits for the workflow's first answer (a standalone task's create) asks for `answerFirst`. A job whose
   * steps other flows fill too (a bulk clone's VMs, `nested`) says `sharedWithParts`: any part may fail it.
   */
  static async open(
    description: string,
    opts: { answerFirst?: boolean; sharedWithParts?: boolean } = {},
  ): Promise<MirroredJob> {
    const engine = patched(IN_ACTIVITY) && !opts.answerFirst ? mirrorLocal : mirror;
    const job = await CancellationScope.nonCancellable(() =>
      engine.ensureEngineJob.executeWithOptions({ summary: 'Open the engine job' }, [{ description }]),
    );
    const mirrored = new MirroredJob(description, job.jobId);
    mirrored.sharedWithParts = opts.sharedWithParts ?? false;
    return mirrored;
  }

  /**
   * A mirror into another flow's job (a bulk clone's member, run as a child workflow): every step goes under the engine
   * step `parentStepId` of job `jobId`. No engine call here.
   */
  static nested(description: string, jobId: string | undefined, parentStepId: string | undefined): MirroredJob {
    // Without the parent's job or step (the engine refused them), nothing is mirrored.
    const job = new MirroredJob(description, parentStepId ? jobId : undefined);
    job.nestedUnder = parentStepId;
    job.sharedWithParts = true; // the parent's job: its other parts may fail it
    return job;
  }

  /** The mirror of an earlier run of this workflow (continue-as-new), as `snapshot` left it: no engine call. */
  static resume(snapshot: MirroredJobSnapshot): MirroredJob {
    const job = new MirroredJob(snapshot.description, undefined);
    job.state = snapshot.progress;
    job.failedByFlow = snapshot.failedByFlow;
    for (const [jobId, why] of snapshot.givenUp) job.givenUp.set(jobId, why);
    return job;
  }

  /** What the next run needs to go on mirroring (steps run by `step`/`external` must have ended). */
  snapshot(): MirroredJobSnapshot {
    return {
      description: this.description,
      progress: this.state,
      failedByFlow: this.failedByFlow,
      givenUp: [...this.givenUp],
    };
  }

  /** The engine job in use: the latest continuation once there is one. */
  get engineJobId(): string | undefined {
    return this.state.engineJobId;
  }

  /** Every engine job used so far, oldest first. */
  get engineJobIds(): readonly string[] {
    return this.state.engineJobIds;
  }

  get steps(): readonly FlowStep[] {
    return this.state.steps;
  }

  /**
   * Runs one activity as one mirrored step; its description is also the activity's summary in the Temporal UI. An
   * activity of the main worker begins and ends its engine step itself (common/step-mirror.ts): one task-queue round
   * trip per step. What it could not mirror, and the step's end, are written while the flow goes on.
   */
  async step<F extends ActivityFunction>(
    description: string,
    kind: StepKind,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    throwIfCancelled();
    if (!this.inActivity) return this.stepBesideActivities(description, kind, activity, ...args);
    const step = this.add(description, kind);
    const jobId = this.engineJobId;
    // A webhook vendor's activity completes through the vendor API, not by returning: it cannot mirror itself.
    const request =
      jobId && !(PROGRESS_RELAYED in activity)
        ? {
            jobId,
            description,
            occurrence: this.occurrence(step, jobId),
            jobMayHaveFailed: this.jobMayHaveFailed,
            ...(this.nestedUnder ? { parentStepId: this.nestedUnder } : {}),
          }
        : undefined;
    const { attached, result } = scheduleMirrored(request, () =>
      activity.executeWithOptions({ summary: description }, args),
    );
    // Otherwise (a vendor's activity, or no job) its engine step is begun beside it, in the same workflow task.
    let mirrored: Promise<void> | undefined;
    if (!attached) {
      mirrored = CancellationScope.nonCancellable(() => this.mirrorStart(step));
      mirrored.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    }
    try {
      const answer = await result;
      if (!mirrored) {
        const { mirror, result: value } = answer as unknown as Mirrored<Awaited<ReturnType<F>>>;
        this.endLater(step, this.mirrorRest(step, request!.jobId, mirror, request!.jobMayHaveFailed));
        return value;
      }
      this.endLater(
        step,
        mirrored.then(() => this.finish(step, true)),
      );
      return answer;
    } catch (err) {
      // Failed for good, or cancelled: the engine step an attempt began (or the one begun beside it) is found, or
      // added so the job shows what failed, and ended FAILED.
      await CancellationScope.nonCancellable(async () => {
        await (mirrored ?? this.mirrorStart(step));
        await this.finish(step, false);
      });
      throw err;
    }
  }

  /** Today's shape before `inActivity`: the engine step begun and ended by activities of its own, side by side. */
  private async stepBesideActivities<F extends ActivityFunction>(
    description: string,
    kind: StepKind,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    const { step, mirrored } = this.open(description, kind);
    try {
      const result = await activity.executeWithOptions({ summary: description }, args);
      await mirrored;
      await this.finish(step, true);
      return result;
    } catch (err) {
      await mirrored;
      await this.finish(step, false);
      throw err;
    }
  }

  /** After a mirrored activity succeeded: what it could not do on the engine (see MirrorAnswer), done here. */
  private async mirrorRest(step: FlowStep, jobId: string, mirror: MirrorAnswer, mayHaveFailed: boolean): Promise<void> {
    if (mirror.lost) return;
    if (!mirror.stepId) {
      // The engine could not be reached to begin it: begun and ended now (waiting the outage out).
      await this.mirrorStart(step);
      await this.finish(step, true);
      return;
    }
    step.engineStepId = mirror.stepId;
    step.engineJobId = jobId;
    if (!mirror.jobStatus) {
      await this.finish(step, true); // not ended: the engine could not be reached to end it
    } else if (mirror.jobStatus !== 'started' && !(mirror.jobStatus === 'failed' && mayHaveFailed)) {
      // The job went UNKNOWN (the engine restarted) or was ended outside the flow: what remains goes into a
      // continuation job. A step that ran through a restart stays UNKNOWN (its end changed nothing): mirrored again.
      await this.continueAfter(jobId, mirror.jobStatus);
      if (mirror.stepStatus === 'unknown') await this.finish(step, true);
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
    throwIfCancelled();
    const { step, mirrored } = this.open(description, 'external');
    const entry: ExternalStepState = { step, mirroredProgress: 0 };
    this.externalSteps.set(activityId, entry);
    // Sub-steps go under the vendor's engine step: their writes wait until it exists.
    this.subStepWrites = this.subStepWrites.then(() => mirrored);
    // A temporal-mode vendor heartbeats to Temporal alone: a watcher relays its progress. A webhook vendor's progress
    // comes as signals from the vendor API.
    const watching = new CancellationScope();
    const watch =
      PROGRESS_RELAYED in activity
        ? Promise.resolve()
        : watching
            .run(() =>
              watcher.watchVendorProgress.executeWithOptions({ summary: `Watch the progress of: ${description}` }, [
                { activityId },
              ]),
            )
            .catch(() => undefined); // best effort; it ends by being cancelled
    try {
      const result = await activity.executeWithOptions({ summary: description, activityId }, args);
      watching.cancel();
      this.mirrorVendorProgress(entry, { progress: 100, subSteps: result?.subSteps });
      // The next step need not wait for the engine: its sub-steps and its end are written meanwhile.
      const ended = mirrored.then(() => this.subStepWrites).then(() => this.finish(step, true));
      if (this.inActivity) this.endLater(step, ended);
      else await ended;
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

  /**
   * Opens a step its caller ends itself with `endStep` (a standalone task's vendor steps, reported one by one), under
   * `parent` if given, keyed `key` in the step tree. Resolves once its engine step exists (or could not be made).
   */
  async openStep(
    key: string,
    description: string,
    type: string,
    parent?: FlowStep,
    kind: StepKind = 'external',
  ): Promise<FlowStep> {
    const { step, mirrored } = this.open(description, kind, parent, { key, type });
    await mirrored;
    return step;
  }

  /** Ends a step opened with `openStep`; a failed step fails the engine job, as oVirt does. */
  endStep(step: FlowStep, succeeded: boolean): Promise<void> {
    return this.finish(step, succeeded);
  }

  /**
   * Shows a step's progress (on the built-in engine; real oVirt has no progress: there it is in the tree only). A
   * step whose engine step the engine lost (restarted) is mirrored again in the continuation job first.
   */
  async setProgress(step: FlowStep, progress: number): Promise<void> {
    step.progress = progress;
    await CancellationScope.nonCancellable(async () => {
      for (let attempt = 0; attempt < MAX_ENGINE_JOBS; attempt++) {
        const jobId = this.engineJobId;
        if (!jobId || !step.engineStepId) return;
        if (step.engineJobId !== jobId) {
          await this.mirrorAgain(step);
          continue;
        }
        const { stepStatus } = await mirror.setEngineStepProgress.executeWithOptions(
          { summary: `Mirror: ${progress}% of ${step.description}` },
          [{ jobId, stepId: step.engineStepId, progress }],
        );
        if (stepStatus !== 'unknown') return;
        await this.continueAfter(jobId, 'unknown');
        if (this.engineJobId === jobId) return;
      }
    });
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
    await CancellationScope.nonCancellable(async () => {
      await this.settled();
      for (;;) {
        if (this.nestedUnder) break; // the job is the parent flow's to end
        const jobId = this.engineJobId;
        if (!jobId) break;
        const ended = await (this.inActivity ? mirrorLocal : mirror).endEngineJob.executeWithOptions(
          { summary: succeeded ? 'Finish the engine job' : 'Fail the engine job' },
          [{ jobId, succeeded }],
        );
        // UNKNOWN: the engine restarted since the last step and kept the job from ending; an admin may have ended
        // it otherwise. The outcome must still show in a job of its own.
        if (!ended.status || ended.status === (succeeded ? 'finished' : 'failed')) break;
        await this.continueAfter(jobId, ended.status);
        if (this.engineJobId === jobId) break;
      }
    });
    const memo: FlowMemo = {
      steps: this.state.steps,
      engineJobId: this.engineJobId ?? null,
      engineJobIds: this.state.engineJobIds,
    };
    upsertMemo(memo as Record<string, unknown>);
  }

  private async begin(description: string, kind: StepKind, parent?: FlowStep): Promise<FlowStep> {
    const { step, mirrored } = this.open(description, kind, parent);
    await mirrored;
    return step;
  }

  /** Adds the step to the tree at once; `mirrored` settles once its engine step exists (never cancelled). */
  private open(
    description: string,
    kind: StepKind,
    parent?: FlowStep,
    named?: { key: string; type: string },
  ): { step: FlowStep; mirrored: Promise<void> } {
    const step = this.add(description, kind, parent, named);
    const mirrored = CancellationScope.nonCancellable(() => this.mirrorStart(step, parent));
    mirrored.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    return { step, mirrored };
  }

  /** Adds the step to the tree, running, with no engine step yet. */
  private add(description: string, kind: StepKind, parent?: FlowStep, named?: { key: string; type: string }): FlowStep {
    const siblings = parent ? parent.children : this.state.steps;
    const key = named?.key ?? `${parent ? `${parent.key}.` : 's'}${siblings.length + 1}`;
    const step: FlowStep = { key, description, kind, status: 'running', startedAt: now(), children: [] };
    if (named && named.type !== 'executing') this.stepTypes.set(step, named.type);
    siblings.push(step);
    return step;
  }

  /**
   * Earlier siblings of the same description in `jobId`: the engine step to find (after a worker restart) is the next
   * one of them, not the first.
   */
  private occurrence(step: FlowStep, jobId: string, parent?: FlowStep): number {
    const siblings = parent ? parent.children : this.state.steps;
    return siblings
      .slice(0, siblings.indexOf(step))
      .filter((s) => s.description === step.description && s.engineJobId === jobId).length;
  }

  /** Marks the step ended in the tree (the engine is told separately). */
  private markEnded(step: FlowStep, succeeded: boolean): void {
    step.status = succeeded ? 'finished' : 'failed';
    step.endedAt ??= now();
    if (succeeded) step.progress = step.progress === undefined ? undefined : 100;
  }

  /**
   * A step that succeeded: ended in the tree now, on the engine by `writes` while the flow goes on, so the next
   * step need not wait for the engine. Anything that must follow those writes (a failure, the job's end) awaits
   * `settled()` first.
   */
  private endLater(step: FlowStep, writes: Promise<void>): void {
    this.markEnded(step, true);
    const tracked: Promise<void> = writes.finally(() => this.endsInFlight.delete(tracked));
    tracked.catch(() => undefined); // awaited by settled(); never an unhandled rejection meanwhile
    this.endsInFlight.add(tracked);
  }

  /** Waits for the engine ends still being written (see `endLater`). */
  private async settled(): Promise<void> {
    while (this.endsInFlight.size) await Promise.all(this.endsInFlight);
  }

  /** Adds the step's engine step in the job in use (under its parent's), opening a continuation job if need be. */
  private async mirrorStart(step: FlowStep, parent?: FlowStep): Promise<void> {
    for (;;) {
      const jobId = this.engineJobId;
      if (!jobId) return;
      if (parent && parent.engineJobId !== jobId && parent.engineStepId) await this.mirrorAgain(parent);
      if (parent && !parent.engineStepId) return; // the parent could not be mirrored; neither can its children
      if (this.engineJobId !== jobId) continue;
      const ref = await mirror.ensureEngineStep.executeWithOptions({ summary: `Mirror: ${step.description}` }, [
        {
          jobId,
          description: step.description,
          parentStepId: parent ? parent.engineStepId : this.nestedUnder,
          jobMayHaveFailed: this.jobMayHaveFailed,
          type: this.stepTypes.get(step),
          occurrence: this.occurrence(step, jobId, parent),
        },
      ]);
      if (ref.stepId) {
        step.engineStepId = ref.stepId;
        step.engineJobId = jobId;
        return;
      }
      if (!ref.jobStatus) return; // refused for good: the flow goes on without mirroring this step
      await this.continueAfter(jobId, ref.jobStatus);
      if (this.engineJobId === jobId) return;
    }
  }

  /** A step whose engine step sits in a job given up (UNKNOWN after a restart): mirrored again in the job in use. */
  private async mirrorAgain(step: FlowStep): Promise<void> {
    const parent = this.parentOf(step);
    const lost = `step ${step.engineStepId} of job ${step.engineJobId}`;
    const why = this.givenUp.get(step.engineJobId ?? '') ?? 'its job was given up';
    step.engineStepId = undefined;
    step.engineJobId = undefined;
    await this.mirrorStart(step, parent);
    step.engineNote = step.engineStepId
      ? `Mirrored again in job ${step.engineJobId}: its first engine ${lost} could not be ended (${why}).`
      : `Its engine ${lost} could not be ended (${why}), and it could not be mirrored again.`;
    const entry = [...this.externalSteps.values()].find((e) => e.step === step);
    if (entry) entry.mirroredProgress = 0;
  }

  private async finish(step: FlowStep, succeeded: boolean): Promise<void> {
    this.markEnded(step, succeeded);
    await CancellationScope.nonCancellable(async () => {
      // A failed step fails the whole job: the ends of the steps that succeeded before it go first.
      if (!succeeded) await this.settled();
      for (let attempt = 0; attempt < MAX_ENGINE_JOBS && step.engineStepId; attempt++) {
        if (step.engineJobId !== this.engineJobId) await this.mirrorAgain(step);
        const jobId = step.engineJobId;
        const stepId = step.engineStepId;
        if (!jobId || !stepId) return;
        const ended = await mirror.endEngineStep.executeWithOptions({ summary: `Mirror: end ${step.description}` }, [
          { jobId, stepId, succeeded },
        ]);
        if (ended.status !== 'unknown') break;
        // The engine restarted while the step ran: its step stays UNKNOWN for good. Never retried there.
        await this.continueAfter(jobId, 'unknown');
        if (this.engineJobId === jobId) return;
      }
      if (!succeeded && step.engineStepId) this.failedByFlow = true;
    });
  }

  /**
   * The job in use can take no more steps (`status`: UNKNOWN after an engine restart, or ended outside the flow):
   * opens the continuation job that takes the flow's remaining steps. At most MAX_ENGINE_JOBS jobs per flow.
   */
  private continueAfter(jobId: string, status: EngineStatus): Promise<void> {
    // A nested mirror cannot move the parent flow's job: it goes on without mirroring what the job refuses.
    if (this.nestedUnder) return Promise.resolve();
    let opening = this.continuations.get(jobId);
    if (!opening) {
      opening = (async () => {
        if (this.engineJobId !== jobId || this.state.engineJobIds.length >= MAX_ENGINE_JOBS) return;
        const why = status === 'unknown' ? 'the engine restarted' : `the job was ${status} outside this flow`;
        this.givenUp.set(jobId, why);
        const description = `${this.description} (continued: ${why}; earlier job ${jobId})`.slice(0, 1000);
        const job = await mirror.ensureEngineJob.executeWithOptions({ summary: 'Open a continuation engine job' }, [
          { description },
        ]);
        if (job.jobId) this.useJob(job.jobId);
        // A flow that failed its first job has said why there; its continuation is STARTED again.
        this.failedByFlow = false;
      })();
      this.continuations.set(jobId, opening);
    }
    return opening;
  }

  /** Steps may go into a FAILED job: one the flow failed itself, or a shared one another part failed. */
  private get jobMayHaveFailed(): boolean {
    return this.failedByFlow || this.sharedWithParts;
  }

  /** Makes `jobId` the job in use, and tells Temporal (search attribute, memo) so the API can find it without a worker. */
  private useJob(jobId: string): void {
    this.state.engineJobId = jobId;
    this.state.engineJobIds.push(jobId);
    upsertSearchAttributes([{ key: EngineJobId, value: jobId }]);
    // The first job is known by the search attribute alone (knownEngineJobIds); continuations need the list.
    if (this.state.engineJobIds.length > 1 || !this.inActivity) {
      const memo: FlowMemo = { engineJobIds: this.state.engineJobIds };
      upsertMemo(memo as Record<string, unknown>);
    }
  }

  private parentOf(step: FlowStep, steps: FlowStep[] = this.state.steps, parent?: FlowStep): FlowStep | undefined {
    for (const s of steps) {
      if (s === step) return parent;
      const found = this.parentOf(step, s.children, s);
      if (found) return found;
    }
    return undefined;
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
        // Only each new step of PROGRESS_GRANULARITY percent, to keep the engine's writes and the history small.
        if (jobId && step.engineStepId && progressStepChanged(entry.mirroredProgress, value)) {
          entry.mirroredProgress = value;
          await mirror.setEngineStepProgress.executeWithOptions(
            { summary: `Mirror: ${value}% of ${step.description}` },
            [{ jobId, stepId: step.engineStepId, progress: value }],
          );
        }
      }),
    );
  }
}
