// A taken port is a clear error naming the variable that sets it, not a hang or a stack trace.
import net from 'node:net';

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port for a process we start (tests, benchmarks), with `port + 1000` free too (a Temporal dev
 * server's UI). Below the ephemeral range (32768+) that port 0 hands out, so no client socket takes it meanwhile.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 11000);
    if ((await isPortFree(port)) && (await isPortFree(port + 1000))) return port;
  }
}

/** Throws one message listing every taken port with its variable. */
export async function checkPortsFree(ports: Record<string, number>): Promise<void> {
  const taken: string[] = [];
  for (const [variable, port] of Object.entries(ports)) {
    if (!(await isPortFree(port))) taken.push(`port ${port} (${variable}) is already in use`);
  }
  if (taken.length) {
    throw new Error(`${taken.join('\n')}\nStop what uses it, or choose another port by setting the variable.`);
  }
}
