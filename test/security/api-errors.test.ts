// Errors of the API server as an attacker would probe them: no 500, no internal path, no forged page token reaching
// Temporal, and a docs page that serves only what it needs, under a CSP.
import { ENGINE_PASSWORD, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('api-errors');
});
afterAll(() => stack?.stop());

const get = (path: string, auth = true) =>
  fetch(stack.apiUrl + path, { headers: auth ? { Authorization: `Bearer ${TEST_TOKEN}` } : {} });

test('GET /api/v1/flows?pageToken=AAAA is a 400 naming query.pageToken, at once', async () => {
  for (const token of ['AAAA', 'A'.repeat(200), '%00', '!!!!']) {
    const started = Date.now();
    const res = await get(`/api/v1/flows?pageToken=${token}`);
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('query.pageToken');
    expect(Date.now() - started).toBeLessThan(1000);
  }
});

test('a page token works for its own listing only', async () => {
  for (let i = 0; i < 3; i++) await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'web-01' });
  const first = await stack.api('GET', '/api/v1/flows?pageSize=1');
  expect(first.body.nextPageToken).toEqual(expect.any(String));
  expect((await stack.api('GET', `/api/v1/flows?pageSize=1&pageToken=${first.body.nextPageToken}`)).status).toBe(200);
  expect(
    (await stack.api('GET', `/api/v1/flows?pageSize=1&status=failed&pageToken=${first.body.nextPageToken}`)).status,
  ).toBe(400);
});

test('404s carry no internal path, on pages, assets and the API alike', async () => {
  for (const path of [
    '/assets/nope.js',
    '/assets/../../package.json',
    '/api/docs/assets/package.json',
    '/api/docs/assets/index.html',
    '/api/docs/assets/oauth2-redirect.html',
    '/api/v1/nope',
    '/nope',
  ]) {
    const res = await get(path);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toMatch(/ENOENT|\/server\/|\/work\/|node_modules|at .*\(/);
  }
});

test('/api/docs sends a CSP, nosniff and frame-ancestors; its script is a file of this origin', async () => {
  const res = await get('/api/docs', false);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await res.text();
  expect(html).not.toMatch(/<script>[^<]/); // no inline script
  expect((await get('/api/docs/assets/docs.js', false)).status).toBe(200);
  expect((await get('/api/docs/assets/swagger-ui.css', false)).status).toBe(200);
});

test('an engine refusing or failing a read is a 502 / 503 of the API, not the engine answer passed through', async () => {
  const auth = {
    Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    'Content-Type': 'application/json',
  };
  const rules = (status: number) => ({ rules: [{ pathPattern: '^/vms$', method: 'GET', errorRate: 1, status }] });
  try {
    await fetch(`${stack.engine.url}/builtin/faults`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify(rules(409)),
    });
    const refused = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'web-01-x' });
    expect(refused.status).toBe(502);
    expect(refused.body.title).toBe('Engine refused the request');
    await fetch(`${stack.engine.url}/builtin/faults`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify(rules(503)),
    });
    const down = await fetch(`${stack.apiUrl}/api/v1/vms`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
  } finally {
    await fetch(`${stack.engine.url}/builtin/faults`, { method: 'DELETE', headers: auth });
  }
});
