// The rules oVirt applies to external jobs and steps (see docs/ovirt-api.md), as faults or store calls.
import { cannotDo, conflict, entityNotFound } from '../faults';
import type { JobRow, JobStore, StepRow, StepType } from './store';

// oVirt's refusals for external jobs and steps (AppErrors.properties), with the ${action} ${type} words each command
// adds. Checked against oVirt's own commands:
// - EndExternalJobCommand and ClearExternalJobCommand both add VAR__ACTION__CLEAR + VAR__TYPE__EXTERNAL_JOB, so
//   ending a job is refused as "Cannot Clear External Job." too (oVirt's own slip, kept);
// - AddExternalStepCommand adds VAR__ACTION__ADD + VAR__TYPE__EXTERNAL_JOB ("Cannot add External Job.");
// - EndExternalStepCommand adds its words (VAR__ACTION__END, VAR__TYPE__EXTERNAL_STEP) only when the step's job is
//   missing, so for an unknown or internal step oVirt's message keeps its placeholders: "Cannot ${action} ${type}.".
const CLEAR_JOB = 'Cannot Clear External Job.';
const ADD_STEP = 'Cannot add External Job.';
const END_STEP = 'Cannot ${action} ${type}.';
/** ACTION_TYPE_NO_JOB */
const NO_JOB = 'Job not found.';
/** ACTION_TYPE_NO_STEP */
const NO_STEP = 'Step not found.';
/** ACTION_TYPE_NOT_EXTERNAL (said of jobs and steps alike) */
const NOT_EXTERNAL = 'External steps can be added only to external jobs or steps.';
/** ACTION_TYPE_NO_PARENT */
const NO_PARENT = 'Step should be a child of the Job or other Step.';
/** NOT oVirt: the progress extension's refusal of an internal step. */
const NOT_EXTERNAL_STEP = 'The specified Step is not external.';

export class JobService {
  constructor(readonly store: JobStore) {}

  addJob(input: { description: string; autoCleared: boolean; ownerId: string; correlationId?: string }): JobRow {
    return this.store.addJob({ ...input, external: true });
  }

  /** Only a STARTED job changes; `force` also marks it auto-cleared. */
  endJob(jobId: string, succeeded: boolean, force: boolean): JobRow {
    const job = this.externalJob(jobId);
    if (job.status === 'started') this.store.endJob(job.id, succeeded ? 'finished' : 'failed', force);
    return this.store.job(job.id)!;
  }

  clearJob(jobId: string): JobRow {
    const job = this.externalJob(jobId);
    this.store.clearJob(job.id);
    return this.store.job(job.id)!;
  }

  /** A step goes under an external job, or under an existing step of that job; it always starts STARTED. */
  addStep(jobId: string, input: { description: string; type: StepType; parentStepId?: string }): StepRow {
    return this.store.atomically(() => this.addStepNow(jobId, input));
  }

  private addStepNow(jobId: string, input: { description: string; type: StepType; parentStepId?: string }): StepRow {
    const job = this.store.job(jobId);
    if (!job) throw cannotDo(`${ADD_STEP} ${NO_PARENT}`);
    if (input.parentStepId !== undefined) {
      const parent = this.store.step(input.parentStepId);
      if (!parent || parent.job_id !== job.id) throw cannotDo(`${ADD_STEP} ${NO_PARENT}`);
    } else if (!job.external) {
      throw cannotDo(`${ADD_STEP} ${NOT_EXTERNAL}`);
    }
    return this.store.addStep({
      jobId: job.id,
      parentStepId: input.parentStepId,
      description: input.description,
      type: input.type,
      external: true,
    });
  }

  /**
   * No status guard (an ended step can be ended again), except that a step made UNKNOWN by a restart stays so.
   * Failure fails the whole job.
   */
  endStep(jobId: string, stepId: string, succeeded: boolean): StepRow {
    return this.store.atomically(() => this.endStepNow(jobId, stepId, succeeded));
  }

  private endStepNow(jobId: string, stepId: string, succeeded: boolean): StepRow {
    const step = this.store.step(stepId);
    if (!step || step.job_id !== jobId) throw cannotDo(`${END_STEP} ${NO_STEP}`);
    if (!step.external) throw cannotDo(`${END_STEP} ${NOT_EXTERNAL}`);
    return step.status === 'unknown' ? step : this.store.endStep(step, succeeded);
  }

  /**
   * The progress extension (not oVirt): sets the percent done of a STARTED external step. 404 for an unknown
   * step, 409 for a step that is no longer STARTED.
   */
  setStepProgress(jobId: string, stepId: string, progress: number): StepRow {
    const step = this.store.step(stepId);
    if (!step || step.job_id !== jobId) throw entityNotFound(stepId);
    if (!step.external) throw cannotDo(`Cannot set progress of Step. ${NOT_EXTERNAL_STEP}`);
    if (step.status !== 'started')
      throw conflict(`Cannot set progress of Step. The Step is ${step.status}, not started.`);
    this.store.setProgress(step, progress);
    return this.store.step(step.id)!;
  }

  /** Ending and clearing refuse alike (see CLEAR_JOB). */
  private externalJob(jobId: string): JobRow {
    const job = this.store.job(jobId);
    if (!job) throw cannotDo(`${CLEAR_JOB} ${NO_JOB}`);
    if (!job.external) throw cannotDo(`${CLEAR_JOB} ${NOT_EXTERNAL}`);
    return job;
  }
}
