// A bulk clone's pool read from flow documents (common/bulk-clone-pool.ts, shared with the flow page) and the CLI's
// lines for it, as pure functions: each VM's state from its step or its outcome, a line per change, the summary.
import { poolCounts, poolNames, poolVms } from '../../common/bulk-clone-pool';
import type { FlowDocument } from '../../cli/api/client';
import { PoolProgress, poolSucceeded, poolSummaryLines, vmEventLines } from '../../cli/api/pool-progress';

const T0 = Date.parse('2025-05-01T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
type Step = FlowDocument['steps'][number];
const step = (key: string, description: string, status: Step['status'], extra: Partial<Step> = {}): Step => ({
  key,
  description,
  kind: 'ovirt',
  status,
  children: [],
  ...extra,
});
const flow = (extra: Partial<FlowDocument>): FlowDocument => ({
  id: 'bulk-clone-web-01-1a2b3c4d',
  kind: 'bulk-clone',
  status: 'running',
  startedAt: at(0),
  closedAt: null,
  input: { sourceVm: 'web-01', prefix: 'p-', count: 3 },
  result: null,
  error: null,
  engineJobId: null,
  engineJobIds: [],
  steps: [],
  stepsSource: 'workflow',
  notice: null,
  links: { self: '/api/v1/flows/bulk-clone-web-01-1a2b3c4d' },
  ...extra,
});

test('poolNames numbers as wide as the count', () => {
  expect(poolNames('pool-', 3)).toEqual(['pool-1', 'pool-2', 'pool-3']);
  expect(poolNames('pool-', 12).slice(0, 2)).toEqual(['pool-01', 'pool-02']);
  expect(poolNames('pool-', 100).at(-1)).toBe('pool-100');
});

test("each VM's state while the pool runs: its step by key, or by description in a tree read from the engine", () => {
  const running = flow({
    steps: [
      step('s1', 'Merge the snapshots of web-01 (coalesce its disks)', 'finished'),
      step('vm1', 'Clone web-01 as p-1', 'finished', { startedAt: at(1), endedAt: at(5) }),
      step('s9', 'Clone web-01 as p-2', 'running'),
    ],
  });
  const vms = poolVms(running);
  expect(vms.map((vm) => [vm.name, vm.status])).toEqual([
    ['p-1', 'completed'],
    ['p-2', 'running'],
    ['p-3', 'waiting'],
  ]);
  expect(poolCounts(vms)).toEqual({ total: 3, completed: 1, running: 1, failed: 0 });

  const shown = new Map();
  expect(vmEventLines(shown, vms, T0)).toEqual(['✓ built     p-1 (4.0s)', '▶ building  p-2']);
  expect(vmEventLines(shown, vms, T0)).toEqual([]); // nothing changed, nothing said
});

test('a closed flow: the outcomes of its result; without one (undo-all failed), what its steps and input say', () => {
  const done = flow({
    status: 'completed',
    closedAt: at(30),
    result: {
      completed: 2,
      failed: 1,
      vms: [
        { name: 'p-1', status: 'completed', vmId: 'v1' },
        { name: 'p-2', status: 'failed', error: 'the array refuses to clone into p-2' },
        { name: 'p-3', status: 'completed', vmId: 'v3' },
      ],
    },
  });
  expect(poolSucceeded(done)).toBe(false);
  expect(poolSummaryLines(done, T0)).toEqual([
    '✗ Bulk clone bulk-clone-web-01-1a2b3c4d completed: 2 of 3 VMs built from web-01, 1 failed, in 30s.',
    '  Built: p-1, p-3',
    '  Failed: p-2: the array refuses to clone into p-2',
  ]);

  const undone = flow({
    status: 'failed',
    closedAt: at(20),
    input: { sourceVm: 'web-01', names: ['a', 'b', 'c'], onFailure: 'undo-all' },
    error: 'Bulk clone of web-01 failed: 1 of 3 VMs failed (b), so all are undone.',
    steps: [step('vm1', 'Clone web-01 as a', 'finished'), step('vm2', 'Clone web-01 as b', 'failed')],
  });
  expect(poolVms(undone).map((vm) => vm.status)).toEqual(['undone', 'failed', 'not started']);
  expect(poolSummaryLines(undone, T0).slice(1)).toEqual([
    '  Failed: b',
    '  Undone: a',
    '  Not started: c',
    '  Error: Bulk clone of web-01 failed: 1 of 3 VMs failed (b), so all are undone.',
  ]);
});

test("the lines of one update read in the flow's order: its steps before the pool, the VMs, its steps after", () => {
  const out: string[] = [];
  const view = new PoolProgress({ write: (text: string) => out.push(text) } as never);
  const vm = (n: number, status: Step['status']) =>
    step(`vm${n}`, `Clone web-01 as p-${n}`, status, {
      startedAt: at(4),
      ...(status === 'finished' ? { endedAt: at(9) } : {}),
    });
  const read = step('read', 'Read VM web-01', 'finished', { startedAt: at(0), endedAt: at(1) });
  view.update(flow({ steps: [read, step('shutdown', 'Shut down VM web-01', 'running', { startedAt: at(1) })] }));
  // Between two reads the source went down, every VM was built and the source is being started again.
  view.update(
    flow({
      steps: [
        read,
        step('shutdown', 'Shut down VM web-01', 'finished', { startedAt: at(1), endedAt: at(3) }),
        vm(1, 'finished'),
        vm(2, 'finished'),
        vm(3, 'finished'),
        step('restart', 'Start VM web-01 again', 'running', { startedAt: at(9) }),
      ],
    }),
  );
  expect(out.join('').trimEnd().split('\n')).toEqual([
    '✓ finished  Read VM web-01 (1.0s)',
    '▶ started   Shut down VM web-01',
    '✓ finished  Shut down VM web-01 (2.0s)',
    '✓ built     p-1 (5.0s)',
    '✓ built     p-2 (5.0s)',
    '✓ built     p-3 (5.0s)',
    '▶ started   Start VM web-01 again',
  ]);
});
