// HTTP client of the hybridflow API for the CLI: typed errors whose messages are already in plain words, answers
// checked against the same zod schemas the server answers with, and a flow watcher (server-sent events, with
// polling as the fallback).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import type { z } from 'zod';
import { ConfigError, loadConfig } from '../common/config';
import { Flow, FlowList, FlowStarted } from '../server/flows/schemas';

export type FlowDocument = z.infer<typeof Flow>;
export type FlowListAnswer = z.infer<typeof FlowList>;
export type FlowStartedAnswer = z.infer<typeof FlowStarted>;
export type FlowStatus = FlowDocument['status'];

export interface RapidCloneOptions {
  sourceVm: string;
  cloneName: string;
  vendor?: string;
  restartSource?: boolean;
  startClone?: boolean;
}

export interface FlowListOptions {
  status?: string;
  kind?: string;
  vm?: string;
  pageSize?: number;
  pageToken?: string;
}

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

/** The API answered with an RFC 9457 problem (or another error status). */
export class ApiProblemError extends ApiError {
  override name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: readonly FieldError[],
    readonly request: string,
  ) {
    super(problemMessage(status, title, detail, errors, request));
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

// The request fields named as the CLI's flags, so a 400 reads in the user's terms.
const FLAG_OF_FIELD: Record<string, string> = {
  sourceVm: '--vm',
  cloneName: '--name',
  vendor: '--vendor',
  restartSource: '--no-restart-source',
  startClone: '--start-clone',
  status: '--status',
  kind: '--kind',
  vm: '--vm',
  pageSize: '--page-size',
  pageToken: '--page-token',
};

function fieldLabel(field: string): string {
  const name = field.replace(/^(body|query|path)\./, '');
  const flag = FLAG_OF_FIELD[name];
  return flag ? `${flag} (${name})` : name;
}

function problemMessage(
  status: number,
  title: string,
  detail: string | undefined,
  errors: readonly FieldError[],
  request: string,
) {
  if (errors.length > 0) {
    return [
      `The API refused the request (${status} ${title}):`,
      ...errors.map((e) => `  ${fieldLabel(e.field)}: ${e.message}`),
    ].join('\n');
  }
  const text = detail ? `${title}: ${detail}` : title;
  if (status === 404 && /^not found$/i.test(title)) {
    return `${text} (${status}, ${request}): this API server does not offer that call; is it older than this CLI?`;
  }
  return `${text} (${status})`;
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

/** The reason of a failed fetch in plain words, from its cause chain (AggregateError for several addresses). */
export function networkReason(err: unknown): string {
  const seen = new Set<unknown>();
  const codes: string[] = [];
  const walk = (e: unknown) => {
    if (!e || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (e instanceof AggregateError) e.errors.forEach(walk);
    walk((e as { cause?: unknown }).cause);
  };
  walk(err);
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  for (const code of codes) if (NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return codes[0] ?? inner ?? (err instanceof Error ? err.message : String(err));
}

export interface ApiSettings {
  url: string;
  token: string;
  /** Where the token came from, for messages: "--token", "HF_API_TOKEN" or the token file. */
  tokenSource: string;
}

/**
 * The API URL and token: flags first, then HF_API_URL / HF_API_TOKEN, then the token file `hybridflow dev` writes in
 * HF_DATA_DIR. The file is only read, never created.
 */
export function resolveApiSettings(
  flags: { url?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): ApiSettings {
  const config = loadConfig(env);
  const url = (flags.url ?? config.HF_API_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(url))
    throw new ApiError(`--url must be an http(s) URL such as http://127.0.0.1:8080, not "${url}".`);
  if (flags.token) return { url, token: flags.token, tokenSource: '--token' };
  if (config.HF_API_TOKEN) return { url, token: config.HF_API_TOKEN, tokenSource: 'HF_API_TOKEN' };
  const tokenFile = path.join(config.HF_DATA_DIR, 'api-token');
  let token = '';
  try {
    token = fs.readFileSync(tokenFile, 'utf8').trim();
  } catch {
    // missing or unreadable: reported below
  }
  if (!token) throw new MissingTokenError(tokenFile);
  return { url, token, tokenSource: tokenFile };
}

export interface ApiClientOptions extends ApiSettings {
  /** Time allowed for one call (not for an event stream). @default 30_000 ms */
  timeoutMs?: number;
  /** Pause between polls when watching without an event stream. @default 1000 ms */
  pollIntervalMs?: number;
  /** How long a watch keeps retrying while the server is unreachable. @default 30_000 ms */
  reconnectForMs?: number;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export function createApiClient(options: ApiClientOptions) {
  const { url, token, tokenSource } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const reconnectForMs = options.reconnectForMs ?? 30_000;

  async function send(call: Call, signal: AbortSignal, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: accept, ...call.headers };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url + call.path, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
      });
    } catch (err) {
      const timedOut = signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
      if (signal.aborted && !timedOut) throw err; // the caller stopped
      throw new ApiUnreachableError(url, timedOut ? 'no answer in time' : networkReason(err), { cause: err });
    }
    if (res.status === 401) {
      await res.body?.cancel();
      throw new ApiAuthError(tokenSource);
    }
    if (!res.ok) throw await problemOf(res, `${call.method} ${call.path}`);
    return res;
  }

  async function problemOf(res: Response, request: string): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let body: { title?: unknown; detail?: unknown; errors?: unknown } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (!body || typeof body !== 'object') {
      return new ApiProblemError(
        res.status,
        res.statusText || 'Error',
        text.slice(0, 200).trim() || undefined,
        [],
        request,
      );
    }
    const errors = Array.isArray(body.errors)
      ? body.errors
          .filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.message === 'string')
          .map((e) => ({ field: e.field, message: e.message }))
      : [];
    const title = typeof body.title === 'string' ? body.title : res.statusText || 'Error';
    return new ApiProblemError(
      res.status,
      title,
      typeof body.detail === 'string' ? body.detail : undefined,
      errors,
      request,
    );
  }

  function check<S extends z.ZodType>(schema: S, value: unknown, request: string): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ApiUnexpectedAnswerError(`The API at ${url} answered ${request} with an unexpected document (${where}).`);
  }

  async function json<S extends z.ZodType>(call: Call, schema: S): Promise<z.infer<S>> {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await send(call, signal);
    let body: unknown;
    const text = await res.text().catch((err: unknown) => {
      throw new ApiUnreachableError(url, networkReason(err), { cause: err });
    });
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiUnexpectedAnswerError(
        `The server at ${url} did not answer like the hybridflow API (${res.headers.get('content-type') ?? 'no content type'} instead of JSON). Check --url or HF_API_URL.`,
      );
    }
    return check(schema, body, `${call.method} ${call.path}`);
  }

  const flowPath = (id: string) => `/api/v1/flows/${encodeURIComponent(id)}`;
  const getFlow = (id: string): Promise<FlowDocument> => json({ method: 'GET', path: flowPath(id) }, Flow);

  /** One connection to the flow's event stream; resolves with the closed flow, or undefined if the stream ended early. */
  async function streamOnce(
    id: string,
    onUpdate: (flow: FlowDocument) => void,
    outer: AbortSignal,
  ): Promise<FlowDocument | undefined> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    outer.addEventListener('abort', abort, { once: true });
    const request = `GET ${flowPath(id)}/events`;
    try {
      const res = await send({ method: 'GET', path: `${flowPath(id)}/events` }, controller.signal, 'text/event-stream');
      if (!res.headers.get('content-type')?.includes('text/event-stream') || !res.body) {
        await res.body?.cancel();
        throw new ApiUnexpectedAnswerError(`The API answered ${request} without an event stream.`);
      }
      let final: FlowDocument | undefined;
      let failure: Error | undefined;
      const parser = createParser({
        onEvent(event) {
          if (final || failure || (event.event !== 'step' && event.event !== 'flow')) return;
          try {
            const flow = check(Flow, JSON.parse(event.data), request);
            onUpdate(flow);
            if (event.event === 'flow' || flow.status !== 'running') final = flow;
          } catch (err) {
            failure =
              err instanceof ApiError
                ? err
                : new ApiUnexpectedAnswerError(`The API sent an unreadable event on ${request}.`);
          }
        },
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
          if (final || failure) break;
        }
      } catch {
        // the stream broke: the caller decides whether to reconnect
      } finally {
        controller.abort();
      }
      if (failure) throw failure;
      return final;
    } finally {
      outer.removeEventListener('abort', abort);
    }
  }

  return {
    url,

    /** Starts a rapid clone; an Idempotency-Key makes the one retry after a dropped connection safe. */
    async startRapidClone(req: RapidCloneOptions): Promise<FlowStartedAnswer> {
      const call: Call = {
        method: 'POST',
        path: '/api/v1/flows/rapid-clone',
        body: req,
        headers: { 'Idempotency-Key': randomUUID() },
      };
      try {
        return await json(call, FlowStarted);
      } catch (err) {
        if (!(err instanceof ApiUnreachableError) || err.reason === 'connection refused') throw err;
        return json(call, FlowStarted);
      }
    },

    listFlows(query: FlowListOptions = {}): Promise<FlowListAnswer> {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
      const qs = params.toString();
      return json({ method: 'GET', path: `/api/v1/flows${qs ? `?${qs}` : ''}` }, FlowList);
    },

    getFlow,

    async cancelFlow(id: string): Promise<void> {
      const res = await send({ method: 'POST', path: `${flowPath(id)}/cancel` }, AbortSignal.timeout(timeoutMs));
      await res.body?.cancel();
    },

    /**
     * Follows a flow until it closes, calling `onUpdate` with each new document: over the event stream, reconnecting
     * when it breaks, and polling GET once a second when the server offers no stream. A server that stays
     * unreachable for `reconnectForMs` ends the watch with ApiUnreachableError; so do 401 and 404.
     */
    async watchFlow(
      id: string,
      onUpdate: (flow: FlowDocument) => void,
      signal: AbortSignal = new AbortController().signal,
    ): Promise<FlowDocument> {
      let useStream = true;
      let streamFailures = 0;
      let unreachableSince: number | undefined;
      for (;;) {
        if (signal.aborted) throw new ApiError('Stopped watching.');
        if (useStream) {
          let delivered = false;
          try {
            const final = await streamOnce(id, (flow) => ((delivered = true), onUpdate(flow)), signal);
            if (final) return final;
          } catch (err) {
            if (err instanceof ApiAuthError || err instanceof ApiUnexpectedAnswerError) throw err;
            // A server without the stream (404/405/406/501): poll instead, for good.
            if (err instanceof ApiProblemError && [404, 405, 406, 501].includes(err.status)) useStream = false;
          }
          streamFailures = delivered ? 0 : streamFailures + 1;
          if (streamFailures >= 3) useStream = false;
        }
        // Between streams, and while polling: the document itself (404 for an unknown flow ends the watch here).
        try {
          const flow = await getFlow(id);
          unreachableSince = undefined;
          onUpdate(flow);
          if (flow.status !== 'running') return flow;
        } catch (err) {
          if (!(err instanceof ApiUnreachableError)) throw err;
          unreachableSince ??= Date.now();
          if (Date.now() - unreachableSince > reconnectForMs) throw err;
        }
        await sleep(pollIntervalMs, signal);
      }
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The message to show for an error thrown by an API command: ours are plain words already; others get a prefix. */
export function failureMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof ConfigError) return `Invalid configuration:\n${err.message}`;
  return `Unexpected error: ${err instanceof Error ? err.message : String(err)}`;
}

/** Runs a command's action: any failure becomes one plain message on stderr and exit code 1, never a stack trace. */
export function apiAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      process.stderr.write(failureMessage(err) + '\n');
      process.exitCode = 1;
    }
  };
}
