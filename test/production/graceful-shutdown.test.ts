// Graceful shutdown, as a rolling restart needs it. The API server's close lets requests in flight finish within the
// grace time while it takes no new connections; a worker sent SIGTERM stops polling and lets its running activity
// finish, so the activity runs once and the flow goes on with the next worker.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { close, listen } from '../../cli/stack/listen';
import { collection, Vm } from '../../ovirt/representation';
import { runCli } from '../helpers/processes';
import { eventually, startTestStack, stepRunning, workerEnv } from '../helpers/stack';

/** A server with one request that takes `ms` to answer. */
async function slowServer(ms: number) {
  const app = express();
  app.get('/slow', (_req, res) => void setTimeout(() => res.json({ done: true }), ms));
  app.get('/quick', (_req, res) => void res.json({ quick: true }));
  const server = await listen(app, 0, '127.0.0.1', 'TEST_PORT');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Waits until the server holds a connection (the slow request has arrived). */
const arrived = (server: http.Server) =>
  eventually(
    async () => (await new Promise<number>((r) => server.getConnections((_e, n) => r(n)))) > 0,
    5000,
    'the slow request to arrive',
  );

/** A GET on a connection of its own (no keep-alive pool), answering its status and body or its error's code. */
const get = (url: string) =>
  new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      })
      .on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });

test('closing the API server: a request in flight finishes, a new connection is refused', async () => {
  const { server, url } = await slowServer(800);
  const inFlight = get(`${url}/slow`);
  await arrived(server);
  const started = Date.now();
  const closing = close(server, 10_000);
  expect(await get(`${url}/quick`)).toEqual({ error: 'ECONNREFUSED' });
  expect(await inFlight).toEqual({ status: 200, body: '{"done":true}' });
  await closing;
  expect(Date.now() - started).toBeLessThan(5000); // done when the last request is, not at the end of the grace
});

test('closing with a grace shorter than a request: the request is cut at the end of the grace', async () => {
  const { server, url } = await slowServer(30_000);
  const inFlight = get(`${url}/slow`);
  await arrived(server);
  const started = Date.now();
  await close(server, 300);
  expect(Date.now() - started).toBeLessThan(5000);
  expect((await inFlight).error).toBeDefined();
});

test('a worker sent SIGTERM mid-activity lets it finish (once), then exits; the next worker completes the flow', async () => {
  // The VM's shutdown takes 4 s on this engine: long enough to send SIGTERM while the worker waits for it.
  const stack = await startTestStack('graceful-worker', { mainWorker: false, engine: { transitionMs: 4000 } });
  const env = { ...workerEnv(stack), HF_SHUTDOWN_GRACE: '30s' };
  const workers: ReturnType<typeof runCli>[] = [];
  try {
    const first = runCli(['worker'], env);
    workers.push(first);
    await first.waitFor(/Worker:\s+polling/, 60_000);
    const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'web-01-graceful',
    });
    expect(start.status).toBe(202);
    await stepRunning(stack, start.body.id, (s) => s.description === 'Shut down VM web-01', 'the VM shutdown');
    // The step shows as soon as the flow schedules the activity; the VM powering down shows the worker running it.
    await eventually(
      async () => {
        const [vm] = await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: 'name=web-01' } });
        return vm?.status === 'powering_down' || undefined;
      },
      20_000,
      'the worker to shut the VM down',
    );
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The shutdown activity finished on the first worker, in its first attempt: it ran once.
    const history = await stack.temporal.client.workflow.getHandle(start.body.id).fetchHistory();
    const scheduled = history.events!.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'shutdownVm',
    )!;
    const outcome = history.events!.find(
      (e) =>
        Number(
          (
            e.activityTaskCompletedEventAttributes ??
            e.activityTaskFailedEventAttributes ??
            e.activityTaskTimedOutEventAttributes
          )?.scheduledEventId,
        ) === Number(scheduled.eventId),
    );
    expect(outcome?.activityTaskCompletedEventAttributes).toBeDefined();
    const startedEvent = history.events!.find(
      (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
    )!;
    expect(startedEvent.activityTaskStartedEventAttributes!.attempt).toBe(1);

    const second = runCli(['worker'], env);
    workers.push(second);
    const flow = await eventually(
      async () => {
        const f = await stack.api('GET', `/api/v1/flows/${start.body.id}`);
        return f.body.status === 'running' ? undefined : f.body;
      },
      90_000,
      'the flow to complete on the second worker',
    );
    second.process.kill('SIGTERM');
    await second.exited;
    expect(flow.status).toBe('completed');
  } finally {
    for (const w of workers) w.process.kill('SIGKILL');
    await stack.stop();
  }
}, 180_000);
