// Liveness and readiness: /healthz answers while the process runs; /readyz only when Temporal and the engine answer.
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { OvirtClient } from '../activities/ovirt/client';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export function healthRoutes(deps: { client: Client; ovirt: OvirtClient }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const check = (p: Promise<unknown>) => withTimeout(p, 3000).then(() => ({ ok: true }), (err: Error) => ({ ok: false, error: err.message }));
    const [temporal, engine] = await Promise.all([
      check(deps.client.workflowService.getSystemInfo({})),
      check(deps.ovirt.get('/', z.unknown())),
    ]);
    const ready = temporal.ok && engine.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { temporal, engine } });
  });
  return router;
}
