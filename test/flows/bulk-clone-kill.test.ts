// A bulk clone whose worker process is SIGKILLed mid-pool: another worker takes over, every VM is built, and each
// step is mirrored once under its VM's step (an activity cut short is retried and finds the engine step its first
// attempt began). Real worker processes (`hybridflow worker`), Temporal dev server, engine and vendor workers.
import { collection, Step } from '../../ovirt/representation';
import { vmsNamed } from '../../ovirt/vm-queries';
import { runCli } from '../helpers/processes';
import { eventually, flowClosed, startTestStack, workerEnv } from '../helpers/stack';

test('a worker SIGKILLed mid-pool: the next worker completes every VM, each step mirrored once', async () => {
  const stack = await startTestStack('bulk-clone-kill', { mainWorker: false });
  const env = workerEnv(stack);
  const workers: ReturnType<typeof runCli>[] = [];
  try {
    const first = runCli(['worker'], env);
    workers.push(first);
    await first.waitFor(/Worker:\s+polling/, 60_000);
    const names = ['kill-1', 'kill-2', 'kill-3', 'kill-4'];
    const start = await stack.api('POST', '/api/v1/flows/bulk-clone', {
      sourceVm: 'web-01',
      names,
      vendor: 'picky-storage',
      maxParallel: 2,
    });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    // Kill it once the first VM is built and others are under way.
    await eventually(
      async () =>
        ((await vmsNamed(stack.ovirt, 'kill-1')).length || (await vmsNamed(stack.ovirt, 'kill-2')).length) > 0 ||
        undefined,
      60_000,
      'a VM built',
    );
    first.process.kill('SIGKILL');
    await first.exited;

    const second = runCli(['worker'], env);
    workers.push(second);
    const flow = await flowClosed(stack, id, 150_000);
    expect(flow.status).toBe('completed');
    expect(flow.result).toMatchObject({ completed: 4, failed: 0 });
    for (const name of names) expect((await vmsNamed(stack.ovirt, name)).length).toBe(1);
    const steps = await stack.ovirt.get(`/jobs/${flow.engineJobId}/steps`, collection('step', Step));
    const keys = steps.map((s) => `${s.parent_step?.id}/${s.description}`);
    expect(keys.length - new Set(keys).size).toBe(0);
    expect(steps.every((s) => s.status === 'finished')).toBe(true);
  } finally {
    for (const w of workers) w.process.kill('SIGKILL');
    await stack.stop();
  }
}, 240_000);
