// A long, chatty standalone task: its workflow goes on in new runs (continue-as-new) before the history grows
// large, and nothing is lost across the hand-overs: every report reaches the engine, in order, and the task ends
// with its whole tree. The runs here are cut short (about 60 history events) to make many hand-overs.
import { externalTaskWorkflowId } from '../../common/external-task-definitions';
import { EngineJobId, FlowKind } from '../../common/search-attributes';
import { engineJob, engineSteps, externalTaskClient } from '../helpers/external-tasks';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('external-long-task', { externalTasks: { historyEventsPerRun: 60 } });
});
afterAll(() => stack?.stop());

test('a task of many reports runs in several runs; the engine gets every step and the final progress, in order', async () => {
  const vendor = externalTaskClient(stack.apiUrl, (await stack.vendors.newKey('acme-storage')).apiKey);
  const { body: task } = await vendor.create({ description: 'Resync mirror set 3' });
  const volumes: string[] = [];
  for (let v = 1; v <= 4; v++) {
    const step = await vendor.addStep(task.id, { description: `Resync volume ${v}` });
    expect(step.status).toBe(201);
    volumes.push(step.body.id);
    const chunk = await vendor.addStep(task.id, { description: 'Copy changed blocks', parentStepId: step.body.id });
    for (let p = 10; p <= 100; p += 10) expect((await vendor.progress(task.id, step.body.id, p)).status).toBe(200);
    expect((await vendor.endStep(task.id, chunk.body.id)).status).toBe(200);
    expect((await vendor.endStep(task.id, step.body.id)).status).toBe(200);
  }
  expect((await vendor.end(task.id)).status).toBe(200);

  const handle = stack.temporal.client.workflow.getHandle(externalTaskWorkflowId(task.id));
  expect(await handle.result()).toEqual({ status: 'finished', reason: null });
  const described = await handle.describe();
  const runs = await eventually(
    async () => {
      const statuses: string[] = [];
      for await (const run of stack.temporal.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }))
        statuses.push(run.status.name);
      return statuses.length > 1 ? statuses : undefined;
    },
    10_000,
    'the runs in visibility',
  );
  expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThan(0);
  expect(described.typedSearchAttributes.get(FlowKind)).toBe('external-task');

  const shown = await eventually(
    async () => {
      const r = await vendor.get(task.id);
      return r.body.engineJobIds.length ? r.body : undefined;
    },
    10_000,
    'the recorded mirror',
  );
  expect(shown.engineJobIds).toHaveLength(1);
  expect(described.typedSearchAttributes.get(EngineJobId)).toBe(shown.engineJobId);
  expect((await engineJob(stack.ovirt, shown.engineJobId)).status).toBe('finished');
  const steps = await engineSteps(stack.ovirt, shown.engineJobId);
  const top = steps.filter((s) => !s.parent_step).sort((a, b) => Number(a.number) - Number(b.number));
  expect(top.map((s) => s.description)).toEqual([1, 2, 3, 4].map((v) => `Resync volume ${v}`));
  expect(steps).toHaveLength(8); // one engine step per reported step: none made twice across the runs
  for (const s of top) {
    expect(s.status).toBe('finished');
    expect(steps.filter((c) => c.parent_step?.id === s.id).map((c) => c.description)).toEqual(['Copy changed blocks']);
  }
  for (const [i, id] of volumes.entries())
    expect(shown.steps[i]).toMatchObject({ id, status: 'finished', progress: 100, engineStepId: top[i]!.id });
});
