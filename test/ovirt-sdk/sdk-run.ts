// Runs an oVirt SDK compatibility program (Python or Go) against a real built-in engine on a free port, and fails
// with the program's output when it does.
import type { Watched } from '../helpers/processes';
import type { TestEngine } from '../engine/engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';

/** The SDKs' connection settings for `engine`, as environment variables of the program. */
export const sdkEnv = (engine: TestEngine): NodeJS.ProcessEnv => ({
  OVIRT_URL: engine.engine.apiUrl,
  OVIRT_USERNAME: 'admin@internal',
  OVIRT_PASSWORD: ENGINE_PASSWORD,
});

/** Waits for `run` to exit within `timeoutMs` (else kills it); throws with its output unless it exited 0. */
export async function passes(run: Watched, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    run.exited,
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (code === 'timeout') {
    run.process.kill('SIGKILL');
    await run.exited;
  }
  if (code !== 0) throw new Error(`the SDK program ended with ${code}; its output:\n${run.output()}`);
  return run.output();
}
