// An oVirt step's engine step is begun and ended by the step's own activity (activities/step-mirror.ts), not by
// activities of their own around it: one task-queue round trip per step instead of three, and a history close to a
// bare workflow's. The workflow names the engine step to begin in an activity header; the activity answers what it
// did beside its result, and the workflow mirrors whatever the activity could not (see workflows/mirrored-job.ts).
import type { z } from 'zod';
import type { JobStatus } from '../ovirt/representation';

type EngineStatus = z.infer<typeof JobStatus>;

/** The activity header that asks for the mirroring. */
export const MIRROR_HEADER = 'hybridflow-mirror';

/** Which engine step to begin: added at once on a first attempt, found by description and occurrence on a retry. */
export interface MirrorRequest {
  jobId: string;
  /** The engine step it goes under (a nested mirror's), if not directly under the job. */
  parentStepId?: string;
  description: string;
  /** How many earlier steps of the job have the same description. */
  occurrence: number;
  /** The flow failed its job itself: steps may still go into it. */
  jobMayHaveFailed: boolean;
}

/**
 * What the activity did on the engine. The job's status read after the step's end says whether the end counted: an
 * engine restart turns the job (and a running step) UNKNOWN, and an admin may have ended the job meanwhile.
 */
export interface MirrorAnswer {
  /** The engine step begun (or found); none if the engine could not be reached. */
  stepId?: string;
  /** The job's status once the step was ended (on a retry, instead of `stepId` if not STARTED). */
  jobStatus?: EngineStatus;
  /**
   * The step's own status, read when the job is not STARTED: after an engine restart, `unknown` if the step ran
   * through it (its end changed nothing), `finished` if it was added after it.
   */
  stepStatus?: EngineStatus;
  /** The engine refused for good: the step goes without mirroring. */
  lost?: string;
}

/** A mirrored activity's answer: what it did on the engine, and its own result. */
export interface Mirrored<T> {
  mirror: MirrorAnswer;
  result: T;
}
