// A small typed client for oVirt's REST API v4 (JSON). It depends on nothing of the built-in engine and works
// unchanged against a real oVirt: SSO token with one re-authentication on 401, CA file or insecure TLS,
// a timeout per call, a Correlation-Id on every call, and faults turned into typed errors (see errors.ts).
import fs from 'node:fs';
import { Agent, fetch } from 'undici';
import type { z } from 'zod';
import { causeChain, rootCause } from '../common/errors';
import { callTemplate, engineCallDuration, engineCallErrors } from '../common/metrics';
import type { OvirtError } from './errors';
import { errorForStatus, OvirtUnavailableError } from './errors';
import { Fault } from './representation';

export interface OvirtClientOptions {
  /** The API URL, e.g. https://engine.example.com/ovirt-engine/api */
  url: string;
  /** @default 'admin@internal' */
  user?: string;
  password: string;
  /** PEM file of the CA that signed the engine's certificate. */
  caFile?: string;
  /** Skip TLS verification (test installations only). @default false */
  insecure?: boolean;
  /** Timeout of one HTTP call in milliseconds. @default 30000 */
  timeoutMs?: number;
}

export interface CallOptions {
  /** Sent as the Correlation-Id header; oVirt stores it on the jobs the call creates. */
  correlationId?: string;
  /** Query parameters. */
  query?: Record<string, string>;
  /** The path is absolute on the engine's host (an extension of the built-in engine), not under the API URL. */
  outsideApi?: boolean;
  /** This call's HTTP timeout, in ms. @default the client's timeoutMs */
  timeoutMs?: number;
}

export class OvirtClient {
  // Shared with the scoped views of withCorrelationId().
  private readonly session: { token?: Promise<string> } = {};
  private readonly dispatcher: Agent;
  private readonly base: string;
  private correlationId?: string;

  constructor(private readonly options: OvirtClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.dispatcher = new Agent({
      connect: {
        ca: options.caFile ? fs.readFileSync(options.caFile) : undefined,
        rejectUnauthorized: !options.insecure,
      },
    });
  }

  /** A view of this client (same session and connections) that sends this Correlation-Id on every call. */
  withCorrelationId(correlationId: string): OvirtClient {
    const scoped = Object.create(this) as OvirtClient;
    scoped.correlationId = correlationId;
    return scoped;
  }

  get<T extends z.ZodType>(path: string, schema: T, opts?: CallOptions): Promise<z.infer<T>> {
    return this.call('GET', path, undefined, schema, opts);
  }

  post<T extends z.ZodType>(path: string, body: unknown, schema: T, opts?: CallOptions): Promise<z.infer<T>> {
    return this.call('POST', path, body, schema, opts);
  }

  put<T extends z.ZodType>(path: string, body: unknown, schema: T, opts?: CallOptions): Promise<z.infer<T>> {
    return this.call('PUT', path, body, schema, opts);
  }

  /** An action (`POST <entity>/<action>`); the answer is the action echoed back, so it is not parsed. */
  action(path: string, body: unknown, opts?: CallOptions): Promise<unknown> {
    return this.call('POST', path, body, undefined, opts);
  }

  delete(path: string, opts?: CallOptions): Promise<unknown> {
    return this.call('DELETE', path, undefined, undefined, opts);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async call<T extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: T | undefined,
    opts: CallOptions = {},
  ): Promise<z.infer<T>> {
    // Timed and counted by call (method and path template, hybridflow_engine_call_*), never by URL.
    const call = callTemplate(method, path);
    const end = engineCallDuration.startTimer({ call });
    try {
      const answer = await this.callOnce(method, path, body, schema, opts);
      end({ outcome: 'ok' });
      return answer;
    } catch (err) {
      end({ outcome: 'error' });
      engineCallErrors.inc({ call, status: String((err as { status?: number }).status ?? 0) });
      throw err;
    }
  }

  private async callOnce<T extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: T | undefined,
    opts: CallOptions,
  ): Promise<z.infer<T>> {
    let response = await this.send(method, path, body, opts, await this.bearer());
    if (response.status === 401) {
      // Tokens expire; fetch a new one and try once more.
      this.session.token = undefined;
      response = await this.send(method, path, body, opts, await this.bearer());
    }
    const text = await response.text();
    if (response.status >= 300) throw this.failure(method, path, response.status, text);
    if (!schema) return undefined as z.infer<T>;
    const parsed = schema.safeParse(text ? JSON.parse(text) : {});
    if (!parsed.success) {
      throw new OvirtUnavailableError(
        `${method} ${path}: unexpected answer: ${parsed.error.message}`,
        response.status,
        method,
        path,
      );
    }
    return parsed.data;
  }

  private async send(method: string, path: string, body: unknown, opts: CallOptions, token: string) {
    const url = opts.outsideApi ? new URL(path, this.base) : new URL(this.base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Version: '4',
      Authorization: `Bearer ${token}`,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const correlationId = opts.correlationId ?? this.correlationId;
    if (correlationId) headers['Correlation-Id'] = correlationId;
    const attempt = () =>
      fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.options.timeoutMs ?? 30_000),
      });
    try {
      return await attempt().catch((err: unknown) => {
        // A kept-alive connection the engine closed (it restarted) fails the first read on it: a read is safe to
        // send once more, on a new connection.
        if (method === 'GET' && describeNetworkError(err) === 'UND_ERR_SOCKET') return attempt();
        throw err;
      });
    } catch (err) {
      throw new OvirtUnavailableError(`${method} ${path}: ${describeNetworkError(err)}`, 0, method, path, undefined, {
        cause: err,
      });
    }
  }

  private bearer(): Promise<string> {
    this.session.token ??= this.login().catch((err) => {
      this.session.token = undefined;
      throw err;
    });
    return this.session.token;
  }

  private async login(): Promise<string> {
    const url = this.base.replace(/\/api(\/v4)?$/, '') + '/sso/oauth/token';
    const form = new URLSearchParams({
      grant_type: 'password',
      scope: 'ovirt-app-api',
      username: this.options.user ?? 'admin@internal',
      password: this.options.password,
    });
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new OvirtUnavailableError(`SSO login: ${describeNetworkError(err)}`, 0, 'POST', url, undefined, {
        cause: err,
      });
    }
    const json = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      error?: string;
      error_description?: string;
    };
    if (response.ok && json.access_token) return json.access_token;
    // 429: the engine throttles logins (someone guessed passwords from this address); retried after a while, not final.
    const status = response.status >= 500 || response.status === 429 ? response.status : 401;
    const Err = errorForStatus(status);
    throw new Err(
      `SSO login as ${this.options.user ?? 'admin@internal'} failed: ${json.error_description ?? json.error ?? response.status}`,
      status,
      'POST',
      url,
    );
  }

  private failure(method: string, path: string, status: number, text: string): OvirtError {
    let detail: string | undefined;
    try {
      const fault = Fault.parse(JSON.parse(text));
      detail = [fault.reason, fault.detail].filter(Boolean).join(': ');
    } catch {
      detail = text.slice(0, 200) || undefined;
    }
    const Err = errorForStatus(status);
    return new Err(`${method} ${path} -> ${status}${detail ? ` ${detail}` : ''}`, status, method, path, detail);
  }
}

function describeNetworkError(err: unknown): string {
  if ((err as { name?: string } | null)?.name === 'TimeoutError') return 'timed out';
  // fetch's own error says only "fetch failed": its causes say why (UND_ERR_SOCKET, ECONNREFUSED, a TLS failure...).
  for (const e of causeChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  const root = rootCause(err);
  return root instanceof Error ? root.message : String(root);
}
