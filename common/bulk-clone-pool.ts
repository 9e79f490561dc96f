// A bulk clone's pool as its readers see it: the names from a prefix and a count, and each VM's state read from the
// flow document (its step in the flow's tree while it runs, its outcome once the flow completed). The server, the
// CLI and the flow page (as /assets/lib/bulk-clone-pool.js, see common/browser-modules.ts) share it, so it imports
// nothing.

/** `pool-` x 12 -> pool-01 ... pool-12 (the numbers as wide as the count, so the names sort). */
export const poolNames = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(String(count).length, '0')}`);

/** Where a VM of the pool is: `waiting` for its turn, or its outcome's status (`completed` once built). */
export type PoolVmStatus = 'waiting' | 'running' | 'completed' | 'failed' | 'undone' | 'cancelled' | 'not started';

export interface PoolVmStep {
  key: string;
  description: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
}

export interface PoolVm {
  name: string;
  status: PoolVmStatus;
  /** The VM's step in the flow's tree, once it began. */
  step?: PoolVmStep;
  vmId?: string;
  error?: string;
}

/** The fields of a flow document (GET /api/v1/flows/{id}) the pool is read from. */
export interface PoolFlow {
  status: string;
  input?: unknown;
  result?: unknown;
  steps: readonly PoolVmStep[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The pool's names as the flow was asked for them (a list, or a prefix and a count); [] for another kind's input. */
export function poolNamesOf(input: unknown): string[] {
  if (!isRecord(input)) return [];
  if (Array.isArray(input.names)) return input.names.filter((n): n is string => typeof n === 'string');
  if (typeof input.prefix === 'string' && typeof input.count === 'number') return poolNames(input.prefix, input.count);
  return [];
}

/**
 * Each VM of the pool, in the order of its names. A VM's step is keyed `vm<n>` in the workflow's tree; a tree read
 * from the engine has other keys, so the step is also found by its description ("Clone web-01 as pool-07").
 */
export function poolVms(flow: PoolFlow): PoolVm[] {
  const names = poolNamesOf(flow.input);
  const outcomes = isRecord(flow.result) && Array.isArray(flow.result.vms) ? flow.result.vms : [];
  const undoAll = isRecord(flow.input) && flow.input.onFailure === 'undo-all';
  const closed = flow.status !== 'running';
  return names.map((name, i) => {
    const step =
      flow.steps.find((s) => s.key === `vm${i + 1}`) ?? flow.steps.find((s) => s.description.endsWith(` as ${name}`));
    const outcome = outcomes.find((o): o is Record<string, unknown> => isRecord(o) && o.name === name);
    if (outcome && typeof outcome.status === 'string') {
      return {
        name,
        status: outcome.status as PoolVmStatus,
        step,
        ...(typeof outcome.vmId === 'string' ? { vmId: outcome.vmId } : {}),
        ...(typeof outcome.error === 'string' ? { error: outcome.error } : {}),
      };
    }
    // No outcome: the flow runs, or it failed or was cancelled (its outcomes are in its error, not its result).
    let status: PoolVmStatus = closed ? 'not started' : 'waiting';
    if (step?.status === 'running') status = closed ? 'cancelled' : 'running';
    if (step?.status === 'finished') status = closed && flow.status !== 'completed' && undoAll ? 'undone' : 'completed';
    if (step?.status === 'failed') status = flow.status === 'cancelled' ? 'cancelled' : 'failed';
    return { name, status, step };
  });
}

/** How many VMs are built, being built and failed (the rest wait, or were undone, cancelled or never begun). */
export function poolCounts(vms: readonly PoolVm[]) {
  const count = (status: PoolVmStatus) => vms.filter((vm) => vm.status === status).length;
  return { total: vms.length, completed: count('completed'), running: count('running'), failed: count('failed') };
}
