// The terminal renderer as pure functions: step tree -> lines (TTY), tree changes -> appended lines (plain),
// flow -> outcome; and LiveProgress's writes in both modes.
import type { FlowStepShape as FlowStep } from '../../server/flows/schemas';
import { formatDuration } from '../../common/duration';
import {
  LiveProgress,
  outcomeLines,
  progressBar,
  stepEventLines,
  stepLines,
  type RenderedFlow,
} from '../../cli/api/progress';

const ESC = String.fromCharCode(27);
const T0 = Date.parse('2025-05-01T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const step = (
  key: string,
  description: string,
  status: FlowStep['status'],
  extra: Partial<FlowStep> = {},
): FlowStep => ({
  key,
  description,
  kind: 'ovirt',
  status,
  children: [],
  ...extra,
});

const tree = (): FlowStep[] => [
  step('1', 'Read VM web-01', 'finished', { startedAt: at(0), endedAt: at(0.4) }),
  step('2', 'acme-storage: clone disk web-01_Disk1', 'running', {
    kind: 'external',
    startedAt: at(1),
    progress: 40,
    children: [
      step('2.1', 'Snapshot volume', 'finished', { kind: 'external', startedAt: at(1), endedAt: at(3) }),
      step('2.2', 'Copy 20 GiB', 'running', { kind: 'external', startedAt: at(3), progress: 55 }),
    ],
  }),
  step('3', 'Register disk', 'pending'),
];

const flow = (over: Partial<RenderedFlow>): RenderedFlow => ({
  id: 'rapid-clone-web-01-1a2b3c4d',
  kind: 'rapid-clone',
  status: 'running',
  startedAt: at(0),
  closedAt: null,
  error: null,
  steps: tree(),
  ...over,
});

test('durations and progress bars', () => {
  expect([850, 9_970, 12_400, 65_000, 3_720_000, -5].map(formatDuration)).toEqual([
    '0.8s',
    '9.9s',
    '12s',
    '1m 05s',
    '1h 02m',
    '0.0s',
  ]);
  expect(progressBar(42, 10)).toBe('[████░░░░░░]  42%');
  expect(progressBar(150, 4)).toBe('[████] 100%');
});

test('the tree: one line per step, children indented, duration, a bar for running steps with progress', () => {
  expect(stepLines(tree(), { now: T0 + 10_000 })).toEqual([
    '✓ Read VM web-01                            0.4s',
    '▶ acme-storage: clone disk web-01_Disk1     9.0s  [████████░░░░░░░░░░░░]  40%',
    '  ✓ Snapshot volume                         2.0s',
    '  ▶ Copy 20 GiB                             7.0s  [███████████░░░░░░░░░]  55%',
    '○ Register disk',
  ]);
});

test('TTY extras: a spinner frame for running steps, coloured icons, lines cut to the width', () => {
  const lines = stepLines(tree(), { now: T0 + 10_000, frame: 1, color: true, width: 30 });
  expect(lines[0]).toBe('\x1b[32m✓\x1b[0m Read VM web-01             …');
  expect(lines[1]!.startsWith('\x1b[36m⠙\x1b[0m acme-storage')).toBe(true);
  expect(lines[4]).toBe('\x1b[2m○ Register disk\x1b[0m');
  const visible = lines.map((l) => l.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), ''));
  expect(Math.max(...visible.map((l) => l.length))).toBeLessThanOrEqual(30);
});

test('plain mode: a line when a step starts and one when it ends, nothing for unchanged steps', () => {
  const first = [step('1', 'Read VM web-01', 'running', { startedAt: at(0) })];
  expect(stepEventLines(undefined, first, T0)).toEqual(['▶ started   Read VM web-01']);
  expect(stepEventLines(first, first, T0 + 1000)).toEqual([]);
  const next = tree();
  expect(stepEventLines(first, next, T0 + 10_000)).toEqual([
    '✓ finished  Read VM web-01 (0.4s)',
    '▶ started   acme-storage: clone disk web-01_Disk1',
    // started and ended between two updates: its end line alone
    '✓ finished    Snapshot volume (2.0s)',
    '▶ started     Copy 20 GiB',
  ]);
  const failed = tree();
  failed[1]!.status = 'failed';
  failed[1]!.endedAt = at(12);
  failed.push(
    step('4', 'Undo: Start VM web-01 again', 'finished', { kind: 'compensation', startedAt: at(12), endedAt: at(13) }),
  );
  expect(stepEventLines(next, failed, T0 + 14_000)).toEqual([
    '✗ failed    acme-storage: clone disk web-01_Disk1 (11s)',
    '✓ finished  Undo: Start VM web-01 again (1.0s)',
  ]);
});

