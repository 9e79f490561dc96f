// Refuses requests a browser was tricked into sending. DNS rebinding: a page of attacker.example re-resolves its
// name to 127.0.0.1 and reads the engine as "same origin"; the request still says `Host: attacker.example`, so
// every request must name a host the engine is known by (421 otherwise). Cross-site writes: a page elsewhere may
// POST to the engine (a form, or with Basic credentials the browser remembers); the browser then names the page in
// `Origin`, so a write whose Origin is not an allowed host is refused (403).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiFault, safeEcho, writeFault } from './faults';
import type { Format } from './negotiation';

/** Names of the engine's own machine, always allowed. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `[::1]` -> `::1`, lower case, without a trailing dot (`localhost.` is `localhost`). */
export function normalizeHostname(name: string): string {
  let host = name.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/** The hostname of a Host header (`name`, `name:port`, `[v6]:port`, bare `::1`), or undefined if it is malformed. */
export function hostnameOfHostHeader(header: string): string | undefined {
  const value = header.trim();
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || !/^(:\d*)?$/.test(value.slice(close + 1))) return undefined;
    return normalizeHostname(value.slice(1, close));
  }
  const colons = value.split(':').length - 1;
  if (colons > 1) return normalizeHostname(value); // a bare IPv6 address such as ::1
  const [name = '', port] = value.split(':');
  if (port !== undefined && !/^\d*$/.test(port)) return undefined;
  return name === '' ? undefined : normalizeHostname(name);
}

/** The hostname of an Origin header (`http://host:port`), or undefined for `null` or anything not a URL. */
function hostnameOfOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.hostname === '' ? undefined : normalizeHostname(url.hostname);
  } catch {
    return undefined;
  }
}

/** The hosts a request may name: loopback, the listen address unless it is a wildcard, and `allowedHosts`. */
export function allowedHostSet(listenHost: string, allowedHosts: readonly string[] = []): Set<string> {
  const hosts = new Set<string>(LOOPBACK_HOSTS);
  const listen = normalizeHostname(listenHost);
  if (listen !== '' && listen !== '0.0.0.0' && listen !== '::') hosts.add(listen);
  for (const name of allowedHosts) if (name.trim() !== '') hosts.add(normalizeHostname(name));
  return hosts;
}

/**
 * Checks a request's Host (every request) and Origin (writes); answers the refusal itself and returns false, or
 * returns true when the request may go on. A request without a Host header (HTTP/1.0) comes from no browser and
 * goes on; Node itself refuses an HTTP/1.1 request without one.
 */
export function hostGuard(
  allowed: ReadonlySet<string>,
  faultFormat: (req: IncomingMessage) => Format = () => 'json',
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const host = req.headers.host;
    if (host !== undefined) {
      const name = hostnameOfHostHeader(host);
      if (name === undefined || !allowed.has(name)) {
        // Echoed as letters, digits and `.:-_[]` only, clipped: the detail may end up in a log or a terminal.
        writeFault(
          res,
          new ApiFault(
            421,
            'Misdirected Request',
            `The engine does not serve the host '${safeEcho(host.replace(/[^\w.:[\]-]/g, ''), 64)}'; add it to the engine's allowed hosts if it is the engine's name`,
          ),
          faultFormat(req),
        );
        return false;
      }
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !SAFE_METHODS.has(req.method ?? 'GET')) {
      const name = hostnameOfOrigin(origin);
      if (name === undefined || !allowed.has(name)) {
        writeFault(
          res,
          new ApiFault(403, 'Forbidden', 'Writes from a page of another site are refused'),
          faultFormat(req),
        );
        return false;
      }
    }
    return true;
  };
}
