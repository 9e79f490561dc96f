// Jobs and steps in oVirt's representation (see ../representation.ts).
import { actions, bool, compact, date, href, int, links, ref } from '../representation';
import type { Entity } from '../representation';
import type { JobRow, StepRow } from './store';

export const jobPath = (id: string): string => `/jobs/${id}`;
export const stepPath = (jobId: string, stepId: string): string => `/jobs/${jobId}/steps/${stepId}`;

export function jobModel(job: JobRow): Entity {
  const path = jobPath(job.id);
  return compact({
    actions: actions(path, ['clear', 'end']),
    description: job.description,
    status: job.status,
    external: bool(job.external),
    auto_cleared: bool(job.auto_cleared),
    start_time: date(job.start_time),
    end_time: date(job.end_time),
    last_updated: date(job.last_updated),
    owner: job.owner_id ? ref(`/users/${job.owner_id}`, job.owner_id) : undefined,
    link: links(path, ['steps']),
    href: href(path),
    id: job.id,
  });
}

export function stepModel(step: StepRow): Entity {
  const path = stepPath(step.job_id, step.id);
  return compact({
    actions: actions(path, ['end']),
    description: step.description,
    type: step.type,
    number: int(step.number),
    status: step.status,
    start_time: date(step.start_time),
    end_time: date(step.end_time),
    external: bool(step.external),
    external_type: step.external_type ?? undefined,
    progress: int(step.progress),
    job: ref(jobPath(step.job_id), step.job_id),
    parent_step: step.parent_step_id ? ref(stepPath(step.job_id, step.parent_step_id), step.parent_step_id) : undefined,
    execution_host: step.execution_host_id
      ? ref(`/hosts/${step.execution_host_id}`, step.execution_host_id)
      : undefined,
    href: href(path),
    id: step.id,
  });
}
