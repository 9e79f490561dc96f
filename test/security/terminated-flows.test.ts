// Whoever reaches Temporal may terminate a flow (not cancel it): its code stops at once and cannot end its engine
// job. The worker's sweep ends that job FAILED, saying so, so the Tasks view never keeps it STARTED.
import { collection, Job, Step } from '../../ovirt/representation';
import { externalTaskWorkflowId } from '../../common/external-task-definitions';
import { endJobsOfTerminatedFlows } from '../../worker/terminated-flows';
import { externalTaskClient } from '../helpers/external-tasks';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('terminated-flows');
});
afterAll(() => stack?.stop());

test('a terminated flow leaves no STARTED job: the sweep ends it FAILED with a step that says why', async () => {
  // idle-storage has no worker: the flow waits at its vendor step, its job STARTED.
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'test-01',
    cloneName: 'test-01-term',
    vendor: 'idle-storage',
  });
  expect(start.status).toBe(202);
  const flow = await eventually(
    async () => {
      const f = await stack.api('GET', `/api/v1/flows/${start.body.id}`);
      return f.body.steps.some((s: { kind: string }) => s.kind === 'external') ? f.body : undefined;
    },
    30_000,
    'the vendor step',
  );
  await stack.temporal.client.workflow.getHandle(start.body.id).terminate('an operator with access to Temporal');
  expect((await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job)).status).toBe('started');

  const ended = await eventually(
    async () => {
      const ids = await endJobsOfTerminatedFlows({
        client: stack.temporal.client,
        ovirt: stack.ovirt,
        taskQueue: stack.taskQueue,
      });
      return ids.length ? ids : undefined; // visibility may take a moment to list the closed flow
    },
    15_000,
    'the sweep to find the terminated flow',
  );
  expect(ended).toEqual([flow.engineJobId]);
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job.status).toBe('failed');
  const steps = await stack.ovirt.get(`/jobs/${job.id}/steps`, collection('step', Step));
  expect(steps.filter((s) => s.status === 'started')).toEqual([]);
  expect(
    steps.find((s) => s.description === 'Failed: the flow was terminated in Temporal; its steps were not undone')
      ?.status,
  ).toBe('failed');
  // A second sweep (another worker) changes nothing.
  expect(
    await endJobsOfTerminatedFlows({ client: stack.temporal.client, ovirt: stack.ovirt, taskQueue: stack.taskQueue }),
  ).toEqual([]);
  expect((await stack.api('GET', `/api/v1/flows/${start.body.id}`)).body.status).toBe('terminated');
});

test("a terminated standalone task: the sweep ends its job and its record, and its vendor's next report is a 410", async () => {
  const vendor = externalTaskClient(stack.apiUrl, (await stack.vendors.newKey('acme-storage')).apiKey);
  // Terminated before its workflow ran at all (no worker meanwhile): only the API has seen the job it opened.
  await stack.stopMainWorker();
  let task;
  try {
    ({ body: task } = await vendor.create({ description: 'Migrate LUN 3' }));
    expect(task.engineJobId).toEqual(expect.any(String));
    await stack.temporal.client.workflow.getHandle(externalTaskWorkflowId(task.id)).terminate('an operator');
  } finally {
    await stack.startMainWorker();
  }
  const sweep = () =>
    endJobsOfTerminatedFlows({
      client: stack.temporal.client,
      ovirt: stack.ovirt,
      taskQueue: stack.taskQueue,
      externalTasks: stack.externalTaskStore,
    });
  await eventually(async () => ((await sweep()).includes(task.engineJobId) ? true : undefined), 15_000, 'the sweep');
  expect((await stack.ovirt.get(`/jobs/${task.engineJobId}`, Job)).status).toBe('failed');
  const shown = (await vendor.get(task.id)).body;
  expect(shown).toMatchObject({ status: 'failed', reason: 'its workflow was terminated in Temporal' });
  expect((await vendor.addStep(task.id, { description: 'late' })).status).toBe(410);
});
