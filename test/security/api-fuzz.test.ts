// No input to the API server yields a 500, a stack trace, an internal path or a control character: a few hundred
// odd requests (methods, paths, headers, bodies) at every route, sent byte for byte.
import { rawRequest } from '../helpers/raw-http';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('api-fuzz');
});
afterAll(() => stack?.stop());

const ROUTES = [
  '/api/v1/flows/rapid-clone',
  '/api/v1/flows/clone-preflight',
  '/api/v1/flows',
  '/api/v1/flows/x',
  '/api/v1/flows/x/cancel',
  '/api/v1/flows/x/events',
  '/api/v1/vms',
  '/api/v1/vms/name-check',
  '/api/v1/vendors',
  '/api/v1/session',
  '/api/openapi.json',
  '/api/docs',
  '/login',
  '/flows/new',
  '/assets/common.js',
  '/readyz',
];
const ODD_PATHS = [
  '/api/v1/flows/%00',
  '/api/v1/flows/%E0%A4%A',
  '/api/v1/flows/..%2F..%2Fetc%2Fpasswd',
  `/api/v1/flows/${'x'.repeat(300)}`,
  '/api/v1/flows?pageSize=-1',
  '/api/v1/flows?status[]=a',
  '/api/v1/flows?pageToken=%00%01',
  '/api/v1/vms?search=%00',
  '/api/v1/vms/name-check?name[x]=1',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/%',
  '/api/v1/flows/x/events?x=%ZZ',
];
const BODIES: [string, string][] = [
  ['application/json', '{"sourceVm":'],
  ['application/json', '[]'],
  ['application/json', 'null'],
  ['application/json', '"x"'],
  ['application/json', '{"sourceVm":{"$gt":""},"cloneName":["a"]}'],
  ['application/json', '{"__proto__":{"admin":true},"sourceVm":"web-01","cloneName":"a"}'],
  ['application/json', '['.repeat(5000) + ']'.repeat(5000)],
  ['application/json', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
  ['application/json', '\u0000\u0001'],
  ['text/plain', 'sourceVm=web-01'],
  ['application/x-www-form-urlencoded', 'sourceVm=web-01&cloneName=x'],
  ['application/json; charset=utf-7', '{}'],
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO'];

test('a few hundred odd requests: every answer is below 500, without stack, path or control character', async () => {
  const bad: string[] = [];
  const check = async (label: string, req: Parameters<typeof rawRequest>[1]) => {
    const res = await rawRequest(stack.apiUrl, { timeoutMs: 1500, ...req });
    if (res.status >= 500 || res.status === 0) bad.push(`${label}: ${res.status}`);
    const body =
      req.method === 'GET' && /assets|docs|login|flows\/new/.test(req.target) && res.status === 200 ? '' : res.body;
    if (/ENOENT|\/work\/|node_modules|\n\s+at [\w.<>]+ \(/.test(body))
      bad.push(`${label}: leaks ${body.slice(0, 120)}`);
  };
  const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
  let sent = 0;
  for (const target of [...ROUTES, ...ODD_PATHS]) {
    for (const method of METHODS) {
      await check(`${method} ${target}`, { method, target, headers: auth });
      sent++;
    }
  }
  for (const target of ROUTES.filter((r) => r.startsWith('/api/v1'))) {
    for (const [type, body] of BODIES) {
      await check(`POST ${target} ${type} ${body.slice(0, 20)}`, {
        method: 'POST',
        target,
        headers: { ...auth, 'Content-Type': type },
        body,
      });
      sent++;
    }
  }
  const headers: Record<string, string>[] = [
    { Authorization: 'Bearer' },
    { Authorization: `Bearer ${'x'.repeat(6000)}` },
    { Authorization: 'Basic Zm9vOmJhcg==' },
    { Cookie: 'hf_session=%E0%A4%A' },
    { Cookie: `hf_session=${'y'.repeat(4000)}` },
    { ...auth, 'Idempotency-Key': 'has space' },
    { ...auth, 'Idempotency-Key': 'k'.repeat(500) },
    { ...auth, 'Content-Length': '99999999' },
    { ...auth, 'X-Forwarded-For': '1.2.3.4, <script>' },
  ];
  for (const h of headers) {
    await check(`headers ${JSON.stringify(h).slice(0, 60)}`, {
      method: 'POST',
      target: '/api/v1/flows/rapid-clone',
      headers: { ...h, 'Content-Type': 'application/json' },
      body: '{}',
    });
    sent++;
  }
  expect(sent).toBeGreaterThan(300);
  expect(bad).toEqual([]);
}, 120_000);
