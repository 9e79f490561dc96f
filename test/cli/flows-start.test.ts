// `hybridflow flows start <kind> --input file.json`, run as a process against a real test stack: a rapid clone
// followed to completion, a preflight from stdin with --json, and the plain errors (exit 1) for an unknown kind
// (listing the API's kinds), a refused input (its fields named as in the file) and a file that is not JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { collection, Vm } from '../../ovirt/representation';
import { runCli } from '../helpers/processes';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack('cli-flows-start', { cloneMs: 500 });
  env = { HF_API_URL: stack.apiUrl, HF_API_TOKEN: TEST_TOKEN, NO_COLOR: '1' };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-flows-start-'));
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the input file, then runs the command to its end. */
async function run(args: string[], input?: unknown, stdin?: string) {
  const file = path.join(dir, `${randomUUID()}.json`);
  if (input !== undefined) fs.writeFileSync(file, typeof input === 'string' ? input : JSON.stringify(input));
  const cli = runCli(
    args.map((a) => (a === '<file>' ? file : a)),
    env,
    { stdin },
  );
  const code = await cli.exited;
  return { code, output: cli.output() };
}

const noStackTrace = (output: string) => expect(output).not.toMatch(/\n\s+at \S+ \(/);

test('flows start rapid-clone --input file.json --wait follows the clone to completion and exits 0', async () => {
  const name = `cli-start-${randomUUID().slice(0, 6)}`;
  const { code, output } = await run(['flows', 'start', 'rapid-clone', '--input', '<file>', '--wait'], {
    sourceVm: 'web-01',
    cloneName: name,
  });
  expect({ code, output }).toMatchObject({ code: 0 });
  expect(output).toMatch(/^Rapid clone started: rapid-clone-web-01-\S+$/m);
  expect(output).toMatch(/^✓ finished {2}\S.* \(\d+(\.\d)?s\)$/m);
  expect(output).toMatch(new RegExp(`^✓ Clone ${name} is ready \\(VM id [0-9a-f-]{36}\\), in .+\\.$`, 'm'));
  const vms = await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${name}` } });
  expect(vms).toHaveLength(1);
});

test('--input - reads the request from stdin; --json prints the start answer', async () => {
  const { code, output } = await run(
    ['flows', 'start', 'clone-preflight', '--input', '-', '--json'],
    undefined,
    JSON.stringify({ sourceVm: 'db-01' }),
  );
  expect(code).toBe(0);
  expect(JSON.parse(output)).toMatchObject({
    id: expect.stringMatching(/^clone-preflight-db-01-/),
    kind: 'clone-preflight',
  });
});

test('an unknown kind exits 1 naming the kinds the API starts', async () => {
  const { code, output } = await run(['flows', 'start', 'teleport', '--input', '<file>'], { sourceVm: 'web-01' });
  expect(code).toBe(1);
  expect(output).toMatch(/Unknown flow kind "teleport"\. The API starts: rapid-clone \(.+\), clone-preflight \(.+\)\./);
  noStackTrace(output);
});

test('a refused input exits 1 with the API 400 naming each field as in the file', async () => {
  const { code, output } = await run(['flows', 'start', 'rapid-clone', '--input', '<file>', '--wait'], {
    sourceVm: 'web-01',
    cloneName: 'bad name',
    colour: 'blue',
  });
  expect(code).toBe(1);
  expect(output).toMatch(/The API refused the request \(400 /);
  expect(output).toMatch(/^ {2}cloneName: may contain only letters/m);
  expect(output).toMatch(/^ {2}\(input\): .*colour/m);
  expect(output).not.toMatch(/started/);
  noStackTrace(output);
});

test('a file that is not JSON, or missing, exits 1 saying so', async () => {
  const notJson = await run(['flows', 'start', 'rapid-clone', '--input', '<file>'], '{ nope');
  expect(notJson.code).toBe(1);
  expect(notJson.output).toMatch(/--input \S+ is not JSON/);
  const missing = await run(['flows', 'start', 'rapid-clone', '--input', path.join(dir, 'none.json')]);
  expect(missing.code).toBe(1);
  expect(missing.output).toMatch(/Cannot read --input \S+none\.json: ENOENT/);
});
