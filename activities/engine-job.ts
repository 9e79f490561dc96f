// Mirroring: each flow is one external job of the engine, each activity one step of it. Every call is idempotent
// (find before create) so that a retried activity or a restarted worker never makes a second job or step.
// Engine outages are thrown as retryable errors (the flow waits); a permanent refusal (e.g. a job the engine marked
// UNKNOWN after a restart) is logged and reported, never failing the flow.
import { log } from '@temporalio/activity';
import { z } from 'zod';
import { OvirtConflictError, OvirtError } from '../ovirt/errors';
import type { OvirtClient } from '../ovirt/client';
import { addExternalJob } from '../ovirt/jobs';
import { collection, Job, Step, type JobStatus } from '../ovirt/representation';
import { flowCorrelationId } from './flow-context';

export type EngineStatus = z.infer<typeof JobStatus>;

export interface EngineJobRef {
  jobId?: string;
  /** Set when the engine refused to mirror for good; the flow goes on without it. */
  lost?: string;
}
export interface EngineStepRef {
  stepId?: string;
  /** Set instead of `stepId` when the job can take no more steps (not STARTED): its status. */
  jobStatus?: EngineStatus;
  lost?: string;
}
export interface EngineEndRef {
  /** The status of the step or job after the end. */
  status?: EngineStatus;
  lost?: string;
}

export async function unlessRefused<T extends object>(
  what: string,
  fn: () => Promise<T>,
): Promise<T | { lost: string }> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OvirtError && !err.retryable) {
      log.warn(`Engine refused to ${what}; the flow goes on without mirroring it`, { error: err.message });
      return { lost: err.message };
    }
    throw err;
  }
}

/** Adds a step (STARTED, as oVirt always adds it) to a job, under a parent step if given. */
export async function addEngineStep(
  ovirt: OvirtClient,
  input: { jobId: string; description: string; type?: string; parentStepId?: string },
  correlationId: string,
): Promise<{ stepId: string }> {
  const body = {
    description: input.description,
    type: input.type ?? 'executing',
    ...(input.parentStepId ? { parent_step: { id: input.parentStepId } } : {}),
  };
  const step = await ovirt.post(`/jobs/${input.jobId}/steps`, body, Step, { correlationId });
  return { stepId: step.id };
}

// Step progress is an extension of the built-in engine (real oVirt has no such call): ask once whether it exists.
const Capabilities = z.object({ progress: z.boolean().optional() }).passthrough();

export function createEngineJobActivities(ovirt: OvirtClient) {
  let progressSupported: Promise<boolean> | undefined;
  const supportsProgress = () =>
    (progressSupported ??= ovirt
      .get('/builtin/capabilities', Capabilities, { outsideApi: true })
      .then((c) => c.progress === true)
      .catch((err) => {
        if (err instanceof OvirtError && err.status === 404) return false;
        progressSupported = undefined; // unknown yet: ask again next time
        throw err;
      }));

  return {
    /** Finds the flow's external job by correlation id, or creates it. */
    async ensureEngineJob({ description }: { description: string }): Promise<EngineJobRef> {
      const correlationId = flowCorrelationId();
      return unlessRefused('create the job', async () => {
        const jobs = await ovirt.get('/jobs', collection('job', Job), {
          query: { search: `correlation_id=${correlationId}` },
          correlationId,
        });
        // Other calls of the flow carry the same correlation id, so real oVirt may list its own jobs too.
        const existing = jobs.find((j) => j.external !== false && j.description === description);
        if (existing) return { jobId: existing.id };
        return { jobId: await addExternalJob(ovirt, description, { correlationId }) };
      });
    },

    /**
     * Finds a step by its (deterministic) description under its parent, or creates it. Only in a STARTED job (or a
     * FAILED one when the flow failed it itself, `jobMayHaveFailed`): a job the engine turned UNKNOWN on restart, or
     * that an admin ended, is answered with its status so the flow opens a continuation job instead.
     */
    async ensureEngineStep(input: {
      jobId: string;
      parentStepId?: string;
      description: string;
      jobMayHaveFailed?: boolean;
      /** oVirt's step type. @default 'executing' */
      type?: string;
      /** How many earlier siblings have the same description (a vendor may add "Copy chunk" three times). @default 0 */
      occurrence?: number;
    }): Promise<EngineStepRef> {
      const correlationId = flowCorrelationId();
      return unlessRefused('add the step', async () => {
        const job = await ovirt.get(`/jobs/${input.jobId}`, Job, { correlationId });
        if (job.status !== 'started' && !(job.status === 'failed' && input.jobMayHaveFailed))
          return { jobStatus: job.status };
        const steps = await ovirt.get(`/jobs/${input.jobId}/steps`, collection('step', Step), { correlationId });
        const existing = steps
          .filter((s) => s.description === input.description && s.parent_step?.id === input.parentStepId)
          .sort((a, b) => Number(a.number ?? 0) - Number(b.number ?? 0))[input.occurrence ?? 0];
        if (existing) return { stepId: existing.id };
        return addEngineStep(ovirt, input, correlationId);
      });
    },

    /**
     * Ends a step and answers the status it has then. oVirt keeps a step it turned UNKNOWN on restart as it is (the
     * end is accepted but changes nothing), so `unknown` here means the end was refused: the flow mirrors the step
     * again in a continuation job rather than retrying.
     */
    async endEngineStep(input: { jobId: string; stepId: string; succeeded: boolean }): Promise<EngineEndRef> {
      const correlationId = flowCorrelationId();
      return unlessRefused('end the step', async () => {
        await ovirt.action(
          `/jobs/${input.jobId}/steps/${input.stepId}/end`,
          { succeeded: input.succeeded },
          { correlationId },
        );
        const step = await ovirt.get(`/jobs/${input.jobId}/steps/${input.stepId}`, Step, { correlationId });
        return { status: step.status };
      });
    },

    /**
     * Shows a step's progress where the engine supports it (the built-in engine); a no-op on real oVirt. A step that
     * is no longer STARTED refuses it (409): answered with the step's status (`unknown`: the engine restarted).
     */
    async setEngineStepProgress(input: {
      jobId: string;
      stepId: string;
      progress: number;
    }): Promise<{ lost?: string; stepStatus?: EngineStatus }> {
      if (!(await supportsProgress())) return {};
      const correlationId = flowCorrelationId();
      return unlessRefused('set the progress', async () => {
        try {
          await ovirt.put(
            `/builtin/jobs/${input.jobId}/steps/${input.stepId}/progress`,
            { progress: Math.round(input.progress) },
            z.unknown(),
            { outsideApi: true, correlationId },
          );
          return {};
        } catch (err) {
          if (!(err instanceof OvirtConflictError)) throw err;
          const step = await ovirt.get(`/jobs/${input.jobId}/steps/${input.stepId}`, Step, { correlationId });
          return { stepStatus: step.status };
        }
      });
    },

    /** Ends the job and answers the status it has then (`unknown`: the engine restarted, the end changed nothing). */
    async endEngineJob(input: { jobId: string; succeeded: boolean }): Promise<EngineEndRef> {
      const correlationId = flowCorrelationId();
      return unlessRefused('end the job', async () => {
        await ovirt.action(`/jobs/${input.jobId}/end`, { succeeded: input.succeeded }, { correlationId });
        const job = await ovirt.get(`/jobs/${input.jobId}`, Job, { correlationId });
        return { status: job.status };
      });
    },
  };
}

export type EngineJobActivities = ReturnType<typeof createEngineJobActivities>;
