// The oVirt REST client against a fake engine over HTTPS (a unit test: the engine is the boundary faked here):
// TLS with a CA file or the insecure flag, JSON read as oVirt writes it, Correlation-Id, one re-login on 401,
// the per-call timeout, and faults turned into typed errors that decide retries.
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OvirtClient } from '../../ovirt/client';
import {
  OvirtAuthError,
  OvirtBadRequestError,
  OvirtConflictError,
  OvirtNotFoundError,
  OvirtUnavailableError,
} from '../../ovirt/errors';
import { collection, Vm } from '../../ovirt/representation';

const TLS = path.join(__dirname, '..', 'fixtures', 'tls');
const caFile = path.join(TLS, 'engine-cert.pem');

let server: https.Server;
let url: string;
let logins = 0;
let expired = new Set<string>();
let alwaysUnauthorized = false;
let loginsThrottled = false;
const seenCorrelationIds: string[] = [];

beforeAll(async () => {
  server = https.createServer(
    { key: fs.readFileSync(path.join(TLS, 'engine-key.pem')), cert: fs.readFileSync(caFile) },
    (req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/ovirt-engine/sso/oauth/token') {
        if (loginsThrottled) {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
          return res.end(
            JSON.stringify({ error_code: 'access_denied', error: 'Too many failed logins: try again in 2 s.' }),
          );
        }
        logins++;
        return send(200, { access_token: `token-${logins}`, token_type: 'bearer', exp: String(Date.now() + 60_000) });
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || expired.has(token) || alwaysUnauthorized)
        return send(401, { reason: 'Unauthorized', detail: 'token expired' });
      seenCorrelationIds.push(String(req.headers['correlation-id'] ?? ''));
      const status = /^\/ovirt-engine\/api\/status\/(\d+)$/.exec(req.url ?? '')?.[1];
      if (status) return send(Number(status), { reason: 'Operation Failed', detail: `[Injected ${status}]` });
      if (req.url === '/ovirt-engine/api/slow') return void setTimeout(() => send(200, {}), 2000);
      if (req.url?.startsWith('/ovirt-engine/api/vms')) {
        return send(200, {
          vm: [
            {
              id: 'vm-1',
              name: 'web-01',
              status: 'up',
              memory: '1073741824',
              stateless: 'false',
              href: '/ovirt-engine/api/vms/vm-1',
            },
          ],
        });
      }
      send(404, { reason: 'Not Found', detail: 'no such path' });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/ovirt-engine/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  logins = 0;
  expired = new Set();
  alwaysUnauthorized = false;
  loginsThrottled = false;
});

const client = (extra: Partial<ConstructorParameters<typeof OvirtClient>[0]> = {}) =>
  new OvirtClient({ url, password: 'secret', caFile, ...extra });

test('TLS: the CA file or the insecure flag is needed to talk to an engine with its own CA', async () => {
  const strict = new OvirtClient({ url, password: 'secret' });
  const refused = await strict.get('/vms', collection('vm', Vm)).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(OvirtUnavailableError);
  expect((refused as Error).message).toMatch(/SELF_SIGNED|self[- ]signed|certificate/i);
  await strict.close();
  for (const c of [client(), new OvirtClient({ url, password: 'secret', insecure: true })]) {
    expect((await c.get('/vms', collection('vm', Vm)))[0]?.name).toBe('web-01');
    await c.close();
  }
});

test('reads JSON as oVirt writes it: integers as strings become numbers; Correlation-Id goes with every call', async () => {
  const c = client();
  const [vm] = await c
    .withCorrelationId('rapid-clone-web-01-1234')
    .get('/vms', collection('vm', Vm), { query: { search: 'name=web-01' } });
  expect(vm).toMatchObject({ id: 'vm-1', memory: 1073741824 });
  expect(seenCorrelationIds.at(-1)).toBe('rapid-clone-web-01-1234');
  await c.close();
});

test('an expired token (401) means one new login and one retry; a second 401 is a final auth error', async () => {
  const c = client();
  await c.get('/vms', collection('vm', Vm));
  expect(logins).toBe(1);
  expired.add('token-1');
  await c.get('/vms', collection('vm', Vm));
  expect(logins).toBe(2);
  alwaysUnauthorized = true;
  const err = await c.get('/vms', collection('vm', Vm)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OvirtAuthError);
  expect((err as OvirtAuthError).retryable).toBe(false);
  expect(logins).toBe(3); // exactly one re-login, no loop
  await c.close();
});

test('a call that takes longer than the timeout fails as retryable', async () => {
  const c = client({ timeoutMs: 300 });
  const err = await c.get('/slow', Vm).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OvirtUnavailableError);
  expect((err as Error).message).toMatch(/timed out/);
  expect((err as OvirtUnavailableError).retryable).toBe(true);
  await c.close();
});

test.each([
  [400, OvirtBadRequestError, false],
  [404, OvirtNotFoundError, false],
  [409, OvirtConflictError, true],
  [500, OvirtUnavailableError, true],
  [503, OvirtUnavailableError, true],
])('a %i fault becomes a typed error that decides retries', async (status, type, retryable) => {
  const c = client();
  const err = await c.get(`/status/${status}`, Vm).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(type);
  expect(err).toMatchObject({ status, retryable, detail: `Operation Failed: [Injected ${status}]` });
  expect((err as Error).name).toBe(type.name); // the type Temporal's retry policy matches on
  await c.close();
});

test('a login the engine throttles (429) is retryable, not a final auth error', async () => {
  loginsThrottled = true;
  const c = client();
  const err = await c.get('/vms', collection('vm', Vm)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OvirtUnavailableError);
  expect(err).toMatchObject({ status: 429, retryable: true });
  loginsThrottled = false;
  expect((await c.get('/vms', collection('vm', Vm)))[0]?.name).toBe('web-01'); // the next attempt logs in
  await c.close();
});
