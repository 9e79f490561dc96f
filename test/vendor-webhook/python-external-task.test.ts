// The Python external-task plug-in example (examples/external-task: the standard library only) as a real process
// against the real API, engine and Temporal: it injects a task with a correlation id, a three-level step tree with
// progress, and ends it FINISHED on the engine and in hybridflow; a rerun with the same correlation id finds the
// task already ended and leaves it alone; its fail option fails a volume and so the task and its engine job; SIGTERM
// mid-work ends the task FAILED before it exits.
import { engineJob, engineSteps } from '../helpers/external-tasks';
import { runPython, type Watched } from '../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import type { Step } from '../../ovirt/representation';

const SCRIPT = 'examples/external-task/external_task.py';

let stack: TestStack;
let apiKey = '';
const running = new Set<Watched>();

beforeAll(async () => {
  stack = await startTestStack('python-external-task');
  apiKey = (await stack.vendors.newKey('acme-storage')).apiKey;
}, 120_000);

afterAll(async () => {
  for (const run of running) {
    const child = run.process;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await run.exited;
  }
  await stack?.stop();
});

/** Runs the plug-in for LUN `lun` (two volumes, a short work time) with its own correlation id. */
function plugIn(lun: number, env: NodeJS.ProcessEnv = {}, args: string[] = []): Watched {
  const run = runPython([SCRIPT, ...args], {
    HF_API_URL: stack.apiUrl,
    HF_VENDOR_KEY: apiKey,
    HF_TASK_LUN: String(lun),
    HF_TASK_VOLUMES: '2',
    HF_TASK_CORRELATION_ID: `test-lun-${lun}`,
    HF_TASK_TIMEOUT: '600',
    HF_WORK_SECONDS: '0.4',
    ...env,
  });
  running.add(run);
  return run;
}

/** The run's exit code; its output in the failure message if it is not `expected`. */
async function exitsWith(run: Watched, expected: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    run.exited,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no exit within 60 s'), 60_000))),
  ]);
  clearTimeout(timer);
  if (code !== expected) throw new Error(`expected exit ${expected}, got ${code}; it printed:\n${run.output()}`);
}

/** A run with long work, once it is at its first extent step (to be stopped there). */
async function working(lun: number): Promise<Watched> {
  const run = plugIn(lun, { HF_WORK_SECONDS: '30' });
  await run.waitFor(/^external-task: step "Copy the extents of volume 1": /m, 30_000);
  return run;
}

const operatorTask = async (id: string) => {
  const res = await stack.api('GET', `/api/v1/external-jobs/${id}`);
  expect(res.status).toBe(200);
  return res.body;
};

/**
 * The task id the plug-in printed when it injected the task, and its engine job id: printed too when the create's
 * answer had it, else (a loaded machine) read from the API once the workflow has opened the job.
 */
async function injected(run: Watched): Promise<{ id: string; jobId: string }> {
  const m = run.output().match(/^external-task: injected task (\S+) ".*" \(correlation id \S+\), engine job (.+)$/m);
  if (!m) throw new Error(`no "injected task" line; it printed:\n${run.output()}`);
  const id = m[1]!;
  const printed = /^[0-9a-f-]{36}$/.test(m[2]!) ? m[2]! : undefined;
  const jobId =
    printed ?? (await eventually(async () => (await operatorTask(id)).engineJobId ?? undefined, 15_000, 'the job'));
  return { id, jobId };
}

interface Node {
  description: string;
  status: string;
  children: Node[];
}
/** The engine job's steps as a tree, each level in the engine's order. */
function tree(steps: Step[], parent?: string): Node[] {
  return steps
    .filter((s) => s.parent_step?.id === parent)
    .sort((a, b) => Number(a.number ?? 0) - Number(b.number ?? 0))
    .map((s) => ({ description: s.description, status: s.status, children: tree(steps, s.id) }));
}

const replicationTree = (lun: number, status: (volume: number) => string, top = 'finished'): Node[] => [
  {
    description: `Replicate 2 volumes of LUN ${lun}`,
    status: top,
    children: [1, 2].map((n) => ({
      description: `Replicate volume ${n}`,
      status: status(n),
      children: [{ description: `Copy the extents of volume ${n}`, status: status(n), children: [] }],
    })),
  },
];

/** Waits until the engine job has `status`, and returns its step tree. */
async function engineJobEnded(jobId: string, status: string): Promise<Node[]> {
  await eventually(
    async () => (await engineJob(stack.ovirt, jobId)).status === status,
    30_000,
    `engine job ${jobId} ${status}`,
  );
  return tree(await engineSteps(stack.ovirt, jobId));
}

