// The official oVirt Python SDK (ovirtsdk4, as .ci/run installs it) against the built-in engine, unmodified:
// connect and close (SSO token and revoke), the API root, external jobs with nested steps ended, cleared and found
// by correlation id, 400 and 404 as the SDK's own errors, a VM shut down and started with the SDK's waits, disks
// and attachments read, a disk copied and attached (test/ovirt-sdk/python/test_compat.py).
import { runPython } from '../helpers/processes';
import { TestEngine } from '../engine/engine-harness';
import { passes, sdkEnv } from './sdk-run';

let engine: TestEngine;
beforeAll(async () => {
  engine = await TestEngine.start({ transitionMs: 300 });
});
afterAll(async () => {
  await engine?.close();
});

test('every call of the compatibility suite passes, with no workaround', async () => {
  const output = await passes(runPython(['test/ovirt-sdk/python/test_compat.py'], sdkEnv(engine)), 90_000);
  expect(output).toMatch(/^Ran \d+ tests/m);
  expect(output).toMatch(/^OK$/m);
}, 120_000);
