// A load balancer in front of the API servers, as a deployment has one: each request goes to the next server in
// turn that takes the connection; a server that refuses is skipped. A response in progress (an event stream) breaks
// when its server dies, as it would behind a real balancer, and the client reconnects through the balancer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  /** The server (its index) that holds each event stream now open, by request path. */
  streams: Map<string, number>;
  close(): Promise<void>;
}

export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  let next = 0;
  const streams = new Map<string, number>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: number) => {
    if (tried === backends.length) {
      res.writeHead(502).end('no API server answers');
      return;
    }
    const index = next++ % backends.length;
    const target = new URL(req.url ?? '/', backends[index]);
    const upstream = http.request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host }, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const isStream = String(answer.headers['content-type']).includes('text/event-stream');
        if (isStream) streams.set(req.url ?? '', index);
        answer.pipe(res);
        const ended = () => {
          if (streams.get(req.url ?? '') === index) streams.delete(req.url ?? '');
        };
        answer.on('close', () => {
          ended();
          if (!answer.complete) res.destroy(); // the server died mid-answer: the client's connection breaks too
        });
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!res.headersSent && err.code === 'ECONNREFUSED') forward(req, res, body, tried + 1);
      else res.destroy();
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
