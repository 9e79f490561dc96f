// How each `hybridflow <component>` process lives: start, announce readiness (to the console and, when run by
// `hybridflow dev`, to the parent over IPC), then stop cleanly on Ctrl-C, SIGTERM or when the parent goes away.
export interface Started {
  /** Lines such as "Engine API: http://..." printed once ready. */
  urls: string[];
  stop(): Promise<void>;
}

export async function runComponent(name: string, start: () => Promise<Started>): Promise<void> {
  let started: Started | undefined;
  let stopping = false;
  // Some components (the Temporal dev server, run by the SDK's native core) hold no Node handle of their own.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    try {
      await started?.stop();
    } catch (err) {
      console.error(`${name}: error while stopping: ${(err as Error).message}`);
    }
    process.exit(code);
  };
  // Under `hybridflow dev` (an IPC channel to the parent), Ctrl-C or a SIGTERM from `npm start` reaches the whole
  // process group at once; the parent then stops the components in order (clients before servers) by sending
  // `stop` over IPC, so the signals themselves are left to it.
  const underParent = Boolean(process.send);
  process.on('SIGINT', () => (underParent ? undefined : void stop(0)));
  process.on('SIGTERM', () => (underParent ? undefined : void stop(0)));
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'stop') void stop(0);
  });
  // Started by `hybridflow dev`: if the parent dies, even by SIGKILL, the IPC channel closes and we follow it.
  process.on('disconnect', () => void stop(0));
  try {
    started = await start();
  } catch (err) {
    const message = (err as Error).message;
    console.error(`${name} could not start: ${message}`);
    if (process.send) process.send({ type: 'failed', message }, () => void stop(1));
    else await stop(1);
    return;
  }
  for (const line of started.urls) console.log(line);
  process.send?.({ type: 'ready', urls: started.urls });
}
