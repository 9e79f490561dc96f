// The HTTP calls of the hybridflow API for the CLI: one place that sends (token, timeout, errors in plain words),
// answers checked against the same zod schemas the server answers with; methods and paths from the API's route table.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { fillPath, type QueryValue } from '../../common/api-path';
import { apiRoutes, type RouteName } from '../../server/api/routes';
import type { BulkCloneRequest } from '../../server/flows/kinds/bulk-clone';
import { Flow, FlowKindList, FlowList, FlowStarted } from '../../server/flows/schemas';
import {
  ActivityRegistration,
  type ActivityRegistrationRequest,
  VendorCreated,
  type VendorCreateRequest,
  VendorList,
} from '../../server/vendors/schemas';
import {
  ApiAuthError,
  ApiProblemError,
  ApiUnexpectedAnswerError,
  ApiUnreachableError,
  networkReason,
  type FieldError,
} from './errors';
import { watchFlow, type FlowFeed } from './events';
import { fieldLabel, type ApiSettings } from './settings';

export type FlowDocument = z.infer<typeof Flow>;
export type FlowListAnswer = z.infer<typeof FlowList>;
export type FlowStartedAnswer = z.infer<typeof FlowStarted>;
export type FlowKindListAnswer = z.infer<typeof FlowKindList>;
export type FlowStatus = FlowDocument['status'];

export interface RapidCloneOptions {
  sourceVm: string;
  cloneName: string;
  vendor?: string;
  restartSource?: boolean;
  startClone?: boolean;
}

/** A bulk clone's request as the API takes it (its zod schema is the source). */
export type BulkCloneOptions = z.input<typeof BulkCloneRequest>;

export interface FlowListOptions {
  status?: string;
  kind?: string;
  vm?: string;
  pageSize?: number;
  pageToken?: string;
}

/** A call of a route of the API's table (server/api/routes.ts): its method and path come from there. */
function routeCall(name: RouteName, params?: Record<string, string>, query?: Record<string, QueryValue>) {
  const route = apiRoutes[name];
  return {
    method: route.method.toUpperCase() as Uppercase<typeof route.method>,
    path: fillPath(route.path, params, query),
  };
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
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** How a refused field is named in the error (default: as the CLI's flag, see settings.ts). */
  fieldLabel?: (field: string) => string;
}

function problemMessage(
  status: number,
  title: string,
  detail: string | undefined,
  errors: readonly FieldError[],
  request: string,
  label: (field: string) => string,
) {
  if (errors.length > 0) {
    return [
      `The API refused the request (${status} ${title}):`,
      ...errors.map((e) => `  ${label(e.field)}: ${e.message}`),
    ].join('\n');
  }
  const text = detail ? `${title}: ${detail}` : title;
  if (status === 404 && /^not found$/i.test(title)) {
    return `${text} (${status}, ${request}): this API server does not offer that call; is it older than this CLI?`;
  }
  return `${text} (${status})`;
}

const problem = (
  status: number,
  title: string,
  detail: string | undefined,
  errors: FieldError[],
  request: string,
  label: (field: string) => string = fieldLabel,
) =>
  new ApiProblemError(
    status,
    title,
    detail,
    errors,
    request,
    problemMessage(status, title, detail, errors, request, label),
  );

/** The error of an answer with an error status: its RFC 9457 problem, or its status and the start of its text. */
async function problemOf(res: Response, request: string, label?: (field: string) => string): Promise<ApiProblemError> {
  const text = await res.text().catch(() => '');
  let body: { title?: unknown; detail?: unknown; errors?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object') {
    return problem(res.status, res.statusText || 'Error', text.slice(0, 200).trim() || undefined, [], request);
  }
  const errors = Array.isArray(body.errors)
    ? body.errors
        .filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.message === 'string')
        .map((e) => ({ field: e.field, message: e.message }))
    : [];
  const title = typeof body.title === 'string' ? body.title : res.statusText || 'Error';
  return problem(res.status, title, typeof body.detail === 'string' ? body.detail : undefined, errors, request, label);
}

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
    if (!res.ok) throw await problemOf(res, `${call.method} ${call.path}`, call.fieldLabel);
    return res;
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

  const getFlow = (id: string): Promise<FlowDocument> => json(routeCall('getFlow', { id }), Flow);

  const feed: FlowFeed = {
    async openEvents(id, signal) {
      const call: Call = routeCall('flowEvents', { id });
      return { response: await send(call, signal, 'text/event-stream'), request: `${call.method} ${call.path}` };
    },
    readFlow: (value, request) => check(Flow, value, request),
    getFlow,
  };

  return {
    url,

    /**
     * Starts a flow by POSTing its request to the kind's start route; an Idempotency-Key makes the one retry after a
     * dropped connection safe. `fieldLabel` names the refused fields in the error.
     */
    async startFlow(path: string, body: unknown, fieldLabel?: (field: string) => string): Promise<FlowStartedAnswer> {
      const call: Call = { method: 'POST', path, body, headers: { 'Idempotency-Key': randomUUID() }, fieldLabel };
      try {
        return await json(call, FlowStarted);
      } catch (err) {
        if (!(err instanceof ApiUnreachableError) || err.reason === 'connection refused') throw err;
        return json(call, FlowStarted);
      }
    },

    /** Starts a rapid clone (see startFlow). */
    startRapidClone(req: RapidCloneOptions): Promise<FlowStartedAnswer> {
      return this.startFlow(routeCall('startRapidClone').path, req);
    },

    /** Starts a bulk clone into a pool of new VMs (see startFlow). */
    startBulkClone(req: BulkCloneOptions): Promise<FlowStartedAnswer> {
      return this.startFlow(routeCall('startBulkClone').path, req);
    },

    /** The kinds of flow the API starts, each with its input's JSON Schema and its start route. */
    listFlowKinds: (): Promise<FlowKindListAnswer> => json(routeCall('listFlowKinds'), FlowKindList),

    listFlows(query: FlowListOptions = {}): Promise<FlowListAnswer> {
      return json(routeCall('listFlows', {}, { ...query }), FlowList);
    },

    getFlow,

    async cancelFlow(id: string): Promise<void> {
      const res = await send(routeCall('cancelFlow', { id }), AbortSignal.timeout(timeoutMs));
      await res.body?.cancel();
    },

    listVendors: (): Promise<z.infer<typeof VendorList>> => json(routeCall('listVendors'), VendorList),

    /** Registers a vendor; the answer's key (and webhook secret) are shown this once. */
    createVendor: (req: VendorCreateRequest): Promise<z.infer<typeof VendorCreated>> =>
      json({ ...routeCall('createVendor'), body: req }, VendorCreated),

    /** Registers one of a vendor's activities, with the vendor's own key. */
    putVendorActivity: (vendorKey: string, name: string, registration: ActivityRegistrationRequest) =>
      json(
        {
          ...routeCall('putVendorActivity', { name }),
          body: registration,
          headers: { Authorization: `Bearer ${vendorKey}` },
        },
        ActivityRegistration,
      ),

    async deleteVendor(id: string): Promise<void> {
      const res = await send(routeCall('deleteVendor', { id }), AbortSignal.timeout(timeoutMs));
      await res.body?.cancel();
    },

    /** Follows a flow until it closes (see events.ts): event stream, reconnects, polling as the fallback. */
    watchFlow: (
      id: string,
      onUpdate: (flow: FlowDocument) => void,
      signal: AbortSignal = new AbortController().signal,
    ): Promise<FlowDocument> => watchFlow(feed, id, onUpdate, { pollIntervalMs, reconnectForMs, signal }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
