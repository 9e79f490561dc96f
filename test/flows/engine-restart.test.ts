// The engine restarts mid-flow (oVirt does on upgrades: STARTED jobs and steps turn UNKNOWN and can no longer be
// ended), or an admin ends the flow's job by hand: the flow opens a continuation job, mirrors what remains there and
// ends it, so the job it reports tells the truth. Real Temporal dev server, real built-in engine restarted on its
// own database.
import { collection, Job, Step } from '../../ovirt/representation';
import { eventually, flowClosed, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  // A vendor clone of 4 s: long enough to restart the engine while it runs.
  stack = await startTestStack('engine-restart', { cloneMs: 4000 });
});
afterAll(() => stack?.stop());

interface ApiStep {
  description: string;
  status: string;
  engineStepId?: string;
  engineJobId?: string;
  engineNote?: string;
  children: ApiStep[];
}

const jobOf = (id: string) => stack.ovirt.get(`/jobs/${id}`, Job);
const stepsOf = (jobId: string) => stack.ovirt.get(`/jobs/${jobId}/steps`, collection('step', Step));

/** Waits until the vendor's clone step runs (its engine step is STARTED). */
const vendorCloning = (id: string) =>
  eventually(
    async () => {
      const flow = await stack.api('GET', `/api/v1/flows/${id}`);
      const step = (flow.body.steps as ApiStep[] | undefined)?.find((s) => s.description.includes('clone disk'));
      return step?.status === 'running' && step.engineStepId && flow.body.engineJobId ? flow.body : undefined;
    },
    30_000,
    'the vendor clone to run',
  );

test('an engine restart mid-clone: the flow completes, its continuation job FINISHED with no step started or unknown', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'web-01-restarted',
  });
  expect(start.status).toBe(202);
  const running = await vendorCloning(start.body.id);
  const firstJobId: string = running.engineJobId;

  await stack.restartEngine();
  expect((await jobOf(firstJobId)).status).toBe('unknown');

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('completed');
  expect(flow.engineJobIds).toHaveLength(2);
  expect(flow.engineJobIds[0]).toBe(firstJobId);
  expect(flow.engineJobId).toBe(flow.engineJobIds[1]);

  const job = await jobOf(flow.engineJobId);
  expect(job.status).toBe('finished');
  expect(job.description).toBe(
    `Rapid clone of web-01 as web-01-restarted (continued: the engine restarted; earlier job ${firstJobId})`,
  );
  const steps = await stepsOf(job.id);
  expect(steps.filter((s) => s.status === 'started' || s.status === 'unknown')).toEqual([]);
  // The step that ran across the restart is mirrored again in the continuation, with a note; the rest follow it.
  const top = steps.filter((s) => !s.parent_step).sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  expect(top[0]!.description).toBe('acme-storage: clone disk web-01_Disk1 as web-01-restarted_Disk1');
  expect(top.map((s) => s.description)).toContain('Start VM web-01 again');
  const cloneStep = (flow.steps as ApiStep[]).find((s) => s.description.includes('clone disk'))!;
  expect(cloneStep).toMatchObject({ status: 'finished', engineJobId: job.id, engineStepId: top[0]!.id });
  expect(cloneStep.engineNote).toMatch(
    new RegExp(`^Mirrored again in job ${job.id}: .*job ${firstJobId}.*the engine restarted`),
  );
  // Every step of the flow is mirrored exactly once outside the job given up.
  const mirrored = (flow.steps as ApiStep[]).filter((s) => s.engineJobId === job.id).map((s) => s.description);
  expect(mirrored.sort()).toEqual(top.map((s) => s.description).sort());
  // The steps done before the restart stay FINISHED in the first job; the one that ran stays UNKNOWN there.
  const before = await stepsOf(firstJobId);
  expect(before.find((s) => s.description === 'Read VM web-01')?.status).toBe('finished');
  expect(
    before.find((s) => s.id === running.steps.find((s: ApiStep) => s.description.includes('clone disk')).engineStepId)
      ?.status,
  ).toBe('unknown');
});

test('an admin ends the flow job by hand mid-clone: the flow goes on in a continuation job and ends it FINISHED', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'db-01',
    cloneName: 'db-01-continued',
  });
  const running = await vendorCloning(start.body.id);
  await stack.ovirt.action(`/jobs/${running.engineJobId}/end`, { succeeded: false });

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('completed');
  expect(flow.engineJobIds).toEqual([running.engineJobId, flow.engineJobId]);
  const job = await jobOf(flow.engineJobId);
  expect(job).toMatchObject({ status: 'finished' });
  expect(job.description).toContain(
    `(continued: the job was failed outside this flow; earlier job ${running.engineJobId})`,
  );
  expect((await stepsOf(job.id)).every((s) => s.status === 'finished')).toBe(true);
});
