// The vendor registry through the real API: the operator registers vendors and manages their keys; a vendor
// registers its activities with its own key, and that key reaches the vendor API only, and only its own objects.
import { contractRegistrations } from '../../common/storage-contract';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('vendor-registry');
});
afterAll(() => stack?.stop());

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const res = await fetch(stack.apiUrl + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}
const operator = (method: string, path: string, body?: unknown) => call(method, path, TEST_TOKEN, body);

const [cloneDisk] = contractRegistrations().filter((r) => r.name === 'cloneDisk');
const { name: _name, ...cloneDiskRegistration } = cloneDisk!;

test('the operator registers a vendor: key shown once, only its hash kept; a second one with the id is a 409', async () => {
  const created = await operator('POST', '/api/v1/vendors', { id: 'reg-one', name: 'Reg One', mode: 'temporal' });
  expect(created.status).toBe(201);
  expect(created.body.apiKey).toMatch(/^hfv_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  expect(created.body.webhookSecret).toBeUndefined();
  expect(created.body.vendor).toMatchObject({
    id: 'reg-one',
    mode: 'temporal',
    taskQueue: `${stack.taskQueue}.vendor.reg-one`,
    activities: [],
    online: false,
  });
  expect((await operator('POST', '/api/v1/vendors', { id: 'reg-one', name: 'Again', mode: 'temporal' })).status).toBe(
    409,
  );
  const listed = await operator('GET', '/api/v1/vendors');
  expect(listed.body.items.map((v: { id: string }) => v.id)).toContain('reg-one');
  // The secret is the key's last 43 characters (base64url, which may itself hold '_').
  const secretPart = created.body.apiKey.slice(-43);
  expect(listed.text).not.toContain(secretPart);
  expect((await operator('GET', '/api/v1/vendors/reg-one')).text).not.toContain(secretPart);
  expect((await operator('GET', '/api/v1/vendors/no-such')).status).toBe(404);
});

test('a webhook vendor gets its signing secret once; webhook mode needs a URL', async () => {
  const created = await operator('POST', '/api/v1/vendors', {
    id: 'reg-hook',
    name: 'Hook',
    mode: 'webhook',
    webhook: { url: 'https://vendor.example/tasks' },
  });
  expect(created.status).toBe(201);
  expect(created.body.webhookSecret).toMatch(/^whsec_/);
  expect(created.body.vendor.webhook).toEqual({ url: 'https://vendor.example/tasks' });
  expect((await operator('GET', '/api/v1/vendors/reg-hook')).text).not.toContain(created.body.webhookSecret);
  // Online in webhook mode: heard from lately (here: a vendor API call with its key).
  expect((await operator('GET', '/api/v1/vendors/reg-hook')).body).toMatchObject({ online: false, lastSeenAt: null });
  expect((await call('GET', '/api/v1/vendor/me', created.body.apiKey)).body).toMatchObject({ id: 'reg-hook' });
  const seen = (await operator('GET', '/api/v1/vendors/reg-hook')).body;
  expect(seen.online).toBe(true);
  expect(Date.now() - Date.parse(seen.lastSeenAt)).toBeLessThan(60_000);
  const bad = await operator('POST', '/api/v1/vendors', { id: 'reg-hook2', name: 'Hook', mode: 'webhook' });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ field: 'body.webhook', message: 'is required in webhook mode' }]);
});

test('a vendor registers its activities with its key; schemas are checked, contract activities must take the contract', async () => {
  const { body } = await operator('POST', '/api/v1/vendors', { id: 'reg-acts', name: 'Acts', mode: 'temporal' });
  const key = body.apiKey as string;
  const put = (name: string, registration: unknown) =>
    call('PUT', `/api/v1/vendor/activities/${name}`, key, registration);
  expect((await put('cloneDisk', { ...cloneDiskRegistration, heartbeatTimeout: '10s' })).status).toBe(201);
  const replaced = await put('cloneDisk', { ...cloneDiskRegistration, heartbeatTimeout: '20s' });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ name: 'cloneDisk', heartbeatTimeout: '20s' });

  const notASchema = await put('snapshotVolume', { description: 'x', inputSchema: { type: 12 }, outputSchema: {} });
  expect(notASchema.status).toBe(400);
  expect(notASchema.body.errors[0].field).toBe('body.inputSchema');
  const refusesContract = await put('deleteImage', {
    description: 'x',
    inputSchema: { type: 'object', required: ['volumeName'] },
    outputSchema: {},
  });
  expect(refusesContract.status).toBe(400);
  expect(refusesContract.body.errors[0].message).toMatch(/must accept the storage contract's deleteImage input/);
  const badDuration = await put('cloneDisk', { ...cloneDiskRegistration, heartbeatTimeout: 'soon' });
  expect(badDuration.status).toBe(400);
  expect(badDuration.body.errors[0].field).toBe('body.heartbeatTimeout');

  const mine = await call('GET', '/api/v1/vendor/activities', key);
  expect(mine.body.items.map((a: { name: string }) => a.name)).toEqual(['cloneDisk']);
  expect((await operator('GET', '/api/v1/vendors/reg-acts')).body.activities).toHaveLength(1);
});

