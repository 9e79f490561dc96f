// Content negotiation as oVirt's REST layer does it: every resource produces XML and JSON, XML first, so XML
// answers a client that names neither (no Accept, `*/*`, or only other types) and JSON one that prefers it.
// Request bodies are read by their Content-Type: JSON or XML (the SDKs' `application/xml`), anything else a 415.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { Request } from 'express';

export type Format = 'json' | 'xml';

/** The `q` of a media range's parameters: 1 when absent or unreadable (a broken header is not worth a refusal). */
function quality(params: readonly string[]): number {
  for (const param of params) {
    const match = /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(param);
    if (match) {
      const q = Number(match[1]);
      return Number.isFinite(q) ? Math.min(q, 1) : 1;
    }
  }
  return 1;
}

/** The representation of the answer, from the request's `Accept`. */
export function responseFormat(accept: string | undefined): Format {
  if (!accept) return 'xml';
  let json: number | undefined;
  let xml: number | undefined;
  let any: number | undefined;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';');
    const q = quality(params);
    switch (type.trim().toLowerCase()) {
      case 'application/json':
        json = Math.max(json ?? 0, q);
        break;
      case 'application/xml':
      case 'text/xml':
        xml = Math.max(xml ?? 0, q);
        break;
      case '*/*':
      case 'application/*':
        any = Math.max(any ?? 0, q);
        break;
    }
  }
  const jsonQ = json ?? any ?? 0;
  const xmlQ = xml ?? any ?? 0;
  return jsonQ > 0 && jsonQ > xmlQ ? 'json' : 'xml';
}

const BODY_TYPES = ['application/json', 'application/xml', 'text/xml'];

/** The representation of a request's body by its Content-Type (type-is, as express's `req.is`), or undefined. */
export function bodyFormat(req: IncomingMessage): Format | undefined {
  const type = express.request.is.call(req as Request, BODY_TYPES);
  if (type === 'application/json') return 'json';
  if (type === 'application/xml' || type === 'text/xml') return 'xml';
  return undefined;
}
