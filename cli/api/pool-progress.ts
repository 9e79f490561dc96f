// A bulk clone followed in the terminal: a line for each of the flow's own steps (read, shut down, merge the source)
// and one per VM each time its state changes, then a summary: the VMs built, and each failed one with its reason.
// Lines are appended, never redrawn: a pool of 100 VMs would not fit a screen anyway.
import { poolCounts, poolVms, type PoolVm, type PoolVmStatus } from '../../common/bulk-clone-pool';
import { durationBetween } from '../../common/duration';
import type { FlowDocument } from './client';
import type { FlowView, ReportOptions } from './follow';
import { stepEventLines, type OutputStream } from './progress';

const VM_WORDS: Partial<Record<PoolVmStatus, string>> = {
  running: '▶ building ',
  completed: '✓ built    ',
  failed: '✗ failed   ',
  undone: '↺ undone   ',
  cancelled: '⊘ cancelled',
};

/** Every VM was built (the flow completes with failed VMs too under keep-completed). */
export const poolSucceeded = (flow: FlowDocument) =>
  flow.status === 'completed' && poolVms(flow).every((vm) => vm.status === 'completed');

/** How `--wait` follows a flow of this kind: a pool as a line per VM, any other flow as its step tree. */
export const followOptionsFor = (kind: string): Pick<ReportOptions, 'view' | 'succeeded'> =>
  kind === 'bulk-clone' ? { view: (out) => new PoolProgress(out), succeeded: poolSucceeded } : {};

/** The lines of the VMs whose state changed since `before` (name -> status last shown). */
export function vmEventLines(before: Map<string, PoolVmStatus>, vms: readonly PoolVm[], now: number): string[] {
  const lines: string[] = [];
  for (const vm of vms) {
    if (before.get(vm.name) === vm.status) continue;
    before.set(vm.name, vm.status);
    const words = VM_WORDS[vm.status];
    if (!words) continue;
    const took = vm.status === 'completed' ? durationBetween(vm.step?.startedAt, vm.step?.endedAt, now) : '';
    // The reason goes in the summary only: it is known once the flow has ended, so a line seen while the flow runs
    // could not carry it, and the same failure must read the same whenever it is seen.
    lines.push(`${words} ${vm.name}${took ? ` (${took})` : ''}`);
  }
  return lines;
}

/** The outcome: how many VMs were built, each failed one with its reason, the others by what became of them. */
export function poolSummaryLines(flow: FlowDocument, now = Date.now()): string[] {
  const vms = poolVms(flow);
  const counts = poolCounts(vms);
  const took = durationBetween(flow.startedAt, flow.closedAt, now);
  const ok = poolSucceeded(flow);
  const input = (flow.input ?? {}) as { sourceVm?: string };
  const lines = [
    `${ok ? '✓' : '✗'} Bulk clone ${flow.id} ${flow.status}: ${counts.completed} of ${counts.total} VMs built` +
      `${input.sourceVm ? ` from ${input.sourceVm}` : ''}, ${counts.failed} failed, in ${took}.`,
  ];
  const named = (status: PoolVmStatus) => vms.filter((vm) => vm.status === status).map((vm) => vm.name);
  if (counts.completed) lines.push(`  Built: ${named('completed').join(', ')}`);
  for (const vm of vms.filter((v) => v.status === 'failed'))
    lines.push(`  Failed: ${vm.name}${vm.error ? `: ${vm.error}` : ''}`);
  for (const [status, words] of [
    ['undone', 'Undone'],
    ['cancelled', 'Cancelled'],
    ['not started', 'Not started'],
  ] as const) {
    if (named(status).length) lines.push(`  ${words}: ${named(status).join(', ')}`);
  }
  if (flow.error) lines.push(`  Error: ${flow.error}`);
  return lines;
}

/** Shows a bulk clone as appended lines (see the file's head). */
export class PoolProgress implements FlowView {
  private readonly shown = new Map<string, PoolVmStatus>();
  private lastOwnSteps: FlowDocument['steps'] | undefined;
  private stopped = false;

  constructor(private readonly out: OutputStream) {}

  update(flow: FlowDocument): void {
    if (this.stopped) return;
    const now = flow.closedAt ? Date.parse(flow.closedAt) : Date.now();
    const vms = poolVms(flow);
    const vmSteps = new Set(vms.map((vm) => vm.step));
    // The flow's own steps before the pool (shut down, merge) read before the VMs' lines, those after it (start the
    // source again) after them, however many changes one update brings.
    const firstVm = flow.steps.findIndex((s) => vmSteps.has(s));
    const split = firstVm < 0 ? flow.steps.length : firstVm;
    const before = flow.steps.slice(0, split);
    const after = flow.steps.slice(split).filter((s) => !vmSteps.has(s));
    const lines = [
      ...stepEventLines(this.lastOwnSteps, before, now),
      ...vmEventLines(this.shown, vms, now),
      ...stepEventLines(this.lastOwnSteps, after, now),
    ];
    this.lastOwnSteps = [...before, ...after];
    for (const line of lines) this.out.write(line + '\n');
  }

  note(text: string): void {
    if (!this.stopped) this.out.write(text + '\n');
  }

  finish(flow: FlowDocument): void {
    this.update(flow);
    this.stop();
    for (const line of poolSummaryLines(flow)) this.out.write(line + '\n');
  }

  stop(): void {
    this.stopped = true;
  }
}
