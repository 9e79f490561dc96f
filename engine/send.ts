// Writes answers straight to Node's response, in the representation the call negotiated (see negotiation.ts).
import type { ServerResponse } from 'node:http';
import type { Format } from './negotiation';
import type { Representation } from './representation';
import { renderXml } from './xml/render';

function send(res: ServerResponse, status: number, type: string, text: string, location?: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(text));
  if (location !== undefined) res.setHeader('location', location);
  res.end(text);
}

/**
 * Writes a JSON answer as express's `res.json` would (`application/json; charset=utf-8`, a length, headers set
 * earlier such as Correlation-Id kept) without its per-call overhead.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, location?: string): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), location);
}

/** Writes a representation as JSON or as XML (`application/xml; charset=utf-8`). */
export function sendRepresentation(
  res: ServerResponse,
  status: number,
  representation: Representation,
  format: Format,
  location?: string,
): void {
  if (format === 'json') sendJson(res, status, representation.body, location);
  else send(res, status, 'application/xml; charset=utf-8', renderXml(representation), location);
}
