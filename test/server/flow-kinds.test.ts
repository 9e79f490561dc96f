// The flow catalogue as the API shows it, against the real stack: GET /api/v1/flow-kinds lists every kind with its
// start request as JSON Schema (accepting a valid body, naming the required fields), the OpenAPI document has each
// kind's start route made from the catalogue, and every start route takes an Idempotency-Key.
import Ajv2020 from 'ajv/dist/2020';
import { randomUUID } from 'node:crypto';
import { flowCatalogue, startRouteName } from '../../server/flows/catalogue';
import { apiRoutes } from '../../server/api/routes';
import { openApiChecker } from '../helpers/openapi';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('flow-kinds', { mainWorker: false });
});
afterAll(() => stack?.stop());

/** A body each kind's start route takes. */
const VALID: Record<string, object> = {
  'rapid-clone': { sourceVm: 'web-01', cloneName: 'web-01-kinds' },
  'clone-preflight': { sourceVm: 'web-01' },
  'bulk-clone': { sourceVm: 'web-01', names: ['pool-a', 'pool-b'] },
};

test('GET /api/v1/flow-kinds lists every kind with a JSON Schema that takes a valid body and names required fields', async () => {
  const res = await stack.api('GET', '/api/v1/flow-kinds');
  expect(res.status).toBe(200);
  const doc = await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json();
  openApiChecker(doc).check('GET', '/api/v1/flow-kinds', 200, 'application/json', res.body);
  const names = res.body.items.map((k: { name: string }) => k.name);
  expect(names).toEqual(expect.arrayContaining(['rapid-clone', 'clone-preflight']));
  expect(names).toEqual(flowCatalogue.map((k) => k.name));
  const ajv = new Ajv2020({ strict: false });
  for (const kind of res.body.items) {
    expect(kind).toMatchObject({ description: expect.any(String), links: { start: `/api/v1/flows/${kind.name}` } });
    const validate = ajv.compile(kind.inputSchema);
    expect(validate(VALID[kind.name])).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ missingProperty: 'sourceVm' });
    expect(validate({ ...VALID[kind.name], unknownField: 1 })).toBe(false);
  }
  const rapid = res.body.items.find((k: { name: string }) => k.name === 'rapid-clone');
  expect(rapid.inputSchema.required).toEqual(['sourceVm', 'cloneName']);
});

test('flow-kinds needs the operator token like the other flow routes', async () => {
  expect((await fetch(`${stack.apiUrl}/api/v1/flow-kinds`)).status).toBe(401);
});

test("the OpenAPI document has each kind's start route, made from its catalogue entry", async () => {
  const doc = await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json();
  for (const kind of flowCatalogue) {
    const route = apiRoutes[startRouteName(kind.name)];
    expect(route.path).toBe(`/api/v1/flows/${kind.name}`);
    const operation = doc.paths[route.path].post;
    expect(operation.summary).toBe(kind.description);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['202', '400', '422']));
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    const body = operation.requestBody.content['application/json'].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    expect(Object.keys(schema.properties)).toEqual(Object.keys(kind.input.shape));
  }
  expect(doc.paths['/api/v1/flow-kinds'].get.responses['200']).toBeDefined();
});

test('a start route refuses a bad body with the fields named; the list filter takes only kinds of the catalogue', async () => {
  const bad = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'bad name' });
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.cloneName']);
  const filter = await stack.api('GET', '/api/v1/flows?kind=no-such-kind');
  expect(filter.status).toBe(400);
  expect(filter.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.kind']);
});

test('every start route takes an Idempotency-Key: the same key and request, the same flow', async () => {
  const key = randomUUID();
  const start = () =>
    fetch(`${stack.apiUrl}/api/v1/flows/clone-preflight`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ sourceVm: 'web-02' }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const first = await start();
  expect(first).toMatchObject({ status: 202, body: { kind: 'clone-preflight' } });
  expect((await start()).body.id).toBe(first.body.id);
  const listed = await stack.api('GET', `/api/v1/flows?kind=clone-preflight&pageSize=100`);
  expect(listed.body.items.filter((f: { id: string }) => f.id === first.body.id)).toHaveLength(1);
});