test('auth matrix: no key, wrong key, revoked key, operator token on vendor paths, vendor key on operator paths', async () => {
  const { body } = await operator('POST', '/api/v1/vendors', { id: 'reg-auth', name: 'Auth', mode: 'temporal' });
  const first = body.apiKey as string;
  const other = (await operator('POST', '/api/v1/vendors', { id: 'reg-other', name: 'Other', mode: 'temporal' })).body
    .apiKey as string;
  await call('PUT', '/api/v1/vendor/activities/cloneDisk', other, cloneDiskRegistration);

  expect((await call('GET', '/api/v1/vendor/activities', undefined)).status).toBe(401);
  expect((await call('GET', '/api/v1/vendor/activities', `${first.slice(0, -4)}AAAA`)).status).toBe(401);
  expect((await call('GET', '/api/v1/vendor/activities', 'hfv_garbage')).status).toBe(401);
  expect((await call('GET', '/api/v1/vendor/activities', TEST_TOKEN)).status).toBe(403);
  for (const [method, path] of [
    ['GET', '/api/v1/vendors'],
    ['GET', '/api/v1/flows'],
    ['POST', '/api/v1/vendors/reg-auth/keys'],
    ['GET', '/api/v1/no-such-path'],
  ]) {
    expect({ path, status: (await call(method!, path!, first)).status }).toEqual({ path, status: 403 });
  }
  // Each vendor sees its own registrations only.
  expect((await call('GET', '/api/v1/vendor/activities', first)).body.items).toEqual([]);
  expect((await call('GET', '/api/v1/vendor/activities', other)).body.items).toHaveLength(1);

  // Rotation: a second key works; the first, once revoked, is a 401; another vendor's key id is a 404.
  const second = await operator('POST', '/api/v1/vendors/reg-auth/keys');
  expect(second.status).toBe(201);
  const firstId = first.split('_')[1];
  expect((await operator('DELETE', `/api/v1/vendors/reg-other/keys/${firstId}`)).status).toBe(404);
  expect((await operator('DELETE', `/api/v1/vendors/reg-auth/keys/${firstId}`)).status).toBe(204);
  expect((await call('GET', '/api/v1/vendor/activities', first)).status).toBe(401);
  expect((await call('GET', '/api/v1/vendor/activities', second.body.apiKey)).status).toBe(200);
  const keys = (await operator('GET', '/api/v1/vendors/reg-auth')).body.keys;
  expect(keys.map((k: { revokedAt: string | null }) => k.revokedAt !== null)).toEqual([true, false]);

  // Removing the vendor ends its keys.
  expect((await operator('DELETE', '/api/v1/vendors/reg-auth')).status).toBe(204);
  expect((await call('GET', '/api/v1/vendor/activities', second.body.apiKey)).status).toBe(401);
  expect((await operator('GET', '/api/v1/vendors/reg-auth')).status).toBe(404);
});

test('a flow needs a registered vendor with the whole storage contract (400 naming body.vendor)', async () => {
  await operator('POST', '/api/v1/vendors', { id: 'reg-partial', name: 'Partial', mode: 'temporal' });
  const partial = await operator('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'reg-partial-clone',
    vendor: 'reg-partial',
  });
  expect(partial.status).toBe(400);
  expect(partial.body.errors[0].field).toBe('body.vendor');
  expect(partial.body.errors[0].message).toMatch(/has not registered the storage contract's checkCloneable, cloneDisk/);
  const unknown = await operator('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'web-01', vendor: 'nobody' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors[0].message).toMatch(/is not a registered vendor/);
});

test("a vendor whose registered input schema refuses this flow's input is a 400 before the flow starts", async () => {
  const { body } = await operator('POST', '/api/v1/vendors', { id: 'reg-small', name: 'Small', mode: 'temporal' });
  for (const { name, ...registration } of contractRegistrations()) {
    // Its clones take disks up to 15 GiB: the contract's example (10 GiB) passes, web-01's 20 GiB disk does not.
    const inputSchema =
      name === 'cloneDisk'
        ? {
            type: 'object',
            properties: { sourceDisk: { type: 'object', properties: { sizeBytes: { maximum: 15 * 2 ** 30 } } } },
          }
        : registration.inputSchema;
    const put = await call('PUT', `/api/v1/vendor/activities/${name}`, body.apiKey, { ...registration, inputSchema });
    expect(put.status).toBe(201);
  }
  const refused = await operator('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'reg-small-clone',
    vendor: 'reg-small',
  });
  expect(refused.status).toBe(400);
  expect(refused.body.errors[0].field).toBe('body.vendor');
  expect(refused.body.errors[0].message).toMatch(/cloneDisk input schema that refuses this flow's input .*sizeBytes/);
  // A preflight sends no cloneDisk: it starts.
  expect(
    (await operator('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'web-01', vendor: 'reg-small' })).status,
  ).toBe(202);
});
