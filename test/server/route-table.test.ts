// The route table is the one declaration of the API: every entry is served by the express router under its method
// and path (handlers faked: this tests the binding, not the features) and described by the OpenAPI document with
// the statuses its traits bring.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { fillPath } from '../../common/api-path';
import { openApiDocument, routeErrors } from '../../server/api/openapi';
import { ANSWERED, apiRouter, type Handlers } from '../../server/api/router';
import { apiRoutes, type RouteName } from '../../server/api/routes';
import { errorHandler } from '../../server/problem';

const names = Object.keys(apiRoutes) as RouteName[];
let base: string;
let close: () => void;
const guarded: string[] = [];

beforeAll(async () => {
  const handlers = Object.fromEntries(
    names.map((name) => [
      name,
      (_input: unknown, { res }: { res: express.Response }) => {
        res.status(299).json({ route: name });
        return ANSWERED;
      },
    ]),
  ) as unknown as Handlers;
  const guard =
    (kind: string): express.RequestHandler =>
    (req, _res, next) => {
      guarded.push(`${kind} ${req.method} ${req.path}`);
      next();
    };
  const app = express();
  app.use(express.json());
  app.use(apiRouter(handlers, { token: guard('token'), vendor: guard('vendor'), login: guard('login') }));
  app.use((_req, res) => void res.status(404).json({ route: null }));
  app.use(errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close?.());

/** Inputs that pass each route's schemas. */
const VALID: Partial<Record<RouteName, { body?: unknown; query?: Record<string, string> }>> = {
  logIn: { body: { token: 'x' } },
  startRapidClone: { body: { sourceVm: 'web-01', cloneName: 'web-01-copy' } },
  startClonePreflight: { body: { sourceVm: 'web-01' } },
  startBulkClone: { body: { sourceVm: 'web-01', prefix: 'pool-', count: 3 } },
  checkName: { query: { name: 'web-02' } },
  createVendor: { body: { id: 'v-1', name: 'V', mode: 'temporal' } },
  putVendorActivity: { body: { description: 'd', inputSchema: {}, outputSchema: {} } },
  heartbeatVendorTask: { body: {} },
  addVendorTaskStep: { body: { key: 'k', description: 'd' } },
  endVendorTaskStep: { body: { succeeded: true } },
  completeVendorTask: { body: { output: 1 } },
  failVendorTask: { body: { message: 'm' } },
  createExternalJob: { body: { description: 'd' } },
  addExternalJobStep: { body: { description: 'd' } },
  setExternalJobStepProgress: { body: { progress: 50 } },
  endExternalJobStep: { body: { succeeded: true } },
  endExternalJob: { body: { succeeded: true } },
};

test.each(names)('%s is served under its method and path, behind its guard', async (name) => {
  const route = apiRoutes[name];
  const path = fillPath(
    route.path,
    {
      id: 'flow-1',
      keyId: '0123456789abcdef',
      name: 'cloneDisk',
      taskId: `vt_${'a'.repeat(32)}`,
      key: 'k',
      stepId: 's-1',
    },
    VALID[name]?.query,
  );
  const body = VALID[name]?.body;
  const res = await fetch(base + path, {
    method: route.method.toUpperCase(),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(299);
  expect(await res.json()).toEqual({ route: name });
  const guardedHere = guarded.filter((g) => g.endsWith(` ${route.method.toUpperCase()} ${path.split('?')[0]}`));
  expect(guardedHere.map((g) => g.split(' ')[0])).toEqual(route.auth === 'none' ? [] : [route.auth]);
});

test('an invalid input is a 400 naming the field, before the handler', async () => {
  const res = await fetch(`${base}${apiRoutes.startRapidClone.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'has space' },
    body: JSON.stringify({ sourceVm: 'web-01', cloneName: 'bad name' }),
  });
  expect(res.status).toBe(400);
  expect((await res.json()).errors.map((e: { field: string }) => e.field)).toEqual(['body.cloneName']);
});

test('the OpenAPI document describes each route with every status it may give', () => {
  const doc = openApiDocument();
  for (const route of Object.values(apiRoutes)) {
    const operation = doc.paths?.[route.path]?.[route.method];
    expect(operation).toBeDefined();
    const statuses = Object.keys(operation!.responses ?? {}).sort();
    expect(statuses).toEqual(
      [route.answer.status, ...('also' in route.answer ? [route.answer.also.status] : [])]
        .map(String)
        .concat(Object.keys(routeErrors(route)))
        .sort(),
    );
    if (route.auth === 'token') expect(statuses).toEqual(expect.arrayContaining(['401', '429', '503']));
    if (route.auth === 'token' || route.auth === 'vendor') expect(statuses).toContain('403');
  }
  expect(Object.keys(doc.paths ?? {}).length).toBe(new Set(Object.values(apiRoutes).map((r) => r.path)).size);
});
