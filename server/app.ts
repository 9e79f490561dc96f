// The API server's express app, built without listening so tests can use it directly. A request goes:
// health -> OpenAPI/docs -> web pages -> /api/v1 (JSON body) -> the route table (api/routes.ts, each route with its
// guard and handler) -> problem answers.
import type { Client } from '@temporalio/client';
import express from 'express';
import type { OvirtClient } from '../ovirt/client';
import { createAuth } from './auth';
import type { SessionStore } from '../db/sessions';
import { API_BASE } from './api/route';
import { apiRouter } from './api/router';
import { externalTaskHandlers } from './external-tasks/handlers';
import type { ExternalTaskService } from './external-tasks/service';
import { flowHandlers } from './flows/handlers';
import type { FlowService } from './flows/service';
import { createFlowWatcher, type FlowWatcher } from './flows/watcher';
import { healthRoutes } from './health';
import { allowedHosts, hostGuard } from './host-guard';
import { inventoryHandlers } from './inventory/handlers';
import type { InventoryService } from './inventory/service';
import { vendorHandlers, vendorTaskHandlers } from './vendors/handlers';
import type { VendorService } from './vendors/service';
import { docsRoutes } from './docs/routes';
import { errorHandler, sendProblem } from './problem';
import { metricsRoutes, requestMetrics } from './metrics';
import { createLogger, type Logger } from '../common/log';
import { webRoutes } from './web/routes';

export interface AppDeps {
  token: string;
  flows: FlowService;
  inventory: InventoryService;
  /** The vendor registry with online states; its keys are accepted on the vendor API only. */
  vendors: VendorService;
  /** Vendors' standalone external tasks. */
  externalTasks: ExternalTaskService;
  /** The web pages' sessions, shared by every API server of the database. */
  sessions: SessionStore;
  client: Client;
  ovirt: OvirtClient;
  /** The main task queue, whose workers /readyz looks for. @default not checked */
  taskQueue?: string;
  /** The shared poller of the flows' event streams. @default one of its own */
  watcher?: FlowWatcher;
  /** Host names the server answers to besides loopback and `listenHost` (HF_ALLOWED_HOSTS). @default none */
  allowedHosts?: readonly string[];
  /** The address it listens on (HF_HOST): a specific one is an allowed host name too. @default '127.0.0.1' */
  listenHost?: string;
  /** Aborted when the server starts shutting down: /readyz answers 503 and event streams end. @default never */
  draining?: AbortSignal;
  /** Where request and error lines go (the command: HF_LOG_LEVEL). @default a `server` logger, errors only */
  log?: Logger;
  /** When set, GET /metrics needs `Authorization: Bearer <it>` (HF_METRICS_TOKEN). @default open */
  metricsToken?: string;
}

/** Bodies are JSON; anything else is a 415, not a silent empty body. */
const jsonOnly: express.RequestHandler = (req, res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    return sendProblem(res, {
      status: 415,
      title: 'Unsupported media type',
      detail: 'Send the body as application/json.',
    });
  }
  next();
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestMetrics(deps.log ?? createLogger('server', { level: 'error' })));
  app.use(hostGuard(allowedHosts(deps.listenHost, deps.allowedHosts)));
  // Outside /api/v1: no session or API token, a token of its own if configured (scrapers are not users).
  app.use(metricsRoutes(deps.metricsToken));
  const auth = createAuth(deps.token, {
    sessions: deps.sessions,
    vendorKeys: (key) => deps.vendors.registry.authenticate(key),
  });
  app.use(healthRoutes(deps));
  app.use(docsRoutes());
  app.use(webRoutes());
  app.use(API_BASE, jsonOnly, express.json({ limit: '64kb' }));
  const watcher = deps.watcher ?? createFlowWatcher(deps.flows);
  const handlers = {
    ...auth.sessionHandlers,
    ...flowHandlers({
      flows: deps.flows,
      watcher,
      inventory: deps.inventory,
      vendors: deps.vendors,
      draining: deps.draining,
    }),
    ...inventoryHandlers(deps.inventory),
    ...vendorHandlers(deps.vendors, deps.externalTasks),
    ...vendorTaskHandlers(deps.vendors),
    ...externalTaskHandlers(deps.externalTasks),
  };
  app.use(apiRouter(handlers, { token: auth.require, vendor: auth.vendor, login: auth.loginGuard }));
  // Any other API path needs auth too before it is a 404: nobody learns which paths exist without a token.
  app.use(API_BASE, auth.require);
  app.use((_req, res) => {
    sendProblem(res, { status: 404, title: 'Not found' });
  });
  app.use(errorHandler);
  return app;
}
