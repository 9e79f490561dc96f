// `hybridflow clone --prefix --count` as a real process against a real test stack: a pool built to the end (a line
// per VM, the summary, exit 0), a pool whose VMs the picky-storage vendor refuses (exit 1 naming each failed VM and
// why), the final flow as JSON, and the flags that do not go together as usage errors.
import { randomUUID } from 'node:crypto';
import { runCli } from '../helpers/processes';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startTestStack('cli-clone-pool', { cloneMs: 1500 });
  env = { HF_API_URL: stack.apiUrl, HF_API_TOKEN: TEST_TOKEN, NO_COLOR: '1' };
});
afterAll(() => stack?.stop());

async function run(args: string[]) {
  const cli = runCli(args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

const unique = (prefix: string) => `${prefix}${randomUUID().slice(0, 4)}-`;

test('clone --prefix --count 3 --wait: a line per VM as it is built, the summary, exit 0', async () => {
  const prefix = unique('cli-pool-');
  const { code, output } = await run(['clone', '--vm', 'web-01', '--prefix', prefix, '--count', '3', '--wait']);
  expect({ code, output }).toMatchObject({ code: 0 });
  expect(output).toMatch(/^Bulk clone started: bulk-clone-web-01-[0-9a-f]{8}$/m);
  for (const n of [1, 2, 3]) {
    expect(output).toMatch(new RegExp(`^▶ building {2}${prefix}${n}$`, 'm'));
    expect(output).toMatch(new RegExp(`^✓ built {5}${prefix}${n} \\(\\d+(\\.\\d)?s\\)$`, 'm'));
  }
  // The flow's own steps as lines too (the source is shut down once for the whole pool).
  expect(output).toMatch(/^✓ finished {2}Shut down VM web-01/m);
  expect(output).toMatch(
    new RegExp(`^✓ Bulk clone \\S+ completed: 3 of 3 VMs built from web-01, 0 failed, in .+\\.$`, 'm'),
  );
  expect(output).toContain(`  Built: ${prefix}1, ${prefix}2, ${prefix}3\n`);
  expect(output).not.toContain('\x1b[');
});

test('a pool the vendor refuses: each VM failed with its reason, exit 1; --json prints the final flow', async () => {
  const prefix = unique('cli-bad-');
  const [text, json] = await Promise.all([
    run(['clone', '--vm', 'web-02', '--prefix', prefix, '--count', '2', '--vendor', 'picky-storage', '--wait']),
    run([
      'clone',
      '--vm',
      'db-01',
      '--prefix',
      unique('cli-json-'),
      '--count',
      '2',
      '--max-parallel',
      '1',
      '--json',
      '--wait',
    ]),
  ]);
  expect(text).toMatchObject({ code: 1 });
  for (const n of [1, 2]) {
    expect(text.output).toMatch(new RegExp(`^✗ failed {4}${prefix}${n}$`, 'm'));
    expect(text.output).toMatch(new RegExp(`^ {2}Failed: ${prefix}${n}: .*refuses to clone`, 'm'));
  }
  expect(text.output).toMatch(/^✗ Bulk clone \S+ completed: 0 of 2 VMs built from web-02, 2 failed, in .+\.$/m);

  expect(json.code).toBe(0);
  const flow = JSON.parse(json.output);
  expect(flow).toMatchObject({ kind: 'bulk-clone', status: 'completed', input: { maxParallel: 1 } });
  expect(flow.result.vms.map((v: { status: string }) => v.status)).toEqual(['completed', 'completed']);
});

test('--name with --count (or a pool without both --prefix and --count) is a usage error; nothing starts', async () => {
  const [both, half, notANumber] = await Promise.all([
    run(['clone', '--vm', 'web-01', '--name', 'x', '--count', '3']),
    run(['clone', '--vm', 'web-01', '--count', '3']),
    run(['clone', '--vm', 'web-01', '--prefix', 'p-', '--count', 'many']),
  ]);
  expect(both).toEqual({
    code: 1,
    output: 'error: --name names one clone; for a pool give --prefix and --count instead of --name.\n',
  });
  expect(half).toMatchObject({
    code: 1,
    output: expect.stringMatching(/^error: a pool needs both --prefix and --count/),
  });
  expect(notANumber).toMatchObject({ code: 1, output: 'error: --count must be a whole number, not "many".\n' });
});

test('flows start bulk-clone --input - --wait follows the pool as hybridflow clone does: a line per VM, the summary', async () => {
  const prefix = unique('cli-kind-');
  const input = JSON.stringify({ sourceVm: 'web-01', prefix, count: 2 });
  const cli = runCli(['flows', 'start', 'bulk-clone', '--input', '-', '--wait'], env, { stdin: input });
  const code = await cli.exited;
  const output = cli.output();
  expect({ code, output }).toMatchObject({ code: 0 });
  for (const n of [1, 2]) expect(output).toMatch(new RegExp(`^✓ built {5}${prefix}${n} \\(\\d+(\\.\\d)?s\\)$`, 'm'));
  expect(output).toMatch(
    new RegExp(`^✓ Bulk clone \\S+ completed: 2 of 2 VMs built from web-01, 0 failed, in .+\\.$`, 'm'),
  );
});
