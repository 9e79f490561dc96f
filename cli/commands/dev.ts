// `hybridflow dev` (= `npm start`): the whole stack as one process tree. Each component runs as a child
// `hybridflow <component>` process connected over IPC; Ctrl-C or SIGTERM stops all of them, and a child whose
// parent vanished stops itself (see stack/component.ts).
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig, type Config } from '../../common/config';
import { apiTokenWithSource, enginePasswordWithSource, type SecretSource } from '../../common/secrets';
import { apiRoutes } from '../../server/api/routes';
import { checkPortsFree } from '../stack/ports';

const BIN = path.resolve(__dirname, '../../bin/hybridflow.js');
const STOP_GRACE_MS = 15_000;

interface Child {
  name: string;
  process: ChildProcess;
  urls: string[];
}

function startChild(name: string, env: NodeJS.ProcessEnv): Promise<Child> {
  const child = fork(BIN, [name], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  return new Promise((resolve, reject) => {
    child.on('message', (msg: { type?: string; urls?: string[]; message?: string }) => {
      if (msg.type === 'ready') resolve({ name, process: child, urls: msg.urls ?? [] });
      if (msg.type === 'failed') reject(new Error(`${name}: ${msg.message}`));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (code ${code}) before it was ready`)));
  });
}

/** Asks the child to stop (over IPC), then SIGKILL if it has not exited within the grace period. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}

function portsToCheck(config: Config): Record<string, number> {
  return {
    ...(config.TEMPORAL_ADDRESS
      ? {}
      : { TEMPORAL_PORT: config.TEMPORAL_PORT, TEMPORAL_UI_PORT: config.TEMPORAL_UI_PORT }),
    ...(config.OVIRT_URL ? {} : { HF_ENGINE_PORT: config.HF_ENGINE_PORT }),
    HF_API_PORT: config.HF_API_PORT,
    ...(config.HF_METRICS_PORT ? { HF_METRICS_PORT: config.HF_METRICS_PORT } : {}), // the worker's /metrics
  };
}

export async function devCommand(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    await checkPortsFree(portsToCheck(config));
  } catch (err) {
    console.error(`hybridflow dev cannot start:\n${(err as Error).message}`);
    process.exit(1);
  }
  // Secrets are created once here, before the children read them.
  const token = apiTokenWithSource(config);
  const enginePassword = config.OVIRT_URL ? undefined : enginePasswordWithSource(config).source;

  // Started in layers (servers first, then their clients); stopped in the reverse order.
  const layers: Child[][] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping hybridflow ...');
    for (const layer of [...layers].reverse()) await Promise.all(layer.map((c) => stopChild(c.process)));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const launch = async (names: string[]) => {
    // On one machine Ctrl-C should be quick: running activities get 5 s (unless HF_SHUTDOWN_GRACE says otherwise),
    // well within the STOP_GRACE_MS after which a child is killed.
    const env = { HF_SHUTDOWN_GRACE: '5s', ...process.env };
    const started = await Promise.allSettled(names.map((n) => startChild(n, env)));
    layers.push(started.flatMap((s) => (s.status === 'fulfilled' ? [watch(s.value)] : [])));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const watch = (child: Child) => {
    child.process.once('exit', (code) => {
      if (stopping) return;
      console.error(`${child.name} stopped unexpectedly (code ${code}); stopping everything.`);
      void stopAll(1);
    });
    return child;
  };

  try {
    await launch([...(config.TEMPORAL_ADDRESS ? [] : ['temporal']), ...(config.OVIRT_URL ? [] : ['engine'])]);
    await launch(['worker', 'vendor-demo', 'server']);
  } catch (err) {
    console.error(`hybridflow dev failed to start: ${(err as Error).message}`);
    await stopAll(1);
    return;
  }

  console.log(
    startText(
      config,
      layers.flat().flatMap((c) => c.urls),
      token,
      enginePassword,
    ),
  );
}

const where = (source: SecretSource) => (source.from === 'variable' ? `from ${source.variable}` : `in ${source.file}`);

/**
 * What `dev` prints once everything runs. A secret is shown only when it was generated just now, and then once (the
 * API token in the web UI link; its fragment never reaches a server or a log); otherwise the text says where it is.
 */
export function startText(
  config: Config,
  urls: string[],
  token: { secret: string; source: SecretSource },
  enginePassword?: SecretSource,
): string {
  const api = `http://127.0.0.1:${config.HF_API_PORT}`;
  const { source } = token;
  const generated = source.from === 'generated' ? source : undefined;
  const bearer = source.from === 'variable' ? '$HF_API_TOKEN' : `$(cat ${source.file})`;
  return [
    '',
    'hybridflow is running:',
    ...urls.map((l) => `  ${l}`),
    generated
      ? `  API token:        new, shown once in the link below; kept in ${generated.file}`
      : `  API token:        ${where(source)}`,
    generated
      ? `  Open the web UI:  ${api}/login#token=${encodeURIComponent(token.secret)}`
      : `  Open the web UI:  ${api}/login`,
    ...(enginePassword ? [`  Engine password:  ${where(enginePassword)}`] : []),
    '',
    'Try it:',
    `  npx hybridflow clone --vm web-01 --name web-01-clone --wait`,
    `  curl -s -X POST -H "Authorization: Bearer ${bearer}" -H "Content-Type: application/json" \\`,
    `    -d '{"sourceVm":"web-01","cloneName":"web-01-copy"}' ${api}${apiRoutes.startRapidClone.path}`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}
