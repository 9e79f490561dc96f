// The web login as an attacker would try it: redirects after login stay on this origin (as the browser parses the
// address), sessions live on the server (a new one each login, gone after logout), and wrong tokens are throttled
// with 429 and Retry-After. Real API server, real headless Chromium for the redirects.
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { openServerDb } from '../../db/database';
import { createSessionStore } from '../../db/sessions';
import { AuthThrottle } from '../../server/throttle';
import { TEST_TOKEN, startTestStack, type TestStack } from '../helpers/stack';
import { launchBrowser } from '../helpers/browser';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startTestStack('web-session', { allowedHosts: ['hybridflow.example.com'] }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const login = async (cookie?: string) => {
  const res = await fetch(`${stack.apiUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ token: TEST_TOKEN }),
  });
  expect(res.status).toBe(204);
  return {
    setCookie: res.headers.get('set-cookie') ?? '',
    cookie: /hf_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0],
  };
};
/** A request with headers fetch() will not send (Host). */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(`${stack.apiUrl}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const flows = (cookie: string) => fetch(`${stack.apiUrl}/api/v1/flows`, { headers: { cookie } }).then((r) => r.status);

test.each([
  '/%09/evil.example/x',
  '/%0A/evil.example/x',
  '/%0D/evil.example/x',
  '/%09%5Cevil.example/',
  '//evil.example/x',
  '/%5C%5Cevil.example',
  'https://evil.example/',
  '/login?next=//evil.example',
])('/login?next=%s#token=... never leaves the origin', async (next) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/login?next=${next}#token=${TEST_TOKEN}`);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 10_000 });
    const landed = new URL(page.url());
    expect(landed.origin).toBe(stack.apiUrl);
    expect(page.url()).not.toContain(TEST_TOKEN);
  } finally {
    await context.close();
  }
});

test('a same-origin next keeps its path and query', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/login?next=${encodeURIComponent('/flows?status=failed')}#token=${TEST_TOKEN}`);
    await page.waitForURL(`${stack.apiUrl}/flows?status=failed`, { timeout: 10_000 });
  } finally {
    await context.close();
  }
});

test('each login makes a new session; DELETE /api/v1/session ends it on the server (the old cookie is refused)', async () => {
  const first = await login();
  const second = await login();
  expect(second.cookie).not.toBe(first.cookie);
  expect(first.setCookie).toMatch(/HttpOnly/i);
  expect(first.setCookie).toMatch(/SameSite=Strict/i);
  expect(first.setCookie).toMatch(/Max-Age=\d+/i);
  expect(await flows(first.cookie)).toBe(200);
  // Logging in again from the browser holding the first session ends that session (rotation).
  const rotated = await login(first.cookie);
  expect(await flows(first.cookie)).toBe(401);
  expect(await flows(rotated.cookie)).toBe(200);

  const out = await fetch(`${stack.apiUrl}/api/v1/session`, { method: 'DELETE', headers: { cookie: rotated.cookie } });
  expect(out.status).toBe(204);
  const after = await fetch(`${stack.apiUrl}/api/v1/flows`, { headers: { cookie: rotated.cookie } });
  expect(after.status).toBe(401);
  expect((await after.json()).detail).toMatch(/session has ended/);
  expect(await flows(second.cookie)).toBe(200); // another browser's session is untouched
});

test('the session cookie is Secure when the API is reached by a name other than this machine (an allowed host)', async () => {
  const { status, headers } = await rawRequest(
    'POST',
    '/api/v1/session',
    { Host: 'hybridflow.example.com', 'Content-Type': 'application/json' },
    JSON.stringify({ token: TEST_TOKEN }),
  );
  expect(status).toBe(204);
  expect(String(headers['set-cookie'])).toMatch(/;\s*Secure/i);
  const local = await rawRequest(
    'POST',
    '/api/v1/session',
    { Host: 'localhost', 'Content-Type': 'application/json' },
    JSON.stringify({ token: TEST_TOKEN }),
  );
  expect(String(local.headers['set-cookie'])).not.toMatch(/;\s*Secure/i); // plain HTTP on this machine (the dev stack)
});

