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

export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