test('the outcome in plain words', () => {
  expect(
    outcomeLines(
      flow({ status: 'completed', closedAt: at(14), result: { cloneName: 'web-01-clone', cloneVmId: 'a-b-c' } }),
    ),
  ).toEqual(['✓ Clone web-01-clone is ready (VM id a-b-c), in 14s.']);
  const failedTree = tree();
  failedTree[1]!.status = 'failed';
  failedTree.push(step('4', 'Failed: the array is full', 'failed', { kind: 'compensation' }));
  expect(
    outcomeLines(flow({ status: 'failed', closedAt: at(20), error: 'the array is full', steps: failedTree })),
  ).toEqual([
    '✗ rapid-clone rapid-clone-web-01-1a2b3c4d failed after 20s.',
    '  Error: the array is full',
    '  Failed step: acme-storage: clone disk web-01_Disk1',
  ]);
  expect(outcomeLines(flow({ status: 'cancelled', closedAt: at(5), steps: [] }))).toEqual([
    '✗ rapid-clone rapid-clone-web-01-1a2b3c4d was cancelled after 5.0s.',
  ]);
  expect(
    outcomeLines(flow({ status: 'completed', kind: 'clone-preflight', closedAt: at(2), result: { ok: true } }))[0],
  ).toBe('✓ clone-preflight rapid-clone-web-01-1a2b3c4d completed, in 2.0s.');
});

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 120, write: (t: string) => writes.push(t) } };
}

test('LiveProgress on a TTY redraws in place: cursor up over the last drawing, lines cleared', () => {
  const { writes, stream } = fakeStream(true);
  const live = new LiveProgress(stream, { now: () => T0 + 10_000, tickMs: 60_000 });
  live.update(flow({}));
  live.update(flow({}));
  live.finish(flow({ status: 'completed', closedAt: at(14), result: { cloneName: 'c1', cloneVmId: 'id1' } }));
  expect(writes[0]).toBe('\x1b[?25l');
  expect(writes[1]).not.toContain('\x1b[5F');
  expect(writes[1]!.split('\x1b[2K')).toHaveLength(6); // five steps
  expect(writes[2]!.startsWith('\x1b[5F\x1b[2K')).toBe(true);
  expect(writes[2]!.endsWith('\x1b[J')).toBe(true);
  expect(writes).toContain('\x1b[?25h');
  expect(writes[writes.length - 1]).toBe('✓ Clone c1 is ready (VM id id1), in 14s.\n');
});

test('LiveProgress elsewhere appends plain lines only', () => {
  const { writes, stream } = fakeStream(false);
  const live = new LiveProgress(stream, { now: () => T0 + 10_000 });
  live.update(flow({ steps: [step('1', 'Read VM web-01', 'running', { startedAt: at(0) })] }));
  live.finish(flow({ status: 'completed', closedAt: at(14), result: { cloneName: 'c1', cloneVmId: 'id1' } }));
  expect(writes.join('')).toBe(
    [
      '▶ started   Read VM web-01',
      '✓ finished  Read VM web-01 (0.4s)',
      '▶ started   acme-storage: clone disk web-01_Disk1',
      '✓ finished    Snapshot volume (2.0s)',
      '▶ started     Copy 20 GiB',
      '✓ Clone c1 is ready (VM id id1), in 14s.',
      '',
    ].join('\n'),
  );
});

test('LiveProgress on a screen shorter than the tree shows its latest steps, and the whole tree at the end', () => {
  const { writes, stream } = fakeStream(true);
  const live = new LiveProgress({ ...stream, rows: 5 }, { now: () => T0 + 10_000, tickMs: 60_000 });
  live.update(flow({}));
  expect(writes[1]!.split('\x1b[2K').slice(1)).toEqual([
    '… 3 steps above\n',
    '  ⠙ Copy 20 GiB                             7.0s  [███████████░░░░░░░░░]  55%\n',
    '○ Register disk\n\x1b[J',
  ]);
  live.finish(flow({ status: 'failed', closedAt: at(12) }));
  expect(writes[2]!.startsWith('\x1b[3F')).toBe(true);
  expect(writes[2]!.split('\x1b[2K')).toHaveLength(6);
  expect(writes.filter((w) => w === '\x1b[?25h')).toHaveLength(1);
});

test('a step the engine lost (unknown) gets its own line and icon', () => {
  expect(
    stepEventLines([step('1', 'Shut down VM web-01', 'running')], [step('1', 'Shut down VM web-01', 'unknown')], T0),
  ).toEqual(['? unknown   Shut down VM web-01']);
  expect(stepLines([step('1', 'Shut down VM web-01', 'unknown', { startedAt: at(0) })], { now: T0 + 2000 })[0]).toMatch(
    /^\? Shut down VM web-01 +2\.0s$/,
  );
});

test('LiveProgress notes: a line above the tree, which a TTY redraws below it; plain output just appends', () => {
  const tty = fakeStream(true);
  const live = new LiveProgress(tty.stream, { now: () => T0 + 10_000, tickMs: 60_000 });
  live.update(flow({}));
  live.note('  Engine job:   j1');
  expect(tty.writes[2]).toBe(`${ESC}[5F${ESC}[J  Engine job:   j1\n`);
  expect(tty.writes[3]!.startsWith(`${ESC}[2K`)).toBe(true); // the tree again, below the note, not moved over it
  expect(tty.writes[3]!.split(`${ESC}[2K`)).toHaveLength(6);
  live.stop();
  const plain = fakeStream(false);
  const log = new LiveProgress(plain.stream, { now: () => T0 });
  log.note('  Engine job:   j1');
  expect(plain.writes).toEqual(['  Engine job:   j1\n']);
});
