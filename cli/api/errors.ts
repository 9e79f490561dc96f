// The API client's errors, each with a message meant for the user as it is (what failed, and what to do), so that
// the commands print them without a stack trace.
import { causeChain } from '../../common/errors';
import { ConfigError } from '../../common/config';

/** Any failure of an API call; `message` is meant for the user as it is. */
export class ApiError extends Error {
  override name = 'ApiError';
}

/** No TCP connection or no answer: server down, wrong URL, timeout. */
export class ApiUnreachableError extends ApiError {
  override name = 'ApiUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot reach the hybridflow API at ${url}: ${reason}. Is \`hybridflow dev\` running?`, options);
  }
}

/** The API answered 401: the token is missing or wrong. */
export class ApiAuthError extends ApiError {
  override name = 'ApiAuthError';
  constructor(readonly tokenSource: string) {
    super(
      `The API rejected the token (401 Unauthorized; token from ${tokenSource}). ` +
        'Set HF_API_TOKEN or pass --token with the token `hybridflow dev` prints.',
    );
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** The API answered with an RFC 9457 problem (or another error status); the message names fields as flags. */
export class ApiProblemError extends ApiError {
  override name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: readonly FieldError[],
    readonly request: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server answered, but not like the hybridflow API does (another program on that port, a proxy page...). */
export class ApiUnexpectedAnswerError extends ApiError {
  override name = 'ApiUnexpectedAnswerError';
}

/** No token from the flag, the environment or the token file. */
export class MissingTokenError extends ApiError {
  override name = 'MissingTokenError';
  constructor(readonly tokenFile: string) {
    super(
      `No API token: pass --token, set HF_API_TOKEN, or start the stack with \`hybridflow dev\`, which writes it to ${tokenFile}.`,
    );
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  EPROTO: 'protocol error (https to an http server?)',
};

/** The `code`s along the cause chain, and along each chain an AggregateError (several addresses) holds. */
function errorCodes(err: unknown, seen = new Set<unknown>()): string[] {
  const codes: string[] = [];
  for (const e of causeChain(err)) {
    if (seen.has(e)) break;
    seen.add(e);
    const code = typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
    if (typeof code === 'string') codes.push(code);
    if (e instanceof AggregateError) for (const inner of e.errors) codes.push(...errorCodes(inner, seen));
  }
  return codes;
}

/** The reason of a failed fetch in plain words, from its cause chain. */
export function networkReason(err: unknown): string {
  const codes = errorCodes(err);
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  for (const code of codes) if (NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return codes[0] ?? inner ?? (err instanceof Error ? err.message : String(err));
}

/** The message to show for an error thrown by an API command: ours are plain words already; others get a prefix. */
export function failureMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof ConfigError) return `Invalid configuration:\n${err.message}`;
  return `Unexpected error: ${err instanceof Error ? err.message : String(err)}`;
}
