// Start, restart (oVirt's UNKNOWN rule), persistence, clean-up of auto-cleared jobs, port conflicts, close.
import http from 'node:http';
import { startEngine } from '../../engine/start';
import { TestEngine, withEngine } from './engine-harness';
import { eventually } from '../helpers/eventually';
import { ENGINE_PASSWORD } from '../helpers/credentials';

describe('restart', () => {
  test('jobs and steps survive; STARTED external ones become unknown and can no longer be ended', async () => {
    await withEngine({}, async (e) => {
      const open = await e.addJob({ description: 'open' });
      const openStep = await e.addStep(open.id);
      const done = await e.addJob({ description: 'done' });
      const doneStep = await e.addStep(done.id);
      await e.post(`/jobs/${done.id}/end`, { succeeded: true });
      const other = await e.addJob({ description: 'open with ended step' });
      const endedStep = await e.addStep(other.id);
      await e.post(`/jobs/${other.id}/steps/${endedStep.id}/end`, { succeeded: true });

      await e.restart();

      expect((await e.get(`/jobs/${open.id}`)).body).toMatchObject({ description: 'open', status: 'unknown' });
      expect((await e.get(`/jobs/${open.id}/steps/${openStep.id}`)).body.status).toBe('unknown');
      expect((await e.get(`/jobs/${done.id}`)).body.status).toBe('finished');
      expect((await e.get(`/jobs/${done.id}/steps/${doneStep.id}`)).body.status).toBe('finished');
      expect((await e.get(`/jobs/${other.id}/steps/${endedStep.id}`)).body.status).toBe('finished');

      const endJob = await e.post(`/jobs/${open.id}/end`, { succeeded: true });
      expect(endJob.status).toBe(200);
      const endStep = await e.post(`/jobs/${open.id}/steps/${openStep.id}/end`, { succeeded: true });
      expect(endStep.status).toBe(200);
      expect((await e.get(`/jobs/${open.id}`)).body.status).toBe('unknown');
      expect((await e.get(`/jobs/${open.id}/steps/${openStep.id}`)).body.status).toBe('unknown');
    });
  });

  test('with unknownOnRestart=false STARTED jobs stay started and can be ended', async () => {
    await withEngine({ unknownOnRestart: false }, async (e) => {
      const job = await e.addJob();
      await e.restart();
      expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('started');
      await e.post(`/jobs/${job.id}/end`, { succeeded: true });
      expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('finished');
    });
  });

  test('tokens do not survive a restart: 401, and a new token works', async () => {
    await withEngine({}, async (e) => {
      const token = await e.token('admin');
      await e.restart();
      const stale = await e.get('/jobs', { as: 'none', headers: { authorization: `Bearer ${token}` } });
      expect(stale.status).toBe(401);
      expect((await e.get('/jobs')).status).toBe(200);
    });
  });

  test('the seed is planted once: inventory ids are stable across restarts', async () => {
    await withEngine({}, async (e) => {
      const before = (await e.get('/vms')).body.vm.map((v: { id: string }) => v.id);
      await e.restart();
      expect((await e.get('/vms')).body.vm.map((v: { id: string }) => v.id)).toEqual(before);
    });
  });
});

describe('clean-up of auto-cleared jobs', () => {
  test('FINISHED auto-cleared jobs go after succeededMin, FAILED after failedMin; others stay', async () => {
    // 30 ms between runs; finished kept 0 min; failed kept 0.01 min = 600 ms.
    await withEngine({ cleanup: { intervalMin: 0.0005, succeededMin: 0, failedMin: 0.01 } }, async (e) => {
      const finished = await e.addJob({ description: 'finished', auto_cleared: true });
      await e.addStep(finished.id);
      const failed = await e.addJob({ description: 'failed', auto_cleared: true });
      const kept = await e.addJob({ description: 'not auto-cleared' });
      const started = await e.addJob({ description: 'still started', auto_cleared: true });
      const forced = await e.addJob({ description: 'forced' });
      await e.post(`/jobs/${finished.id}/end`, { succeeded: true });
      await e.post(`/jobs/${failed.id}/end`, { succeeded: false });
      await e.post(`/jobs/${kept.id}/end`, { succeeded: true });
      await e.post(`/jobs/${forced.id}/end`, { succeeded: true, force: true });
      const endedAt = Date.now();

      await eventually(async () => (await e.get(`/jobs/${finished.id}`)).status === 404);
      // Ended a moment after `finished`, it may go one clean-up pass later.
      await eventually(async () => (await e.get(`/jobs/${forced.id}`)).status === 404);
      expect((await e.get(`/jobs/${finished.id}/steps`)).status).toBe(404);
      if (Date.now() - endedAt < 500) expect((await e.get(`/jobs/${failed.id}`)).status).toBe(200);
      await eventually(async () => (await e.get(`/jobs/${failed.id}`)).status === 404);
      expect(Date.now() - endedAt).toBeGreaterThanOrEqual(550);
      expect((await e.get(`/jobs/${kept.id}`)).status).toBe(200);
      expect((await e.get(`/jobs/${started.id}`)).status).toBe(200);
    });
  });
});

describe('start and close', () => {
  test('a port already taken rejects with an error naming the port', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-engine-port-'));
    try {
      await expect(startEngine({ port, dataDir, adminPassword: ENGINE_PASSWORD })).rejects.toThrow(
        `port ${port} is already in use`,
      );
      // The database was closed on failure: a second start on the same directory works.
      const engine = await startEngine({ port: 0, dataDir, adminPassword: ENGINE_PASSWORD });
      await engine.close();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('close ends keep-alive connections and frees the port; urls are as promised', async () => {
    const e = await TestEngine.start();
    expect(e.engine.apiUrl).toBe(`${e.engine.url}/ovirt-engine/api`);
    expect(e.engine.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${e.engine.apiUrl}/jobs`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    const started = Date.now();
    await e.close();
    expect(Date.now() - started).toBeLessThan(1000);
    agent.destroy();
    await expect(fetch(`${e.engine.apiUrl}/jobs`)).rejects.toThrow();
  });
});