test('DNS rebinding: a request naming another host is a 421; a write from another origin is a 403', async () => {
  for (const path of ['/api/v1/flows', '/flows', '/readyz', '/api/openapi.json']) {
    const res = await rawRequest('GET', path, { Host: 'attacker.example', Authorization: `Bearer ${TEST_TOKEN}` });
    expect(res.status).toBe(421);
    expect(res.body).not.toContain('"items"');
  }
  for (const host of [
    'attacker.example:80',
    'localhost@attacker.example',
    '127.0.0.1/x',
    '127.0.0.1.attacker.example',
  ]) {
    expect(
      (await rawRequest('GET', '/api/v1/flows', { Host: host, Authorization: `Bearer ${TEST_TOKEN}` })).status,
    ).toBe(421);
  }
  const { cookie } = await login();
  const write = await rawRequest('POST', '/api/v1/flows/x/cancel', {
    Host: '127.0.0.1',
    Origin: 'http://attacker.example',
    cookie,
    'X-Requested-By': 'hybridflow',
  });
  expect(write.status).toBe(403);
  const same = await rawRequest('POST', '/api/v1/flows/x/cancel', {
    Host: '127.0.0.1',
    Origin: stack.apiUrl,
    cookie,
    'X-Requested-By': 'hybridflow',
  });
  expect(same.status).toBe(404); // allowed through: the flow does not exist
  expect(
    (await rawRequest('GET', '/api/v1/flows', { Host: 'LOCALHOST:1234', Authorization: `Bearer ${TEST_TOKEN}` }))
      .status,
  ).toBe(200);
  expect(
    (await rawRequest('GET', '/api/v1/flows', { Host: '[::1]:8080', Authorization: `Bearer ${TEST_TOKEN}` })).status,
  ).toBe(200);
});

test('wrong API tokens: after 10, every attempt (even the right token) is a 429 with Retry-After', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${stack.apiUrl}/api/v1/flows`, { headers: { Authorization: `Bearer wrong-token-${i}` } });
    statuses.push(res.status);
  }
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual([429, 429]);
  const right = await fetch(`${stack.apiUrl}/api/v1/flows`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
  expect(right.status).toBe(429);
  expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  const session = await fetch(`${stack.apiUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: TEST_TOKEN }),
  });
  expect(session.status).toBe(429);
  expect((await session.json()).title).toBe('Too many failed attempts');
});

test('sessions expire when idle and at their maximum age; the throttle lock-out grows and a success resets the count', async () => {
  let now = 0;
  const db = await openServerDb();
  const sessions = createSessionStore(db, { idleMs: 1000, maxAgeMs: 5000, now: () => now });
  const id = await sessions.create();
  now = 900;
  expect(await sessions.touch(id)).toBe(true);
  now = 1800;
  expect(await sessions.touch(id)).toBe(true); // kept alive by use
  now = 2900;
  expect(await sessions.touch(id)).toBe(false); // idle too long
  const old = await sessions.create();
  for (now = 3000; now < 8000; now += 900) if (now < 7900) expect(await sessions.touch(old)).toBe(now - 2900 < 5000);
  expect(await sessions.touch(old)).toBe(false);
  const ended = await sessions.create();
  await sessions.end(ended);
  expect(await sessions.touch(ended)).toBe(false);
  // Only the hash of a session's id is kept: a copy of the database opens no session.
  const live = await sessions.create();
  const stored = await db.selectFrom('web_sessions').select('id_hash').execute();
  expect(stored.map((r) => r.id_hash)).not.toContain(live);
  await db.destroy();

  now = 0;
  const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 1000, lockMs: 2000, now: () => now });
  throttle.failed('a');
  throttle.failed('a');
  throttle.succeeded('a');
  throttle.failed('a');
  throttle.failed('a');
  expect(throttle.retryAfter('a')).toBe(0);
  throttle.failed('a');
  expect(throttle.retryAfter('a')).toBe(2);
  now = 2000;
  expect(throttle.retryAfter('a')).toBe(0);
  for (let i = 0; i < 3; i++) throttle.failed('a');
  expect(throttle.retryAfter('a')).toBe(4); // the second lock-out doubles
  expect(throttle.retryAfter('b')).toBe(0);
});
