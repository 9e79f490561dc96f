// What the CLI shows of a flow besides its steps: the engine job once it is known (the start answer has none yet),
// the flow's notice while no worker answers, in `clone --wait` and in `flows show`.
import type { FlowDocument } from '../../cli/api/client';
import { followNotes } from '../../cli/api/follow';
import { flowLines } from '../../cli/commands/flows';

const doc = (over: Partial<FlowDocument>): FlowDocument => ({
  id: 'rapid-clone-web-01-1a2b3c4d',
  kind: 'rapid-clone',
  status: 'running',
  startedAt: '2025-05-01T10:00:00.000Z',
  closedAt: null,
  input: { sourceVm: 'web-01', cloneName: 'web-01-clone' },
  result: null,
  error: null,
  engineJobId: null,
  engineJobIds: [],
  steps: [],
  stepsSource: 'workflow',
  notice: null,
  links: { self: '/api/v1/flows/rapid-clone-web-01-1a2b3c4d' },
  ...over,
});

const NOTICE = 'No worker answered within 500 ms: the steps were read from the engine job and may lag behind the flow.';

test('the follower prints the engine job once it appears, and each change of the notice', () => {
  const notes = followNotes({ engineJobId: null });
  expect(notes(doc({}))).toEqual([]);
  const withJob = {
    engineJobId: 'j1',
    engineJobIds: ['j1'],
    links: { self: '/f', engineTasks: 'http://engine/tasks#job-j1' },
  };
  expect(notes(doc(withJob))).toEqual(['  Engine job:   j1  http://engine/tasks#job-j1']);
  expect(notes(doc(withJob))).toEqual([]);
  expect(notes(doc({ ...withJob, stepsSource: 'engine', notice: NOTICE }))).toEqual([`! ${NOTICE}`]);
  expect(notes(doc({ ...withJob, stepsSource: 'engine', notice: NOTICE }))).toEqual([]);
  expect(notes(doc(withJob))).toEqual(['  A worker answers again: the steps are live.']);
  // Known from the start: not printed twice.
  expect(followNotes({ engineJobId: 'j1' })(doc(withJob))).toEqual([]);
});

test('flows show prints the notice, every engine job, and where the steps come from', () => {
  const lines = flowLines(
    doc({
      engineJobId: 'j2',
      engineJobIds: ['j1', 'j2'],
      stepsSource: 'engine',
      notice: NOTICE,
      steps: [{ key: 's1', description: 'Shut down VM web-01', kind: 'ovirt', status: 'unknown', children: [] }],
    }),
    'http://127.0.0.1:8080',
    { now: Date.parse('2025-05-01T10:00:05.000Z') },
  );
  expect(lines).toEqual(
    expect.arrayContaining([
      '  Engine job:   j2',
      '  Engine jobs:  j1, j2 (oldest first)',
      `  Notice:       ${NOTICE}`,
      'Steps: (read from the engine, may lag)',
      '  ? Shut down VM web-01',
    ]),
  );
});
