// A flow's step tree as the engine knows it, for when no worker can answer the workflow's progress query: the
// steps of each of the flow's engine jobs, nested by parent step, in the order they were added. The engine does not
// know a step's kind, so it is inferred from the descriptions the workflows write.
import type { Step } from '../../ovirt/representation';
import type { FlowStep, StepKind, StepStatus } from '../../common/flow-definitions';

export interface EngineJobSteps {
  jobId: string;
  steps: readonly Step[];
}

const STATUS: Record<Step['status'], StepStatus> = {
  started: 'running',
  finished: 'finished',
  failed: 'failed',
  unknown: 'unknown',
  // oVirt aborts the steps of a job that ended while they ran: they did not get done.
  aborted: 'failed',
};

const iso = (t: number | undefined) => (t === undefined || Number.isNaN(t) ? undefined : new Date(t).toISOString());

function kindOf(description: string, vendor: string | undefined, parentKind: StepKind | undefined): StepKind {
  if (description.startsWith('Undo: ') || description.startsWith('Failed: ')) return 'compensation';
  if (parentKind === 'external' || (vendor && description.startsWith(`${vendor}: `))) return 'external';
  return 'ovirt';
}

const order = (a: Step, b: Step) =>
  (a.number ?? Infinity) - (b.number ?? Infinity) || (a.start_time ?? 0) - (b.start_time ?? 0);

/** One job's steps as a tree (keys are assigned once every job is merged). */
function jobTree(job: EngineJobSteps, vendor: string | undefined): FlowStep[] {
  const byParent = new Map<string | undefined, Step[]>();
  const ids = new Set(job.steps.map((s) => s.id));
  for (const step of job.steps) {
    // A parent the engine no longer lists: show the step at the top rather than lose it.
    const parent = step.parent_step && ids.has(step.parent_step.id) ? step.parent_step.id : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), step]);
  }
  const build = (parent: string | undefined, parentKind: StepKind | undefined): FlowStep[] =>
    (byParent.get(parent) ?? []).sort(order).map((s) => {
      const kind = kindOf(s.description, vendor, parentKind);
      return {
        key: '',
        description: s.description,
        kind,
        status: STATUS[s.status],
        ...(s.progress !== undefined ? { progress: s.progress } : {}),
        ...(iso(s.start_time) ? { startedAt: iso(s.start_time) } : {}),
        ...(iso(s.end_time) ? { endedAt: iso(s.end_time) } : {}),
        engineStepId: s.id,
        engineJobId: job.jobId,
        children: build(s.id, kind),
      };
    });
  return build(undefined, undefined);
}

/** Adds `later` into `into`: a step with the same description under the same parent is replaced by the later one. */
function merge(into: FlowStep[], later: readonly FlowStep[]): void {
  for (const step of later) {
    const i = into.findIndex((s) => s.description === step.description);
    if (i < 0) {
      into.push(step);
      continue;
    }
    const children = into[i]!.children;
    merge(children, step.children);
    into[i] = { ...step, children };
  }
}

function assignKeys(steps: FlowStep[], parent?: string): void {
  steps.forEach((s, i) => {
    s.key = parent ? `${parent}.${i + 1}` : `s${i + 1}`;
    assignKeys(s.children, s.key);
  });
}

/**
 * The step tree of a flow from its engine jobs, oldest job first; a continuation job's step replaces the step of
 * the same description under the same parent. `vendor` (the flow's Vendor search attribute) marks external steps.
 */
export function engineStepTree(jobs: readonly EngineJobSteps[], vendor?: string): FlowStep[] {
  const steps: FlowStep[] = [];
  for (const job of jobs) merge(steps, jobTree(job, vendor));
  assignKeys(steps);
  return steps;
}
