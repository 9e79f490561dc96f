// The rules oVirt applies to external jobs and steps (see docs/ovirt-api.md), as faults or store calls.
import { cannotDo, conflict, entityNotFound } from '../faults';
import type { JobRow, JobStore, StepRow, StepType } from './store';

const NO_JOB = 'Job with the specified ID does not exist.';
const NOT_EXTERNAL_JOB = 'The specified Job is not external.';
const NO_STEP = 'Step with the specified ID does not exist.';
const NOT_EXTERNAL_STEP = 'The specified Step is not external.';
const NO_PARENT = 'Step should be a child of the Job or other Step.';

export class JobService {
  constructor(readonly store: JobStore) {}

  addJob(input: { description: string; autoCleared: boolean; ownerId: string; correlationId?: string }): JobRow {
    return this.store.addJob({ ...input, external: true });
  }

  /** Only a STARTED job changes; `force` also marks it auto-cleared. */
  endJob(jobId: string, succeeded: boolean, force: boolean): JobRow {
    const job = this.externalJob(jobId, 'end');
    if (job.status === 'started') this.store.endJob(job.id, succeeded ? 'finished' : 'failed', force);
    return this.store.job(job.id)!;
  }

  clearJob(jobId: string): JobRow {
    const job = this.externalJob(jobId, 'clear');
    this.store.clearJob(job.id);
    return this.store.job(job.id)!;
  }

  /** A step goes under an external job, or under an existing step of that job; it always starts STARTED. */
  addStep(jobId: string, input: { description: string; type: StepType; parentStepId?: string }): StepRow {
    return this.store.atomically(() => this.addStepNow(jobId, input));
  }

  private addStepNow(jobId: string, input: { description: string; type: StepType; parentStepId?: string }): StepRow {
    const job = this.store.job(jobId);
    if (!job) throw cannotDo('add', 'Step', NO_PARENT);
    if (input.parentStepId !== undefined) {
      const parent = this.store.step(input.parentStepId);
      if (!parent || parent.job_id !== job.id) throw cannotDo('add', 'Step', NO_PARENT);
    } else if (!job.external) {
      throw cannotDo('add', 'Step', NOT_EXTERNAL_JOB);
    }
    return this.store.addStep({ jobId: job.id, parentStepId: input.parentStepId, description: input.description, type: input.type, external: true });
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
    if (!step || step.job_id !== jobId) throw cannotDo('end', 'Step', NO_STEP);
    if (!step.external) throw cannotDo('end', 'Step', NOT_EXTERNAL_STEP);
    return step.status === 'unknown' ? step : this.store.endStep(step, succeeded);
  }

  /**
   * The progress extension (not oVirt): sets the percent done of a STARTED external step. 404 for an unknown
   * step, 409 for a step that is no longer STARTED.
   */
  setStepProgress(jobId: string, stepId: string, progress: number): StepRow {
    const step = this.store.step(stepId);
    if (!step || step.job_id !== jobId) throw entityNotFound(stepId);
    if (!step.external) throw cannotDo('set progress of', 'Step', NOT_EXTERNAL_STEP);
    if (step.status !== 'started') throw conflict('set progress of', 'Step', `The Step is ${step.status}, not started.`);
    this.store.setProgress(step, progress);
    return this.store.step(step.id)!;
  }

  private externalJob(jobId: string, action: string): JobRow {
    const job = this.store.job(jobId);
    if (!job) throw cannotDo(action, 'Job', NO_JOB);
    if (!job.external) throw cannotDo(action, 'Job', NOT_EXTERNAL_JOB);
    return job;
  }
}
