// The worker's GET /metrics: hybridflow's figures of this process followed by the Temporal SDK's own (`temporal_*`,
// served by the core runtime's Prometheus exporter on a loopback port of its own), so Prometheus scrapes one target.
// When HF_METRICS_TOKEN is set only `Authorization: Bearer <it>` reads it.
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, metricsAuthorized, metricsText } from '../common/metrics';
import type { Logger } from '../common/log';
import { close, listen } from '../cli/stack/listen';

export interface WorkerMetricsOptions {
  /** HF_METRICS_PORT; 0 = a free port. */
  port: number;
  host: string;
  /** HF_METRICS_TOKEN. @default open */
  token?: string;
  /** The SDK exporter's metrics URL (`http://127.0.0.1:<port>/metrics`). @default none */
  sdkMetricsUrl?: string;
  log: Logger;
}

export async function serveWorkerMetrics(opts: WorkerMetricsOptions) {
  const sdkMetrics = async () => {
    if (!opts.sdkMetricsUrl) return '';
    try {
      const res = await fetch(opts.sdkMetricsUrl, { signal: AbortSignal.timeout(5000) });
      return res.ok ? await res.text() : '';
    } catch (err) {
      opts.log.warn({ error: (err as Error).message }, "the Temporal SDK's metrics could not be read");
      return '';
    }
  };
  const server = await listen(
    (req, res) => {
      if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      if (!metricsAuthorized(opts.token, req.headers.authorization)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' });
        res.end('Send the metrics token.\n');
        return;
      }
      void Promise.all([metricsText(), sdkMetrics()]).then(
        ([own, sdk]) => {
          res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
          res.end(own.endsWith('\n') || !sdk ? own + sdk : `${own}\n${sdk}`);
        },
        (err: Error) => {
          opts.log.error({ error: err.message }, 'metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics failed.\n');
        },
      );
    },
    opts.port,
    opts.host,
    'HF_METRICS_PORT',
  );
  return {
    port: (server.address() as AddressInfo).port,
    close: () => close(server),
  };
}
