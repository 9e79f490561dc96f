// The official oVirt Go SDK (github.com/ovirt/go-ovirt, pinned in test/ovirt-sdk/go/go.mod; .ci/run downloads and
// builds it) against the built-in engine, unmodified, for the External Tasks calls: connect and close, jobs with
// nested steps ended, cleared and found by correlation id, the SDK's errors (test/ovirt-sdk/go/compat_test.go).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { watchProcess } from '../helpers/processes';
import { TestEngine } from '../engine/engine-harness';
import { passes, sdkEnv } from './sdk-run';

let engine: TestEngine;
beforeAll(async () => {
  engine = await TestEngine.start();
});
afterAll(async () => {
  await engine?.close();
});

test('every call of the compatibility suite passes, with no workaround', async () => {
  const run = watchProcess(
    spawn('go', ['test', '-count=1', '-v', './...'], {
      cwd: path.join(__dirname, 'go'),
      env: { ...process.env, ...sdkEnv(engine) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // The first build of the SDK takes a while on a fresh machine; .ci/run builds it ahead.
  const output = await passes(run, 240_000);
  expect(output).toMatch(/^--- PASS: TestJobWithNestedStepsEndedAndFound/m);
  expect(output).not.toMatch(/^--- FAIL/m);
}, 300_000);
