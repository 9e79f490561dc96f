// Sends a request byte for byte over a TCP socket (fetch refuses odd methods, hosts and headers) and reads the answer.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body as received (chunked transfer decoded). */
  body: string;
  /** Everything received, headers included. */
  raw: string;
}

export interface RawRequest {
  method: string;
  /** The request target as written on the request line. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Give up reading after this long and take what came (event streams never end). @default 3000 */
  timeoutMs?: number;
}

function decodeChunked(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return out + rest;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** `url` is the engine's `http://host:port`; `Connection: close` is added unless headers say otherwise. */
export function rawRequest(url: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const headers: Record<string, string> = { connection: 'close', ...request.headers };
  const body =
    request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  if (
    body !== undefined &&
    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding')
  ) {
    headers['content-length'] = String(body.length);
  }
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const headText = split < 0 ? raw : raw.slice(0, split);
      const rest = split < 0 ? '' : raw.slice(split + 4);
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const answerHeaders: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) answerHeaders[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1] ?? 0);
      if (!status)
        return reject(
          new Error(
            `no HTTP answer to ${request.method} ${request.target.slice(0, 80)}: ${JSON.stringify(raw.slice(0, 200))}`,
          ),
        );
      const decoded = answerHeaders['transfer-encoding']?.includes('chunked') ? decodeChunked(rest) : rest;
      resolve({ status, headers: answerHeaders, body: Buffer.from(decoded, 'latin1').toString('utf8'), raw });
    };
    const timer = setTimeout(finish, request.timeoutMs ?? 3000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', (err) => (chunks.length > 0 ? finish() : (clearTimeout(timer), reject(err))));
    socket.write(head);
    if (body !== undefined) socket.write(body);
  });
}
