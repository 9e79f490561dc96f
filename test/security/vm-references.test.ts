// A VM reference resolves to exactly one VM, by id or by exact name: a wildcard never picks a target, and a search
// the engine cannot read is a 400 naming our field, not the engine's raw error.
import { findVm, vmsNamed } from '../../ovirt/vm-queries';
import { collection, Vm } from '../../ovirt/representation';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('vm-references');
});
afterAll(() => stack?.stop());

const field = (body: { errors?: { field: string; message: string }[] }, name: string) =>
  body.errors?.find((e) => e.field === name);

test('POST /api/v1/flows/rapid-clone {"sourceVm":"db*"} is a 400 naming body.sourceVm, and starts nothing', async () => {
  for (const sourceVm of [
    'db*',
    '*',
    'db-0?',
    'name=db-01',
    'db-01 or name=web-01',
    '"db-01"',
    'web-01\n2026-11-29 INFO forged log line',
    'web-01\u0000',
  ]) {
    const res = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm, cloneName: 'x' });
    expect(res.status).toBe(400);
    expect(field(res.body, 'body.sourceVm')?.message).toMatch(/exact name .* or its id/);
  }
  const db = (await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: 'name=db-01' } }))[0]!;
  expect(db.status).toBe('up');
});

test('a clone preflight with "*" is a 400 too (it resolved to build-01 before)', async () => {
  const res = await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: '*' });
  expect(res.status).toBe(400);
  expect(field(res.body, 'body.sourceVm')).toBeDefined();
});

test('GET /api/v1/vms?search=a%20b is a 400 naming query.search, not the engine raw error', async () => {
  const res = await stack.api('GET', '/api/v1/vms?search=a%20b');
  expect(res.status).toBe(400);
  expect(field(res.body, 'query.search')?.message).toMatch(/characters of VM names/);
  expect(JSON.stringify(res.body)).not.toMatch(/Cannot search|Operation Failed/);
});

test('the resolver takes an exact name or an id, never the first of several matches', async () => {
  const web = (await vmsNamed(stack.ovirt, 'web-01'))[0]!;
  expect(web.name).toBe('web-01');
  expect((await findVm(stack.ovirt, web.id))?.name).toBe('web-01');
  expect((await findVm(stack.ovirt, web.id.toUpperCase()))?.id).toBe(web.id);
  expect(await findVm(stack.ovirt, 'web')).toBeUndefined(); // a prefix is not a name
  expect(await findVm(stack.ovirt, 'web-0*')).toBeUndefined();
  expect(await vmsNamed(stack.ovirt, '*')).toEqual([]);
  expect(await findVm(stack.ovirt, '00000000-0000-0000-0000-000000000000')).toBeUndefined();
});
