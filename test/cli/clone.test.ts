// The real `hybridflow clone` and `hybridflow flows ...` commands, run as processes against a real test stack:
// a clone followed to completion, a failing one, a cancelled one, JSON output, and the plain messages for a wrong token, an
// unreachable server, bad input and an unknown flow.
import { randomUUID } from 'node:crypto';
import { runCli } from '../helpers/processes';
import { freePort } from '../helpers/ports';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The vendor clone runs 3 s, so a follower always sees a running step (a faster flow may finish before the first event).
  stack = await startTestStack('cli-clone', { cloneMs: 3000 });
  env = { HF_API_URL: stack.apiUrl, HF_API_TOKEN: TEST_TOKEN, NO_COLOR: '1' };
});
afterAll(() => stack?.stop());

/** Runs the command to its end: exit code and everything it wrote. */
async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const cli = runCli(args, { ...env, ...extraEnv });
  const code = await cli.exited;
  return { code, output: cli.output() };
}

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 6)}`;
const noStackTrace = (output: string) => expect(output).not.toMatch(/\n\s+at \S+ \(/);

let completedId: string;

test('clone --wait follows a clone of web-01 step by step to completion and exits 0', async () => {
  const name = unique('cli-web-01');
  const { code, output } = await run(['clone', '--vm', 'web-01', '--name', name, '--wait']);
  expect({ code, output }).toMatchObject({ code: 0 });
  completedId = /Rapid clone started: (\S+)/.exec(output)![1]!;
  expect(completedId).toMatch(/^rapid-clone-web-01-/);
  // Not a TTY: plain appended lines, one when a step starts and one when it ends; no cursor movement.
  expect(output).toMatch(/^▶ started {3}\S.*$/m);
  expect(output).toMatch(/^✓ finished {2}\S.* \(\d+(\.\d)?s\)$/m);
  expect(output).not.toContain('\x1b[');
  // The start answer does not wait for the engine job; the follower prints it once the flow opened it.
  expect(output.match(/^ {2}Engine job: {3}\S+/gm)).toHaveLength(1);
  expect(output).toMatch(new RegExp(`^✓ Clone ${name} is ready \\(VM id [0-9a-f-]{36}\\), in .+\\.$`, 'm'));
});

test('a clone of a VM that does not exist exits 1 with a plain message', async () => {
  const { code, output } = await run(['clone', '--vm', 'no-such-vm', '--name', unique('cli-none'), '--wait']);
  expect({ code, output }).toMatchObject({ code: 1 });
  // The API resolves the VM before a flow starts: a 400 naming --vm, in words.
  expect(output).toMatch(/--vm \(sourceVm\): no VM named or with id "no-such-vm"/);
  expect(output).not.toMatch(/Rapid clone started/);
  noStackTrace(output);
});

test('--json prints only JSON: the start answer, and with --wait the final flow', async () => {
  const [started, waited] = await Promise.all([
    run(['clone', '--vm', 'web-02', '--name', unique('cli-web-02'), '--json']),
    run(['clone', '--vm', 'db-01', '--name', unique('cli-db-01'), '--json', '--wait']),
  ]);
  expect(started.code).toBe(0);
  expect(JSON.parse(started.output)).toMatchObject({
    id: expect.stringMatching(/^rapid-clone-web-02-/),
    kind: 'rapid-clone',
    links: { self: expect.any(String) },
  });
  expect(waited.code).toBe(0);
  const flow = JSON.parse(waited.output);
  expect(flow).toMatchObject({ status: 'completed', result: { cloneVmId: expect.any(String) } });
  expect(flow.steps.length).toBeGreaterThan(0);
});

test('flows cancel stops a waiting clone, which ends with the outcome and exit 1; a second cancel is refused', async () => {
  // No worker serves the vendor "idle-storage": the flow waits at its vendor step until cancelled.
  const waiting = runCli(
    ['clone', '--vm', 'build-01', '--name', unique('cli-build-01'), '--vendor', 'idle-storage', '--wait'],
    env,
  );
  const id = (await waiting.waitFor(/Rapid clone started: (\S+)/))[1]!;
  await waiting.waitFor(/^▶ started {3}idle-storage: clone disk/m);
  expect(await run(['flows', 'cancel', id])).toEqual({ code: 0, output: `Cancel requested for ${id}\n` });
  expect(await waiting.exited).toBe(1);
  expect(waiting.output()).toMatch(new RegExp(`^✗ rapid-clone ${id} was cancelled after .+\\.$`, 'm'));
  const again = await run(['flows', 'cancel', id]);
  expect(again.code).toBe(1);
  expect(again.output).toMatch(/\(409\)\n$/);
});

test('plain messages, exit 1 and no stack trace: wrong token, server down, bad input, unknown flow', async () => {
  const downPort = await freePort();
  const [wrongToken, down, badInput, unknown] = await Promise.all([
    run(['flows', 'list', '--token', 'not-the-token-0123456789']),
    run(['clone', '--vm', 'web-01', '--name', 'x', '--url', `http://127.0.0.1:${downPort}`]),
    run(['clone', '--vm', 'web-01', '--name', 'bad name!']),
    run(['flows', 'show', 'rapid-clone-nothing-00000000']),
  ]);
  expect(wrongToken).toMatchObject({ code: 1 });
  expect(wrongToken.output).toMatch(
    /^The API rejected the token \(401 Unauthorized; token from --token\)\. Set HF_API_TOKEN or pass --token/,
  );
  expect(down).toMatchObject({ code: 1 });
  expect(down.output).toBe(
    `Cannot reach the hybridflow API at http://127.0.0.1:${downPort}: connection refused. Is \`hybridflow dev\` running?\n`,
  );
  expect(badInput).toMatchObject({ code: 1 });
  expect(badInput.output).toMatch(
    /^The API refused the request \(400 .*\):\n {2}--name \(cloneName\): may contain only/,
  );
  expect(unknown).toMatchObject({ code: 1 });
  expect(unknown.output).toMatch(/not found.*rapid-clone-nothing-00000000/i);
  [wrongToken, down, badInput, unknown].forEach((r) => noStackTrace(r.output));
});

test('flows show prints the step tree and the outcome; flows list has the flow in its table', async () => {
  const [show, list, listJson] = await Promise.all([
    run(['flows', 'show', completedId]),
    run(['flows', 'list', '--kind', 'rapid-clone']),
    run(['flows', 'list', '--json', '--status', 'completed']),
  ]);
  expect(show).toMatchObject({ code: 0 });
  expect(show.output).toMatch(new RegExp(`^${completedId} {2}rapid-clone {2}completed$`, 'm'));
  expect(show.output).toMatch(/^Steps:\n {2}✓ \S/m);
  expect(show.output).toMatch(/^✓ Clone cli-web-01-\S+ is ready/m);
  expect(list).toMatchObject({ code: 0 });
  expect(list.output).toMatch(/^ID +KIND +STATUS +STARTED +DURATION$/m);
  expect(list.output).toMatch(
    new RegExp(`^${completedId} +rapid-clone +completed +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\S+`, 'm'),
  );
  expect(listJson).toMatchObject({ code: 0 });
  expect(JSON.parse(listJson.output).items.map((f: { id: string }) => f.id)).toContain(completedId);
});
