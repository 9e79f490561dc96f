// A standalone external task as ops see it in Temporal: its workflow carries FlowKind=external-task, Vendor and
// EngineJobId, reads as the vendor's description, and its activities as the mirrored steps. It is no flow: the
// flows API neither lists nor shows it.
import { EngineJobId, FlowKind, Vendor } from '../../common/search-attributes';
import { externalTaskWorkflowId } from '../../common/external-task-definitions';
import { externalTaskClient } from '../helpers/external-tasks';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('external-task-temporal');
});
afterAll(() => stack?.stop());

test('the task is a workflow with its search attributes and summaries, and no flow', async () => {
  const vendor = externalTaskClient(stack.apiUrl, (await stack.vendors.newKey('acme-storage')).apiKey);
  const { body: task } = await vendor.create({ description: 'Snapshot LUN 9 on the array' });
  const step = await vendor.addStep(task.id, { description: 'Quiesce the volume' });
  await vendor.endStep(task.id, step.body.id);
  await vendor.end(task.id);

  const handle = stack.temporal.client.workflow.getHandle(externalTaskWorkflowId(task.id));
  expect(await handle.result()).toEqual({ status: 'finished', reason: null });
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(FlowKind)).toBe('external-task');
  expect(described.typedSearchAttributes.get(Vendor)).toBe('acme-storage');
  const { body: shown } = await eventually(
    async () => ((await vendor.get(task.id)).body.engineJobIds.length ? vendor.get(task.id) : undefined),
    10_000,
    'the recorded engine job',
  );
  expect(described.typedSearchAttributes.get(EngineJobId)).toBe(shown.engineJobId);
  expect(await described.staticSummary()).toBe('Snapshot LUN 9 on the array');

  const summaries: string[] = [];
  for (const event of (await handle.fetchHistory()).events ?? [])
    if (event.activityTaskScheduledEventAttributes && event.userMetadata?.summary?.data)
      summaries.push(JSON.parse(Buffer.from(event.userMetadata.summary.data).toString()));
  expect(summaries).toContain('Mirror: Quiesce the volume');

  expect((await stack.api('GET', `/api/v1/flows/${handle.workflowId}`)).status).toBe(404);
  const flows = await stack.api('GET', '/api/v1/flows?pageSize=100');
  expect(flows.body.items.map((f: { id: string }) => f.id)).not.toContain(handle.workflowId);
});
