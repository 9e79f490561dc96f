// Refuses requests a browser was tricked into sending. DNS rebinding: a page of attacker.example re-resolves its
// name to 127.0.0.1 and reads the API as "same origin"; its requests still say `Host: attacker.example`, so every
// request must name a host this server is known by (421 otherwise). Cross-site writes: the browser names the page in
// `Origin`, so a write whose Origin is not an allowed host is refused (403). (The engine, a separate program, keeps
// its own copy of this rule in engine/host-guard.ts.)
import type { RequestHandler } from 'express';
import { sendProblem } from './problem';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The hostname of a Host header or an Origin, as the URL parser reads it (`[::1]` -> `::1`); undefined if malformed. */
function hostname(value: string, isOrigin: boolean): string | undefined {
  if (!isOrigin && /[\s/\\?#@]/.test(value)) return undefined;
  try {
    const name = new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase().replace(/\.$/, '');
    return name.startsWith('[') ? name.slice(1, -1) : name || undefined;
  } catch {
    return undefined;
  }
}

/** Loopback names, the listen address unless it is a wildcard, and the operator's `allowedHosts` (HF_ALLOWED_HOSTS). */
export function allowedHosts(listenHost = '127.0.0.1', extra: readonly string[] = []): Set<string> {
  const hosts = new Set(LOOPBACK);
  for (const name of [listenHost, ...extra]) {
    const h = hostname(name.trim(), false);
    if (h && h !== '0.0.0.0' && h !== '::') hosts.add(h);
  }
  return hosts;
}

export function hostGuard(allowed: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const host = req.get('host');
    if (host !== undefined) {
      const name = hostname(host, false);
      if (!name || !allowed.has(name)) {
        return sendProblem(res, {
          status: 421,
          title: 'Misdirected request',
          detail:
            "This server does not answer to that host name; if it is this server's name, add it to HF_ALLOWED_HOSTS.",
        });
      }
    }
    const origin = req.get('origin');
    if (origin !== undefined && !SAFE_METHODS.has(req.method)) {
      const name = hostname(origin, true);
      if (!name || !allowed.has(name)) {
        return sendProblem(res, {
          status: 403,
          title: 'Forbidden',
          detail: 'Writes from a page of another site are refused.',
        });
      }
    }
    next();
  };
}
