// Standalone external tasks when things go wrong, through the real API, the real built-in engine and a real Temporal
// dev server: the engine answering 503 for 20 s while the vendor reports, an engine restart (oVirt's UNKNOWN), a
// vendor that falls silent, a vendor removed with tasks open, and no worker at all. Every report the API accepted
// reaches the engine, in order; the API answers at once whatever is down.
import { randomUUID } from 'node:crypto';
import {
  callApi,
  engineJob,
  engineSteps,
  externalTaskClient,
  type ApiAnswer,
  type ExternalTaskClient,
} from '../helpers/external-tasks';
import { collection, Job } from '../../ovirt/representation';
import { ENGINE_PASSWORD, eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let acme: ExternalTaskClient;

beforeAll(async () => {
  stack = await startTestStack('external-tasks-resilience');
  acme = externalTaskClient(stack.apiUrl, (await stack.vendors.newKey('acme-storage')).apiKey);
});
afterAll(async () => {
  await setEngineFaults([]).catch(() => undefined);
  await stack?.stop();
});

const operator = (method: string, path: string, body?: unknown) =>
  callApi(stack.apiUrl, TEST_TOKEN, method, path, body);

/** Replaces the engine's fault-injection rules (its /builtin/faults admin endpoint). */
async function setEngineFaults(rules: object[]): Promise<void> {
  const res = await fetch(`${stack.engine.url}/builtin/faults`, {
    method: 'PUT',
    headers: {
      Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(rules),
  });
  if (res.status !== 200) throw new Error(`PUT /builtin/faults: ${res.status} ${await res.text()}`);
}

/** An answer with its status and whether it came within `withinMs`, to compare in one expect. */
const timed = (answer: ApiAnswer, withinMs = 1000) => ({
  status: answer.status,
  fast: answer.ms < withinMs || `took ${Math.round(answer.ms)} ms, over ${withinMs} ms`,
});
const fast = (status: number) => ({ status, fast: true });

/** How the API answers a new step: it may wait this long for the engine step to exist (mirrorWaitMs, 2 s). */
const NEW_STEP_BOUND_MS = 3000;

const jobStatus = (jobId: string, status: string, timeoutMs = 60_000) =>
  eventually(
    async () => ((await engineJob(stack.ovirt, jobId)).status === status ? true : undefined),
    timeoutMs,
    `engine job ${jobId} ${status.toUpperCase()}`,
  );

/** The engine job a task uses, once its workflow has opened it (a create may answer before: its id is then null). */
const engineJobOfTask = (id: string) =>
  eventually(
    async () => {
      const r = await operator('GET', `/api/v1/external-jobs/${id}`);
      return (r.body.engineJobId as string | null) ?? undefined;
    },
    15_000,
    `the engine job of task ${id}`,
  );

/** The task as the operator reads it once its workflow has recorded the engine jobs it used (as it ended). */
const recorded = (id: string, timeoutMs = 60_000) =>
  eventually(
    async () => {
      const r = await operator('GET', `/api/v1/external-jobs/${id}`);
      return r.status === 200 && r.body.status !== 'started' && r.body.engineJobIds.length ? r.body : undefined;
    },
    timeoutMs,
    `task ${id} ended and its engine jobs recorded`,
  );

interface ExpectedStep {
  description: string;
  /** The description of its parent (none: top-level). */
  parent?: string;
  status: string;
  progress?: number;
  type?: string;
}

/**
 * The engine job holds exactly these steps, each once, listed in the order the vendor added them: parents, statuses,
 * progress and types as given, created in that order (siblings numbered so, start times never going back).
 */
async function expectEngineSteps(jobId: string, expected: ExpectedStep[]): Promise<void> {
  const steps = await engineSteps(stack.ovirt, jobId);
  expect(steps.map((s) => s.description).sort()).toEqual(expected.map((e) => e.description).sort());
  const byDescription = new Map(steps.map((s) => [s.description, s]));
  const byId = new Map(steps.map((s) => [s.id, s]));
  const actual = expected.map((e) => {
    const s = byDescription.get(e.description)!;
    return {
      description: s.description,
      parent: s.parent_step ? byId.get(s.parent_step.id)?.description : undefined,
      status: s.status,
      progress: s.progress ?? undefined,
      type: s.type,
    };
  });
  expect(actual).toEqual(expected.map((e) => ({ ...e, type: e.type ?? 'executing' })));
  const inOrder = expected.map((e) => byDescription.get(e.description)!);
  for (let i = 1; i < inOrder.length; i++)
    expect(Number(inOrder[i]!.start_time)).toBeGreaterThanOrEqual(Number(inOrder[i - 1]!.start_time));
  for (const parent of [undefined, ...expected.map((e) => e.description)]) {
    const numbers = expected
      .filter((e) => e.parent === parent)
      .map((e) => Number(byDescription.get(e.description)!.number));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  }
}

test('the engine answers 503 for 20 s mid-task: every report answers at once, then arrives in order', async () => {
  let duringId: string;
  const created = await acme.create({ description: 'Resync LUN 9 through an engine outage' });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const jobId = await engineJobOfTask(id);
  const volumes = await acme.addStep(id, { description: 'Resync volumes' });
  expect(volumes.status).toBe(201);
  await eventually(
    async () => ((await engineSteps(stack.ovirt, jobId)).length === 1 ? true : undefined),
    15_000,
    'the first step on the engine before the outage',
  );

  const outageStarted = Date.now();
  await setEngineFaults([{ pathPattern: '.*', errorRate: 1, status: 503 }]);
  try {
    const probe = await fetch(`${stack.engine.apiUrl}/jobs/${jobId}`, {
      headers: { Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}` },
    });
    expect(probe.status).toBe(503);

    // The vendor goes on reporting as if nothing happened; each report is taken at once.
    const volume = await acme.addStep(id, { description: 'Resync volume 1', parentStepId: volumes.body.id });
    expect(timed(volume, NEW_STEP_BOUND_MS)).toEqual(fast(201));
    expect(volume.body.engineStepId).toBeNull(); // the engine has not got it yet
    const extent1 = await acme.addStep(id, {
      description: 'Copy extent 1',
      parentStepId: volume.body.id,
      type: 'validating',
    });
    expect(timed(extent1, NEW_STEP_BOUND_MS)).toEqual(fast(201));
    expect(timed(await acme.progress(id, extent1.body.id, 40))).toEqual(fast(200));
    expect(timed(await acme.progress(id, extent1.body.id, 80))).toEqual(fast(200));
    expect(timed(await acme.endStep(id, extent1.body.id))).toEqual(fast(200));
    const extent2 = await acme.addStep(id, { description: 'Copy extent 2', parentStepId: volume.body.id });
    expect(timed(extent2, NEW_STEP_BOUND_MS)).toEqual(fast(201));
    expect(timed(await acme.progress(id, extent2.body.id, 50))).toEqual(fast(200));
    expect(timed(await acme.endStep(id, extent2.body.id))).toEqual(fast(200));
    expect(timed(await acme.endStep(id, volume.body.id))).toEqual(fast(200));
    const verify = await acme.addStep(id, { description: 'Verify checksums', type: 'finalizing' });
    expect(timed(verify, NEW_STEP_BOUND_MS)).toEqual(fast(201));
    expect(timed(await acme.progress(id, verify.body.id, 30))).toEqual(fast(200));
    const read = await acme.get(id);
    expect(timed(read)).toEqual(fast(200));
    expect(read.body.steps[0].children[0]).toMatchObject({ status: 'finished', engineStepId: null });

    // A task created while the engine is away: taken at once, its job opened by its workflow once the engine is back.
    const during = await acme.create({ description: 'Snapshot LUN 3 while the engine is away' });
    expect(timed(during, NEW_STEP_BOUND_MS)).toEqual(fast(201));
    expect(during.body.engineJobId).toBeNull();
    duringId = during.body.id;

    // Hold the outage for 20 s (the fault's length, not a wait for a result).
    await new Promise((r) => setTimeout(r, Math.max(0, outageStarted + 20_000 - Date.now())));
    // Still nothing of it on the engine side, as far as the API knows.
    expect((await acme.get(id)).body.steps[1].engineStepId).toBeNull();
  } finally {
    await setEngineFaults([]);
  }

  // The rest right after the engine is back, queued behind what waits.
  expect(timed(await acme.endStep(id, volumes.body.id))).toEqual(fast(200));
  const ended = await acme.end(id);
  expect(timed(ended)).toEqual(fast(200));
  expect(ended.body.status).toBe('finished');

  await jobStatus(jobId, 'finished', 60_000);
  await expectEngineSteps(jobId, [
    { description: 'Resync volumes', status: 'finished' },
    { description: 'Resync volume 1', parent: 'Resync volumes', status: 'finished' },
    { description: 'Copy extent 1', parent: 'Resync volume 1', status: 'finished', progress: 80, type: 'validating' },
    { description: 'Copy extent 2', parent: 'Resync volume 1', status: 'finished', progress: 50 },
    { description: 'Verify checksums', status: 'finished', progress: 30, type: 'finalizing' },
  ]);
  const task = await recorded(id);
  expect(task).toMatchObject({ status: 'finished', reason: null, engineJobId: jobId, engineJobIds: [jobId] });
  const duringJob = await engineJobOfTask(duringId!);
  expect(await engineJob(stack.ovirt, duringJob)).toMatchObject({
    description: 'Snapshot LUN 3 while the engine is away',
    status: 'started',
  });
  expect(timed(await acme.end(duringId!))).toEqual(fast(200));
  expect(task.steps[0].children[0].children[1]).toMatchObject({
    description: 'Copy extent 2',
    engineJobId: jobId,
    engineStepId: expect.any(String),
  });
}, 100_000);

test('an engine restart mid-task: the task goes on in a continuation job that ends FINISHED', async () => {
  const description = 'Rebalance pool 3 across an engine restart';
  const created = await acme.create({ description });
  const id: string = created.body.id;
  const firstJobId = await engineJobOfTask(id);
  const pool = await acme.addStep(id, { description: 'Rebalance pool' });
  const a = await acme.addStep(id, { description: 'Move extent A', parentStepId: pool.body.id });
  expect((await acme.endStep(id, a.body.id)).status).toBe(200);
  const b = await acme.addStep(id, { description: 'Move extent B', parentStepId: pool.body.id });
  expect(b.status).toBe(201);
  // Everything so far is on the engine before it restarts.
  await eventually(
    async () => {
      const steps = await engineSteps(stack.ovirt, firstJobId);
      const extentA = steps.find((s) => s.description === 'Move extent A');
      return extentA?.status === 'finished' && steps.length === 3 ? true : undefined;
    },
    15_000,
    'the steps before the restart on the engine',
  );

  await stack.restartEngine();
  expect((await engineJob(stack.ovirt, firstJobId)).status).toBe('unknown');

  expect((await acme.endStep(id, b.body.id)).status).toBe(200);
  const c = await acme.addStep(id, { description: 'Move extent C', parentStepId: pool.body.id });
  expect(c.status).toBe(201);
  expect((await acme.endStep(id, c.body.id)).status).toBe(200);
  expect((await acme.endStep(id, pool.body.id)).status).toBe(200);
  expect((await acme.end(id)).status).toBe(200);

  const task = await recorded(id);
  expect(task.status).toBe('finished');
  expect(task.engineJobIds).toHaveLength(2);
  expect(task.engineJobIds[0]).toBe(firstJobId);
  const continuation: string = task.engineJobIds[1];
  expect(task.engineJobId).toBe(continuation);
  await jobStatus(continuation, 'finished', 30_000);
  const job = await engineJob(stack.ovirt, continuation);
  expect(job.description).toBe(`${description} (continued: the engine restarted; earlier job ${firstJobId})`);
  const steps = await engineSteps(stack.ovirt, continuation);
  expect(steps.filter((s) => s.status === 'started' || s.status === 'unknown')).toEqual([]);
  // What was still running across the restart is mirrored again there, under its parent; the rest follows it.
  await expectEngineSteps(continuation, [
    { description: 'Rebalance pool', status: 'finished' },
    { description: 'Move extent B', parent: 'Rebalance pool', status: 'finished' },
    { description: 'Move extent C', parent: 'Rebalance pool', status: 'finished' },
  ]);
  // The first job keeps what ended before the restart; what ran across it stays UNKNOWN there.
  const before = await engineSteps(stack.ovirt, firstJobId);
  expect(Object.fromEntries(before.map((s) => [s.description, s.status]))).toEqual({
    'Rebalance pool': 'unknown',
    'Move extent A': 'finished',
    'Move extent B': 'unknown',
  });
  // The API's step tree points at the continuation for the steps mirrored again.
  expect(task.steps[0]).toMatchObject({ description: 'Rebalance pool', engineJobId: continuation });
  expect(task.steps[0].children.map((s: { engineJobId: string }) => s.engineJobId)).toEqual([
    firstJobId,
    continuation,
    continuation,
  ]);
}, 60_000);

test('progress reported after an engine restart, on a step running across it, shows in the continuation job', async () => {
  const created = await acme.create({ description: 'Rebuild RAID group 2 across an engine restart' });
  const id: string = created.body.id;
  const firstJobId = await engineJobOfTask(id);
  const rebuild = await acme.addStep(id, { description: 'Rebuild RAID group' });
  expect(rebuild.status).toBe(201);
  expect((await acme.progress(id, rebuild.body.id, 20)).status).toBe(200);
  await eventually(
    async () => {
      const steps = await engineSteps(stack.ovirt, firstJobId);
      return steps.find((s) => s.description === 'Rebuild RAID group')?.progress === 20 ? true : undefined;
    },
    15_000,
    'the progress before the restart on the engine',
  );

  await stack.restartEngine();
  expect((await engineJob(stack.ovirt, firstJobId)).status).toBe('unknown');

  // The vendor goes on: progress on the running step, before and after the continuation job is opened (by a new
  // step), then its end and the task's.
  expect((await acme.progress(id, rebuild.body.id, 60)).status).toBe(200);
  const parity = await acme.addStep(id, { description: 'Check parity' });
  expect(parity.status).toBe(201);
  expect((await acme.endStep(id, parity.body.id)).status).toBe(200);
  expect((await acme.progress(id, rebuild.body.id, 90)).status).toBe(200);
  expect((await acme.endStep(id, rebuild.body.id)).status).toBe(200);
  expect((await acme.end(id)).status).toBe(200);

  const task = await recorded(id);
  expect(task.engineJobIds).toHaveLength(2);
  const continuation: string = task.engineJobIds[1];
  await jobStatus(continuation, 'finished', 30_000);
  const steps = await engineSteps(stack.ovirt, continuation);
  expect(steps.filter((s) => s.status === 'started' || s.status === 'unknown')).toEqual([]);
  // As a finished step shows the last progress its vendor reported (see the outage test), so does the step that
  // ran across the restart, mirrored again in the continuation: 90, reported after the restart.
  const again = steps.find((s) => s.description === 'Rebuild RAID group');
  expect({ status: again?.status, progress: again?.progress }).toEqual({ status: 'finished', progress: 90 });
});

test('a task silent for its timeoutSeconds is ended FAILED with the reason; later reports are 410', async () => {
  // A new step's answer may wait 2 s for its engine step: 4 s leave room for the two reports before the silence.
  const created = await acme.create({ description: 'Scrub pool 4, then fall silent', timeoutSeconds: 4 });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const scrub = await acme.addStep(id, { description: 'Scrub pool' });
  expect(scrub.status).toBe(201);
  expect((await acme.progress(id, scrub.body.id, 10)).status).toBe(200);
  const jobId = await engineJobOfTask(id);

  const reason = 'no report from acme-storage for 4 seconds';
  const failed = await eventually(
    async () => {
      const r = await acme.get(id);
      return r.body.status === 'started' ? undefined : r.body;
    },
    20_000,
    'the silent task to end',
  );
  expect(failed).toMatchObject({ status: 'failed', reason, deadline: null });
  expect(failed.steps[0]).toMatchObject({ description: 'Scrub pool', status: 'failed' });

  for (const late of [
    await acme.addStep(id, { description: 'Too late' }),
    await acme.progress(id, scrub.body.id, 20),
    await acme.endStep(id, scrub.body.id),
    await acme.end(id),
  ]) {
    expect(late.status).toBe(410);
    expect(late.body.detail).toContain(reason);
  }

  await jobStatus(jobId, 'failed', 30_000);
  await expectEngineSteps(jobId, [
    { description: 'Scrub pool', status: 'failed', progress: 10 },
    { description: `Failed: ${reason}`, status: 'failed' },
  ]);
  expect(await recorded(id)).toMatchObject({ status: 'failed', reason, engineJobIds: [jobId] });
});

test("a removed vendor's tasks are ended FAILED; its key is refused; the same id registered again sees none of them", async () => {
  const vendorId = `gone-${randomUUID().slice(0, 8)}`;
  const registered = await operator('POST', '/api/v1/vendors', {
    id: vendorId,
    name: 'Gone storage',
    mode: 'temporal',
  });
  expect(registered.status).toBe(201);
  const gone = externalTaskClient(stack.apiUrl, registered.body.apiKey);
  const first = await gone.create({ description: 'Snapshot LUN 1' });
  const second = await gone.create({ description: 'Snapshot LUN 2' });
  expect([first.status, second.status]).toEqual([201, 201]);
  const quiesce = await gone.addStep(first.body.id, { description: 'Quiesce LUN 1' });
  expect(quiesce.status).toBe(201);
  const jobIds = [await engineJobOfTask(first.body.id), await engineJobOfTask(second.body.id)];

  const removed = await operator('DELETE', `/api/v1/vendors/${vendorId}`);
  expect(removed.status).toBe(204);
  const reason = `vendor ${vendorId} removed`;

  const listed = await operator('GET', `/api/v1/external-jobs?vendor=${vendorId}`);
  expect(listed.status).toBe(200);
  expect(
    listed.body.items.map((t: { id: string; status: string; reason: string }) => [t.id, t.status, t.reason]).sort(),
  ).toEqual(
    [
      [first.body.id, 'failed', reason],
      [second.body.id, 'failed', reason],
    ].sort(),
  );
  for (const jobId of jobIds) await jobStatus(jobId, 'failed', 30_000);
  await expectEngineSteps(jobIds[0]!, [
    { description: 'Quiesce LUN 1', status: 'failed' },
    { description: `Failed: ${reason}`, status: 'failed' },
  ]);
  await expectEngineSteps(jobIds[1]!, [{ description: `Failed: ${reason}`, status: 'failed' }]);

  // Its key is refused everywhere.
  expect((await gone.list()).status).toBe(401);
  expect((await gone.get(first.body.id)).status).toBe(401);
  expect((await gone.addStep(first.body.id, { description: 'After removal' })).status).toBe(401);
  expect((await gone.create({ description: 'After removal' })).status).toBe(401);

  // A new registration with the same id starts afresh.
  const again = await operator('POST', '/api/v1/vendors', {
    id: vendorId,
    name: 'Gone storage again',
    mode: 'temporal',
  });
  expect(again.status).toBe(201);
  const reborn = externalTaskClient(stack.apiUrl, again.body.apiKey);
  expect((await reborn.list()).body.items).toEqual([]);
  expect((await reborn.get(first.body.id)).status).toBe(404);
  expect((await reborn.addStep(first.body.id, { description: 'Not mine' })).status).toBe(404);
  expect((await reborn.end(second.body.id)).status).toBe(404);
  // The operator still sees the old tasks as they ended.
  for (const task of [first, second])
    expect(await recorded(task.body.id)).toMatchObject({ status: 'failed', reason, vendor: vendorId });
});

test('with the main worker stopped every call answers in under a second; once it runs, all reaches the engine in order', async () => {
  await stack.stopMainWorker();
  let id: string;
  let openedJob: string;
  try {
    // The API opens the task's engine job itself: the answer names it although no worker runs.
    const created = await acme.create({ description: 'Migrate LUN 12 while no worker runs' });
    expect(timed(created)).toEqual(fast(201));
    expect(created.body).toMatchObject({ status: 'started', engineJobId: expect.any(String) });
    openedJob = created.body.engineJobId;
    expect(created.body.engineJobIds).toEqual([openedJob]);
    expect(await engineJob(stack.ovirt, openedJob)).toMatchObject({ status: 'started', external: true });
    id = created.body.id;
    const volumes = await acme.addStep(id, { description: 'Migrate volumes' });
    expect(timed(volumes)).toEqual(fast(201));
    expect(volumes.body).toMatchObject({ status: 'started', engineStepId: null });
    const volume = await acme.addStep(id, { description: 'Migrate volume 1', parentStepId: volumes.body.id });
    expect(timed(volume)).toEqual(fast(201));
    const progress = await acme.progress(id, volume.body.id, 60);
    expect(timed(progress)).toEqual(fast(200));
    expect(progress.body.progress).toBe(60);
    expect(timed(await acme.endStep(id, volume.body.id))).toEqual(fast(200));
    const paths = await acme.addStep(id, { description: 'Switch paths', type: 'finalizing' });
    expect(timed(paths)).toEqual(fast(201));
    expect(timed(await acme.progress(id, paths.body.id, 70))).toEqual(fast(200));
    expect(timed(await acme.endStep(id, paths.body.id))).toEqual(fast(200));
    expect(timed(await acme.endStep(id, volumes.body.id))).toEqual(fast(200));
    const ended = await acme.end(id);
    expect(timed(ended)).toEqual(fast(200));
    expect(ended.body.status).toBe('finished');
    const read = await acme.get(id);
    expect(timed(read)).toEqual(fast(200));
    expect(read.body).toMatchObject({ status: 'finished', engineJobId: openedJob });
    expect(timed(await operator('GET', `/api/v1/external-jobs/${id}`))).toEqual(fast(200));
    expect(timed(await acme.list())).toEqual(fast(200));
  } finally {
    await stack.startMainWorker();
  }

  // The workflow took the job the API opened: one job, no second.
  const task = await recorded(id, 30_000);
  expect(task.engineJobIds).toEqual([openedJob]);
  const named = (await stack.ovirt.get('/jobs', collection('job', Job))).filter(
    (j) => j.description === 'Migrate LUN 12 while no worker runs',
  );
  expect(named.map((j) => j.id)).toEqual([openedJob]);
  const jobId = openedJob;
  await jobStatus(jobId, 'finished', 30_000);
  expect((await engineJob(stack.ovirt, jobId)).description).toBe('Migrate LUN 12 while no worker runs');
  await expectEngineSteps(jobId, [
    { description: 'Migrate volumes', status: 'finished' },
    { description: 'Migrate volume 1', parent: 'Migrate volumes', status: 'finished', progress: 60 },
    { description: 'Switch paths', status: 'finished', progress: 70, type: 'finalizing' },
  ]);
});
