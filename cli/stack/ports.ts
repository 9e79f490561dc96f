// A taken port is a clear error naming the variable that sets it, not a hang or a stack trace.
import net from 'node:net';

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
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
