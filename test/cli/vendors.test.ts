// `hybridflow vendors`: the operator registers a vendor (with the storage contract), lists and removes it.
import { runCli } from '../helpers/processes';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  stack = await startTestStack('cli-vendors');
  env = { HF_API_URL: stack.apiUrl, HF_API_TOKEN: TEST_TOKEN, NO_COLOR: '1' };
});
afterAll(() => stack?.stop());

async function run(args: string[]) {
  const cli = runCli(args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

test('register with the contract prints the key once; list shows the vendor; remove removes it', async () => {
  const registered = await run(['vendors', 'register', 'cli-storage', '--name', 'CLI Storage', '--contract']);
  expect(registered.code).toBe(0);
  expect(registered.output).toMatch(/Vendor cli-storage registered \(temporal, task queue \S+\.vendor\.cli-storage\)/);
  expect(registered.output).toMatch(/Its storage-contract activities are registered/);
  const key = /API key \(shown only now; store it safely\): (hfv_\S+)/.exec(registered.output)?.[1];
  expect(key).toBeDefined();
  const mine = await fetch(`${stack.apiUrl}/api/v1/vendor/activities`, { headers: { authorization: `Bearer ${key}` } });
  expect(((await mine.json()) as { items: unknown[] }).items).toHaveLength(4);

  const listed = await run(['vendors', 'list']);
  expect(listed.code).toBe(0);
  expect(listed.output).toMatch(/^cli-storage\s+temporal\s+no\s+4\s+\S+\.vendor\.cli-storage$/m);
  expect(listed.output).toMatch(/^acme-storage\s+temporal\s+yes\s+4/m);
  expect(listed.output).not.toContain('hfv_');

  const again = await run(['vendors', 'register', 'cli-storage']);
  expect(again.code).toBe(1);
  expect(again.output).toMatch(/taken/i);

  const webhook = await run(['vendors', 'register', 'cli-hook', '--mode', 'webhook']);
  expect(webhook.code).toBe(1);
  expect(webhook.output).toMatch(/webhook/);

  expect((await run(['vendors', 'remove', 'cli-storage'])).code).toBe(0);
  expect((await run(['vendors', 'list'])).output).not.toMatch(/^cli-storage/m);
});
