// Password guessing on the built-in engine: failed logins are throttled (429 with Retry-After) on the SSO token
// endpoint and on HTTP Basic, per client address and per user name; the token endpoint takes credentials in the
// body only and requires the ovirt-app-api scope; idle tokens are swept away.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Authenticator, TOKEN_IDLE_MS } from '../../engine/auth';
import { openDatabase } from '../../engine/db';
import { LoginThrottle, LoginThrottled } from '../../engine/login-throttle';
import { TestEngine } from '../engine/engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';

const form = (password: string, extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  scope: 'ovirt-app-api',
  username: 'admin@internal',
  password,
  ...extra,
});
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('failed-login throttling over HTTP', () => {
  let e: TestEngine;
  beforeEach(async () => {
    e = await TestEngine.start();
  });
  afterEach(async () => {
    await e.close();
  });

  test('500 wrong engine passwords in a burst, then the right one: 429 with Retry-After, no token', async () => {
    // However long the burst takes on a loaded machine, no lock-out may expire during it.
    e.clock.freeze();
    const statuses: number[] = [];
    for (let i = 0; i < 500; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => e.sso(form(`wrong-${i + j}`))));
      statuses.push(...batch.map((a) => a.status));
    }
    // 5 free failures, then one try each time a delay (1 s, 2 s, ...) has passed.
    expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(7);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(493);
    const right = await e.sso(form(ENGINE_PASSWORD));
    expect(right.status).toBe(429);
    expect(right.body).toEqual({
      error_code: 'temporarily_unavailable',
      error: expect.stringContaining('Too many failed logins'),
    });
    expect(right.body.access_token).toBeUndefined();
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('after 5 failures: 429 until the delay passes; the delays grow; a success resets the count', async () => {
    for (let i = 0; i < 5; i++) expect((await e.sso(form('wrong'))).status).toBe(400);
    const held = await e.sso(form(ENGINE_PASSWORD));
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('1');
    e.clock.advance(1100);
    expect((await e.sso(form('wrong again'))).status).toBe(400); // the 6th failure: 2 s now
    const longer = await e.sso(form(ENGINE_PASSWORD));
    expect([longer.status, longer.headers.get('retry-after')]).toEqual([429, '2']);
    e.clock.advance(2100);
    expect((await e.sso(form(ENGINE_PASSWORD))).status).toBe(200);
    // Reset: five more failures are allowed again before the first delay.
    for (let i = 0; i < 4; i++) expect((await e.sso(form('wrong'))).status).toBe(400);
    expect((await e.sso(form(ENGINE_PASSWORD))).status).toBe(200);
  });

  test('HTTP Basic is throttled the same way: 429 fault with Retry-After, even for the right password', async () => {
    await e.token('admin');
    for (let i = 0; i < 5; i++) {
      expect(
        (await e.get('/jobs', { as: 'none', headers: { authorization: basic('admin@internal', `bad-${i}`) } })).status,
      ).toBe(401);
    }
    const answer = await e.get('/jobs', {
      as: 'none',
      headers: { authorization: basic('admin@internal', ENGINE_PASSWORD) },
    });
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({
      reason: 'Too Many Requests',
      detail: expect.stringContaining('Too many failed logins'),
    });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const builtin = await e.callBuiltin('GET', '/builtin/capabilities', undefined, {
      as: 'none',
      headers: { authorization: basic('admin@internal', ENGINE_PASSWORD) },
    });
    expect(builtin.status).toBe(429);
    // Bearer tokens issued before are not passwords: they keep working.
    expect((await e.get('/jobs', { as: 'admin' })).status).toBe(200);
  });

  test('per user name too: failures spread over other names still hold back the address', async () => {
    for (const name of ['a@internal', 'b@internal', 'c@internal', 'd@internal', 'e@internal']) {
      expect((await e.sso({ ...form('x'), username: name })).status).toBe(400);
    }
    expect((await e.sso(form(ENGINE_PASSWORD))).status).toBe(429);
  });
});

describe('the token endpoint', () => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await TestEngine.start();
  });
  afterAll(async () => {
    await e.close();
  });

  test('credentials in the query string: 400, no token', async () => {
    const query = new URLSearchParams(form(ENGINE_PASSWORD)).toString();
    const res = await fetch(`${e.engine.url}/ovirt-engine/sso/oauth/token?${query}`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error_code: 'invalid_request', error: expect.stringContaining('body only') });
    // Also when the body carries them too: the query string is refused, whatever it holds.
    const both = await fetch(`${e.engine.url}/ovirt-engine/sso/oauth/token?password=${ENGINE_PASSWORD}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form(ENGINE_PASSWORD)).toString(),
    });
    expect(both.status).toBe(400);
  });

  test('a scope without ovirt-app-api: 400 invalid_scope, as OAuth answers it', async () => {
    for (const scope of ['openid', 'ovirt-app-admin', 'ovirt-app-api-x']) {
      const answer = await e.sso(form(ENGINE_PASSWORD, { scope }));
      expect([scope, answer.status, answer.body]).toEqual([
        scope,
        400,
        { error_code: 'invalid_scope', error: expect.stringContaining('ovirt-app-api') },
      ]);
    }
    const several = await e.sso(form(ENGINE_PASSWORD, { scope: 'ovirt-app-admin ovirt-app-api' }));
    expect(several.status).toBe(200);
  });
});

describe('idle tokens are swept away', () => {
  test('a sweep drops tokens idle for TOKEN_IDLE_MS; used ones stay; the sweep timer stops on close', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-auth-'));
    const db = openDatabase(dir);
    let now = 1_000_000;
    const auth = new Authenticator(db, { adminUser: 'admin@internal', adminPassword: ENGINE_PASSWORD, now: () => now });
    try {
      const admin = auth.login('admin@internal', ENGINE_PASSWORD, '127.0.0.1')!;
      for (let i = 0; i < 1000; i++) auth.issueToken(admin);
      const { token: kept } = auth.issueToken(admin);
      expect(auth.tokenCount).toBe(1001);
      now += TOKEN_IDLE_MS - 1000;
      expect(auth.userForToken(kept)?.id).toBe(admin.id);
      now += 2000;
      auth.sweep();
      expect(auth.tokenCount).toBe(1);
      expect(auth.userForToken(kept)?.id).toBe(admin.id);
    } finally {
      auth.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the throttle forgets failures after its window and keeps a bounded number of keys', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now, windowMs: 60_000, maxKeys: 100 });
    const fail = (address: string, user: string): void => {
      throttle.attempt(address, user, () => undefined);
    };
    for (let i = 0; i < 5; i++) fail('10.0.0.1', 'admin@internal');
    expect(() => fail('10.0.0.1', 'admin@internal')).toThrow(LoginThrottled);
    now += 61_000 + 60_000;
    throttle.sweep();
    expect(throttle.size).toBe(0);
    for (let i = 0; i < 1000; i++) fail(`10.0.${i >> 8}.${i & 255}`, `user-${i}@internal`);
    expect(throttle.size).toBeLessThanOrEqual(100);
  });
});
