// Prometheus metrics of this process (one registry a process; the API server and the worker serve it at /metrics).
// Labels are bounded: routes and engine calls are templates, never raw URLs, so ids do not multiply series.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

/** API requests: `route` is the route template (`/api/v1/flows/:id`), or `unmatched`. */
export const httpRequestDuration = new Histogram({
  name: 'hybridflow_http_request_duration_seconds',
  help: 'Time the API server took to answer a request, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Flows the API started (a repeated Idempotency-Key starts none). */
export const flowsStarted = new Counter({
  name: 'hybridflow_flows_started_total',
  help: 'Flows started through the API, by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/** Flows a worker saw end (counted once, outside replay): outcome completed, failed or cancelled. */
export const flowsEnded = new Counter({
  name: 'hybridflow_flows_ended_total',
  help: 'Flows that ended on this worker, by kind and outcome (completed, failed, cancelled)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

/** oVirt REST calls: `call` is the method and the path template (`POST /jobs/{id}/steps`). */
export const engineCallDuration = new Histogram({
  name: 'hybridflow_engine_call_duration_seconds',
  help: 'Time of oVirt REST calls, by call (method and path template) and outcome (ok or error)',
  labelNames: ['call', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const engineCallErrors = new Counter({
  name: 'hybridflow_engine_call_errors_total',
  help: 'oVirt REST calls that failed, by call and status (the HTTP status, or 0 when the engine was unreachable)',
  labelNames: ['call', 'status'] as const,
  registers: [registry],
});

/** Webhook vendors' reports on their tasks: outcome accepted, or the refusal (conflict, gone, invalid, not_found). */
export const vendorReports = new Counter({
  name: 'hybridflow_vendor_reports_total',
  help: 'Reports of webhook vendors on their tasks, by vendor, report and outcome',
  labelNames: ['vendor', 'report', 'outcome'] as const,
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'hybridflow_webhook_deliveries_total',
  help: 'Deliveries of tasks to webhook vendors, by vendor and outcome (delivered, refused, unreachable)',
  labelNames: ['vendor', 'outcome'] as const,
  registers: [registry],
});

let defaults = false;
/** The registry's text, with the process's own figures (CPU, memory, event loop) from the first scrape on. */
export async function metricsText(): Promise<string> {
  if (!defaults) {
    collectDefaultMetrics({ register: registry });
    defaults = true;
  }
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** The engine call label of a path: every segment that is not a lowercase word (an id) becomes `{id}`. */
export function callTemplate(method: string, path: string): string {
  const template = path
    .split('?')[0]!
    .split('/')
    .map((segment) => (segment === '' || /^[a-z_;=]+$/.test(segment) ? segment : '{id}'))
    .join('/');
  return `${method} ${template}`;
}

/**
 * Whether a /metrics request may read: always when no token is configured (HF_METRICS_TOKEN), else only with
 * `Authorization: Bearer <token>` (compared in constant time).
 */
export function metricsAuthorized(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}
