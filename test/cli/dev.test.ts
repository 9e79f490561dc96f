// `hybridflow dev` and `hybridflow temporal` as real process trees: they start, print their URLs, run a flow,
// and stop with nothing left behind; a taken port or an invalid variable is a clear error and exit code 1.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { OvirtClient } from '../../ovirt/client';
import { collection, Job } from '../../ovirt/representation';
import { isPortFree } from '../../cli/stack/ports';
import { eventually } from '../helpers/stack';
import { freePort } from '../helpers/ports';
import { descendants, isAlive, runCli } from '../helpers/processes';
import { temporalTestAddress, uniqueTaskQueue } from '../helpers/temporal';

const dataDirs: string[] = [];
const dataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-dev-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => dataDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('dev runs the stack on an existing Temporal server, runs a flow, and SIGTERM leaves no process behind', async () => {
  const env = {
    HF_DATA_DIR: dataDir(),
    TEMPORAL_ADDRESS: temporalTestAddress(),
    HF_TASK_QUEUE: uniqueTaskQueue('dev'),
    HF_API_PORT: String(await freePort()),
    HF_ENGINE_PORT: String(await freePort()),
    HF_ENGINE_TRANSITION_MS: '300',
  };
  const dev = runCli(['dev'], env);
  const [, encoded] = await dev.waitFor(/Open the web UI:\s+\S+\/login#token=(\S+)/, 90_000);
  const token = decodeURIComponent(encoded!);
  expect(dev.output()).toContain(`http://127.0.0.1:${env.HF_API_PORT}/api/v1`);
  expect(dev.output()).toContain(`http://127.0.0.1:${env.HF_ENGINE_PORT}/ovirt-engine/api`);
  expect(dev.output()).toContain(`http://127.0.0.1:${env.HF_ENGINE_PORT}/tasks`);
  expect(dev.output()).not.toMatch(/\[temporal\]/); // TEMPORAL_ADDRESS set: no dev server of its own
  // A generated token is printed once, in the web UI link, and kept in its file.
  expect(dev.output().split(token).length - 1).toBe(1);
  expect(fs.readFileSync(path.join(env.HF_DATA_DIR, 'api-token'), 'utf8').trim()).toBe(token);

  const api = `http://127.0.0.1:${env.HF_API_PORT}/api/v1`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // A rapid clone of a seed VM through the whole stack: engine, worker, demo vendor (its storage array), server.
  const body = JSON.stringify({ sourceVm: 'web-02', cloneName: 'web-02-dev' });
  const started = await (await fetch(`${api}/flows/rapid-clone`, { method: 'POST', headers, body })).json();
  const flow = await eventually(async () => {
    const f = await (await fetch(`${api}/flows/${started.id}`, { headers })).json();
    return f.status === 'running' ? undefined : f;
  }, 60_000);
  expect(flow.error).toBeNull();
  expect(flow.status).toBe('completed');
  const ovirt = new OvirtClient({
    url: `http://127.0.0.1:${env.HF_ENGINE_PORT}/ovirt-engine/api`,
    password: fs.readFileSync(path.join(env.HF_DATA_DIR, 'engine-password'), 'utf8').trim(),
  });
  const [job] = await ovirt.get('/jobs', collection('job', Job), { query: { search: `correlation_id=${started.id}` } });
  await ovirt.close();
  expect(job?.status).toBe('finished');

  const tree = descendants(dev.process.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(4); // engine, worker, vendor-demo, server
  dev.process.kill('SIGTERM');
  expect(await dev.exited).toBe(0);
  await eventually(async () => (tree.some(isAlive) ? undefined : true), 10_000, 'every child process to exit');
  expect(await isPortFree(Number(env.HF_API_PORT))).toBe(true);
  expect(await isPortFree(Number(env.HF_ENGINE_PORT))).toBe(true);
}, 120_000);

test.each(['SIGINT', 'SIGTERM'] as const)(
  '%s to the whole process group (Ctrl-C, npm start stopped) stops every component in order, cleanly',
  async (signal) => {
    const port = await freePort();
    const env = {
      HF_DATA_DIR: dataDir(),
      TEMPORAL_PORT: String(port),
      TEMPORAL_UI_PORT: String(port + 1000),
      HF_TASK_QUEUE: uniqueTaskQueue('dev-sigint'),
      HF_API_PORT: String(await freePort()),
      HF_ENGINE_PORT: String(await freePort()),
    };
    const dev = runCli(['dev'], env, { detached: true }); // its own process group, as a terminal gives it
    await dev.waitFor(/Press Ctrl-C to stop/, 90_000);
    expect(dev.output()).toContain(`[temporal] Temporal UI:      http://127.0.0.1:${port + 1000}`);
    const tree = descendants(dev.process.pid!);
    process.kill(-dev.process.pid!, signal);
    expect(await dev.exited).toBe(0);
    await eventually(async () => (tree.some(isAlive) ? undefined : true), 15_000, 'every child process to exit');
    // Workers stopped before the Temporal server they talk to: no connection errors while shutting down.
    expect(dev.output()).not.toMatch(/transport error|could not start|stopped unexpectedly/);
    expect(await isPortFree(port)).toBe(true);
  },
  120_000,
);

test('temporal runs a dev server with the Web UI and the search attributes, and stops on SIGTERM', async () => {
  const port = await freePort();
  const env = { HF_DATA_DIR: dataDir(), TEMPORAL_PORT: String(port), TEMPORAL_UI_PORT: String(port + 1000) };
  const temporal = runCli(['temporal'], env);
  await temporal.waitFor(/Temporal UI:\s+http:\/\/127\.0\.0\.1:\d+/, 60_000);
  expect((await fetch(`http://127.0.0.1:${port + 1000}/`)).status).toBe(200);
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  await connection.close();
  expect(Object.keys(customAttributes ?? {})).toEqual(
    expect.arrayContaining(['FlowKind', 'OvirtVmId', 'EngineJobId', 'Vendor']),
  );
  expect(fs.existsSync(path.join(env.HF_DATA_DIR, 'temporal.db'))).toBe(true);
  const tree = descendants(temporal.process.pid!);
  temporal.process.kill('SIGTERM');
  expect(await temporal.exited).toBe(0);
  await eventually(async () => (tree.some(isAlive) ? undefined : true), 10_000, 'the dev server to exit');
  expect(await isPortFree(port)).toBe(true);
}, 90_000);

test('a taken port is named and dev exits 1 without starting anything', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const taken = (blocker.address() as net.AddressInfo).port;
  const dev = runCli(['dev'], {
    HF_DATA_DIR: dataDir(),
    TEMPORAL_ADDRESS: temporalTestAddress(),
    HF_API_PORT: String(taken),
  });
  expect(await dev.exited).toBe(1);
  blocker.close();
  expect(dev.output()).toContain(`port ${taken} (HF_API_PORT) is already in use`);
  expect(dev.output()).not.toMatch(/\n\s+at /); // no stack trace
});

test('an invalid variable is named and dev exits 1', async () => {
  const dev = runCli(['dev'], { HF_DATA_DIR: dataDir(), HF_ENGINE_PORT: 'eighty', OVIRT_INSECURE: 'maybe' });
  expect(await dev.exited).toBe(1);
  expect(dev.output()).toMatch(/HF_ENGINE_PORT: /);
  expect(dev.output()).toMatch(/OVIRT_INSECURE: must be true or false/);
  expect(dev.output()).not.toMatch(/\n\s+at /);
});
