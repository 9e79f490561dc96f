// Starts an HTTP server for an express app; a taken port fails with a message naming its variable.
import http from 'node:http';
import type { RequestListener } from 'node:http';

export function listen(app: RequestListener, port: number, host: string, variable: string): Promise<http.Server> {
  const server = http.createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} (${variable}) is already in use`) : err),
    );
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Stops taking connections and waits for the requests in flight to finish, for at most `graceMs`; then closes
 * what is left (0: at once). Idle keep-alive connections are closed as they become idle, so clients reconnect to
 * another server instead of sending more here.
 */
export async function close(server: http.Server, graceMs = 0): Promise<void> {
  const closed = new Promise((resolve) => server.close(resolve));
  if (graceMs <= 0) server.closeAllConnections();
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const cutoff = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cutoff);
  }
}
