// DNS rebinding and cross-site writes on the built-in engine: every request must name an allowed host (421
// otherwise), and a browser write from a page of another site is refused (403).
import { TestEngine } from '../engine/engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import { rawRequest } from '../helpers/raw-http';
import { allowedHostSet, hostnameOfHostHeader } from '../../engine/host-guard';

let e: TestEngine;
beforeAll(async () => {
  e = await TestEngine.start({ allowedHosts: ['engine.internal.example', 'Engine-2.Example.'] });
});
afterAll(async () => {
  await e.close();
});

const basic = `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`;
const port = (): string => new URL(e.engine.url).port;
const get = (target: string, host: string, headers: Record<string, string> = {}) =>
  rawRequest(e.engine.url, { method: 'GET', target, headers: { host, ...headers }, timeoutMs: 1500 });

describe('Host header (DNS rebinding)', () => {
  test.each(['/tasks/api/jobs', '/tasks/api/counts', '/tasks/events'])(
    'GET %s with Host: attacker.example is 421 with a fault, and no data',
    async (target) => {
      const answer = await get(target, 'attacker.example');
      expect(answer.status).toBe(421);
      expect(JSON.parse(answer.body)).toEqual({
        reason: 'Misdirected Request',
        detail: expect.stringContaining("'attacker.example'"),
      });
      expect(answer.body).not.toContain('jobs":');
      expect(answer.body).not.toContain('counts');
    },
  );

  test('with a port the same: Host: attacker.example:8070 is 421', async () => {
    expect((await get('/tasks/api/counts', `attacker.example:${port()}`)).status).toBe(421);
  });

  test('every part of the engine checks it: API, SSO, /builtin, the page', async () => {
    for (const target of [
      '/ovirt-engine/api/jobs',
      '/ovirt-engine/api',
      '/builtin/capabilities',
      '/builtin/faults',
      '/tasks',
      '/nowhere',
    ]) {
      expect([target, (await get(target, 'attacker.example', { authorization: basic })).status]).toEqual([target, 421]);
    }
    const token = await rawRequest(e.engine.url, {
      method: 'POST',
      target: '/ovirt-engine/sso/oauth/token',
      headers: { host: 'attacker.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: 'admin@internal',
        password: ENGINE_PASSWORD,
      }).toString(),
    });
    expect(token.status).toBe(421);
    expect(token.body).not.toContain('access_token');
  });

  test('loopback names, with or without a port, and the allowedHosts names are served', async () => {
    for (const host of [
      'localhost',
      `localhost:${port()}`,
      '127.0.0.1',
      `127.0.0.1:${port()}`,
      '[::1]',
      `[::1]:${port()}`,
      '::1',
      'LOCALHOST',
      'engine.internal.example',
      `engine-2.example:${port()}`,
    ]) {
      expect([host, (await get('/tasks/api/counts', host)).status]).toEqual([host, 200]);
    }
  });

  test('the refusal echoes the host only clipped and without control characters', async () => {
    // Node refuses C0 controls in headers itself (400); a tab and C1 controls (ANSI CSI) get through to the engine.
    const answer = await get('/tasks/api/counts', `evil\t\u009b[31m${'a'.repeat(300)}.example`);
    expect(answer.status).toBe(421);
    expect((await get('/tasks/api/counts', 'evil\x01.example')).status).toBe(400);
    const { detail } = JSON.parse(answer.body) as { detail: string };
    expect(detail).not.toContain('a'.repeat(65));
    // eslint-disable-next-line no-control-regex
    expect(detail).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(detail).toContain("'evil[31maaa");
  });

  test('malformed Host headers are refused', async () => {
    for (const host of ['127.0.0.1:80x', '[::1', '[::1]x', ':8070', 'localhost@attacker.example']) {
      expect([host, (await get('/tasks/api/counts', host)).status]).toEqual([host, 421]);
    }
  });

  test('the listen address counts only when it is a specific address', () => {
    expect(allowedHostSet('0.0.0.0').has('0.0.0.0')).toBe(false);
    expect(allowedHostSet('::').has('::')).toBe(false);
    expect(allowedHostSet('10.1.2.3').has('10.1.2.3')).toBe(true);
    expect(allowedHostSet('fd00::5').has('fd00::5')).toBe(true);
    expect(hostnameOfHostHeader('[fd00::5]:8070')).toBe('fd00::5');
  });
});

describe('Origin on writes (cross-site requests)', () => {
  const write = (method: string, target: string, origin: string | undefined, body = '{}') =>
    rawRequest(e.engine.url, {
      method,
      target,
      headers: {
        host: `127.0.0.1:${port()}`,
        authorization: basic,
        'content-type': 'application/json',
        accept: 'application/json',
        ...(origin === undefined ? {} : { origin }),
      },
      body,
    });

  test('POST, PUT, DELETE with Origin: http://attacker.example are 403 and change nothing', async () => {
    const before = (await e.get('/jobs')).body.job?.length ?? 0;
    const cases: [string, string, string?][] = [
      ['POST', '/ovirt-engine/api/jobs', JSON.stringify({ description: 'csrf' })],
      ['PUT', '/builtin/faults', JSON.stringify([{ pathPattern: '.*', errorRate: 1 }])],
      ['DELETE', '/builtin/faults'],
      ['POST', '/ovirt-engine/sso/oauth/token'],
    ];
    for (const [method, target, body] of cases) {
      const answer = await write(method, target, 'http://attacker.example', body);
      expect([method, target, answer.status]).toEqual([method, target, 403]);
      expect(JSON.parse(answer.body)).toEqual({ reason: 'Forbidden', detail: expect.any(String) });
    }
    expect((await e.get('/jobs')).body.job?.length ?? 0).toBe(before);
    expect((await e.callBuiltin('GET', '/builtin/faults')).body.rules).toEqual([]);
  });

  test('Origin: null (a sandboxed page) is refused on writes', async () => {
    expect((await write('POST', '/ovirt-engine/api/jobs', 'null', JSON.stringify({ description: 'x' }))).status).toBe(
      403,
    );
  });

  test('writes from an allowed origin (any port) or without Origin (not a browser) go on; reads ignore Origin', async () => {
    expect(
      (
        await write(
          'POST',
          '/ovirt-engine/api/jobs',
          `http://localhost:${port()}`,
          JSON.stringify({ description: 'same site' }),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await write(
          'POST',
          '/ovirt-engine/api/jobs',
          'http://engine.internal.example:9999',
          JSON.stringify({ description: 'named' }),
        )
      ).status,
    ).toBe(201);
    expect(
      (await write('POST', '/ovirt-engine/api/jobs', undefined, JSON.stringify({ description: 'curl' }))).status,
    ).toBe(201);
    expect(
      (
        await get('/ovirt-engine/api/jobs', `127.0.0.1:${port()}`, {
          authorization: basic,
          origin: 'http://attacker.example',
          accept: 'application/json',
        })
      ).status,
    ).toBe(200);
  });
});
