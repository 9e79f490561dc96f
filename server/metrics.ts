// The API server's Prometheus side: every request timed by route template and status, and GET /metrics (outside
// /api/v1 and its session login; when HF_METRICS_TOKEN is set only `Authorization: Bearer <it>` reads it).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import type { Logger } from '../common/log';
import {
  httpRequestDuration,
  METRICS_CONTENT_TYPE,
  metricsAuthorized,
  metricsText,
  vendorReports,
} from '../common/metrics';
import { HttpProblem, sendProblem } from './problem';

/** The route a request matched, as its template (`/api/v1/flows/:id`); never the URL, whose ids are unbounded. */
const routeOf = (req: Request) => (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched');

/** Times each request and logs it (debug; a 5xx at warn) with its route template, status and duration. */
export function requestMetrics(log: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = httpRequestDuration.startTimer();
    res.locals.log = log;
    // The route is known once a route matched, which is before the answer is written.
    res.once('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      const durationMs = end(labels) * 1000; // the timer answers the seconds it recorded
      log[res.statusCode >= 500 ? 'warn' : 'debug']({ ...labels, durationMs }, 'request');
    });
    next();
  };
}

/** GET /metrics: the process's registry in Prometheus' text format. */
export function metricsRoutes(token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!metricsAuthorized(token, req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return void sendProblem(res, { status: 401, title: 'Unauthorized', detail: 'Send the metrics token.' });
    }
    res.type(METRICS_CONTENT_TYPE).send(await metricsText());
  });
  return router;
}

const OUTCOME: Record<number, string> = {
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  422: 'invalid',
  400: 'invalid',
};

/** Runs a vendor's report on a task, counting it by its outcome (accepted, or why it was refused). */
export async function countedReport<T>(vendor: string, report: string, run: () => Promise<T>): Promise<T> {
  try {
    const answer = await run();
    vendorReports.inc({ vendor, report, outcome: 'accepted' });
    return answer;
  } catch (err) {
    const status = err instanceof HttpProblem ? err.problem.status : 500;
    vendorReports.inc({ vendor, report, outcome: OUTCOME[status] ?? 'error' });
    throw err;
  }
}