test('a run injects the task, mirrors its three-level step tree with progress and ends it FINISHED', async () => {
  const run = plugIn(5);
  await exitsWith(run, 0);
  const { id, jobId } = await injected(run);
  expect(run.output()).toMatch(/^external-task: volume 2: 100%$/m);
  expect(run.output()).toMatch(new RegExp(`^external-task: task ${id}: ended FINISHED, engine job ${jobId}$`, 'm'));

  expect(await engineJob(stack.ovirt, jobId)).toMatchObject({ description: 'Replicate LUN 5 to the DR site' });
  expect(await engineJobEnded(jobId, 'finished')).toEqual(replicationTree(5, () => 'finished'));

  const task = await operatorTask(id);
  expect(task).toMatchObject({
    vendor: 'acme-storage',
    description: 'Replicate LUN 5 to the DR site',
    correlationId: 'test-lun-5',
    status: 'finished',
    reason: null,
    timeoutSeconds: 600,
    engineJobId: jobId,
    deadline: null,
  });
  const [top] = task.steps;
  expect(top).toMatchObject({ description: 'Replicate 2 volumes of LUN 5', status: 'finished', progress: 100 });
  expect(top.children.map((v: { progress: number }) => v.progress)).toEqual([100, 100]);

  // The same correlation id again: the first task, ended; the plug-in leaves it alone.
  const again = plugIn(5);
  await exitsWith(again, 0);
  expect(again.output()).toMatch(
    new RegExp(
      `^external-task: found task ${id} with correlation id test-lun-5: already ended \\(finished\\), ` +
        `engine job ${jobId}; nothing to do$`,
      'm',
    ),
  );
  expect(again.output()).not.toMatch(/injected|step "/);
  expect(await operatorTask(id)).toMatchObject({ status: 'finished', endedAt: task.endedAt });
}, 90_000);

test('a run killed mid-work and run again resumes the same task: its steps reused, one engine job, FINISHED', async () => {
  const crashed = await working(9);
  const { id, jobId } = await injected(crashed);
  crashed.process.kill('SIGKILL');
  await crashed.exited;

  const rerun = plugIn(9);
  await exitsWith(rerun, 0);
  expect(rerun.output()).toMatch(
    new RegExp(`^external-task: found task ${id} with correlation id test-lun-9 still started \\(a rerun\\)`, 'm'),
  );
  expect(rerun.output()).toMatch(new RegExp(`^external-task: task ${id}: ended FINISHED, engine job ${jobId}$`, 'm'));
  expect(await engineJobEnded(jobId, 'finished')).toEqual(replicationTree(9, () => 'finished'));
  expect(await operatorTask(id)).toMatchObject({ status: 'finished', engineJobIds: [jobId] });
}, 90_000);

test('its fail option fails a volume: the task ended FAILED, its engine job FAILED, exit 2', async () => {
  const run = plugIn(6, { HF_FAIL_STEP: '2' });
  await exitsWith(run, 2);
  const { id, jobId } = await injected(run);
  expect(run.output()).toMatch(/step "Copy the extents of volume 2": failed/);
  expect(run.output()).toMatch(new RegExp(`task ${id}: ended FAILED \\(volume 2 failed; .*\\), engine job ${jobId}`));

  expect(await engineJobEnded(jobId, 'failed')).toEqual(
    replicationTree(6, (n) => (n === 1 ? 'finished' : 'failed'), 'failed'),
  );
  expect(await operatorTask(id)).toMatchObject({
    status: 'failed',
    reason: 'step "Copy the extents of volume 2" failed',
  });

  // The CLI flag does the same as HF_FAIL_STEP.
  const flagged = plugIn(7, {}, ['--fail-volume', '1']);
  await exitsWith(flagged, 2);
  expect(await operatorTask((await injected(flagged)).id)).toMatchObject({ status: 'failed' });
}, 90_000);

test('SIGTERM mid-work: it ends the task FAILED, saying why, before it exits', async () => {
  const run = await working(8);
  const { id, jobId } = await injected(run);
  run.process.kill('SIGTERM');
  await exitsWith(run, 143);
  expect(run.output()).toMatch(new RegExp(`task ${id}: ended FAILED \\(SIGTERM\\), engine job ${jobId}`));

  const task = await operatorTask(id);
  expect(task).toMatchObject({ status: 'failed', reason: 'Stopped by SIGTERM: the plug-in was asked to exit' });
  expect(task.steps.map((s: { description: string; status: string }) => [s.description, s.status])).toEqual([
    ['Replicate 2 volumes of LUN 8', 'failed'],
  ]);
  // Admins read the reason in the engine job, as its FAILED step.
  const steps = await engineJobEnded(jobId, 'failed');
  expect(steps.map((s) => s.description)).toEqual([
    'Replicate 2 volumes of LUN 8',
    'Failed: Stopped by SIGTERM: the plug-in was asked to exit',
  ]);
  expect(steps[0]!.children.map((s) => [s.description, s.status])).toEqual([['Replicate volume 1', 'failed']]);
}, 90_000);
