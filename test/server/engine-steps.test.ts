// The step tree read from the engine when no worker answers: nesting, order, status and kind, continuation jobs.
import type { Step } from '../../ovirt/representation';
import { engineStepTree } from '../../server/flows/engine-steps';

const step = (id: string, description: string, status: Step['status'], more: Partial<Step> = {}): Step => ({
  id,
  description,
  status,
  ...more,
});

test('steps nest by parent, in order of number then start time, with statuses and kinds mapped', () => {
  const tree = engineStepTree(
    [
      {
        jobId: 'j1',
        steps: [
          step('c', 'acme-storage: clone disk d1 as d1-clone', 'started', {
            number: 3,
            progress: 40,
            start_time: 3000,
          }),
          step('a', 'Read VM web-01', 'finished', { number: 1, start_time: 1000, end_time: 1500 }),
          step('b', 'Shut down VM web-01', 'unknown', { number: 2, start_time: 2000 }),
          step('c2', 'Copy the volume', 'finished', { number: 2, parent_step: { id: 'c' } }),
          step('c1', 'Snapshot the volume', 'finished', { number: 1, parent_step: { id: 'c' } }),
          step('u', 'Undo: start VM web-01 again', 'aborted', { number: 4 }),
          step('f', 'Failed: the array said no', 'failed', { number: 5 }),
        ],
      },
    ],
    'acme-storage',
  );
  expect(tree.map((s) => [s.key, s.description, s.kind, s.status])).toEqual([
    ['s1', 'Read VM web-01', 'ovirt', 'finished'],
    ['s2', 'Shut down VM web-01', 'ovirt', 'unknown'],
    ['s3', 'acme-storage: clone disk d1 as d1-clone', 'external', 'running'],
    ['s4', 'Undo: start VM web-01 again', 'compensation', 'failed'],
    ['s5', 'Failed: the array said no', 'compensation', 'failed'],
  ]);
  expect(tree[0]).toMatchObject({
    startedAt: new Date(1000).toISOString(),
    endedAt: new Date(1500).toISOString(),
    engineStepId: 'a',
    engineJobId: 'j1',
  });
  expect(tree[2]!.progress).toBe(40);
  expect(tree[2]!.children.map((c) => [c.key, c.description, c.kind])).toEqual([
    ['s3.1', 'Snapshot the volume', 'external'],
    ['s3.2', 'Copy the volume', 'external'],
  ]);
});

test("a continuation job's step replaces the earlier job's step of the same description under the same parent", () => {
  const tree = engineStepTree(
    [
      {
        jobId: 'j1',
        steps: [
          step('a', 'Read VM web-01', 'finished', { number: 1 }),
          step('b', 'Shut down VM web-01', 'unknown', { number: 2 }),
        ],
      },
      {
        jobId: 'j2',
        steps: [
          step('x', 'Shut down VM web-01', 'finished', { number: 1 }),
          step('y', 'Merge the snapshots', 'started', { number: 2 }),
        ],
      },
    ],
    'acme-storage',
  );
  expect(tree.map((s) => [s.key, s.description, s.status, s.engineJobId, s.engineStepId])).toEqual([
    ['s1', 'Read VM web-01', 'finished', 'j1', 'a'],
    ['s2', 'Shut down VM web-01', 'finished', 'j2', 'x'],
    ['s3', 'Merge the snapshots', 'running', 'j2', 'y'],
  ]);
});

test('no steps, no tree', () => {
  expect(engineStepTree([{ jobId: 'j1', steps: [] }])).toEqual([]);
});
