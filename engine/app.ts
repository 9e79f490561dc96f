// Assembles the engine's HTTP app without listening, so tests and start.ts share it.
import express from 'express';
import type { RequestHandler } from 'express';
import type { Authenticator } from './auth';
import { currentUser, requireUser, ssoRouter } from './auth';
import { correlationId } from './correlation';
import { ApiFault, faultHandler, unknownPath } from './faults';
import type { FaultInjector } from './fault-injection/injector';
import { faultInjectionRouter } from './fault-injection/routes';
import { inventoryActionsRouter } from './inventory/action-routes';
import type { InventoryServices } from './inventory/services';
import type { InventoryStore } from './inventory/store';
import { inventoryRouter } from './inventory/routes';
import type { JobService } from './jobs/service';
import { progressRouter } from './jobs/progress';
import { jsonBody } from './json-body';
import { jobsRouter } from './jobs/routes';
import { API_PREFIX, href, links, ref } from './representation';
import { tasksRouter } from './tasks/routes';
import type { StorageArray } from './storage-array/service';
import { storageArrayRouter } from './storage-array/routes';

export const PRODUCT_VERSION = { major: 4, minor: 5, build: 7, revision: 0 } as const;

export interface AppDeps {
  auth: Authenticator;
  jobs: JobService;
  inventory: InventoryStore;
  /** VM, disk, snapshot and attachment actions, and their asynchronous work. */
  inventoryServices: InventoryServices;
  /** The storage-side hook (not oVirt). */
  storageArray: StorageArray;
  /** Fault injection under /ovirt-engine/api (off while it has no rules). */
  faults: FaultInjector;
}

/** 415 for a request body that is not JSON: the engine speaks JSON only. */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new ApiFault(415, 'Unsupported Media Type', `The built-in engine accepts application/json bodies only, not ${req.get('content-type') ?? 'none'}`);
  }
  next();
};

const apiRoot: RequestHandler = (_req, res) => {
  const user = currentUser(res);
  const { major, minor, build, revision } = PRODUCT_VERSION;
  res.json({
    product_info: {
      name: 'oVirt Engine',
      vendor: 'ovirt.org',
      version: {
        build: String(build),
        full_version: `${major}.${minor}.${build}-hybridflow`,
        major: String(major),
        minor: String(minor),
        revision: String(revision),
      },
    },
    time: Date.now(),
    authenticated_user: ref(`/users/${user.id}`, user.id),
    link: links('', ['clusters', 'disks', 'jobs', 'storagedomains', 'templates', 'vms']),
    href: href(''),
  });
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/ovirt-engine/sso', ssoRouter(deps.auth));
  app.use('/builtin/faults', faultInjectionRouter(deps.auth, deps.faults));
  app.use('/builtin/storage-array', storageArrayRouter(deps.auth, deps.storageArray));

  const api = express.Router();
  api.use(correlationId);
  api.use(deps.faults.middleware);
  api.use(requireUser(deps.auth));
  api.use(jsonBodiesOnly);
  api.use(jsonBody(1024 * 1024));
  api.get('/', apiRoot);
  api.use(jobsRouter(deps.jobs));
  api.use(inventoryRouter(deps.inventory));
  api.use(inventoryActionsRouter(deps.inventoryServices));
  api.use(unknownPath);

  app.use(`${API_PREFIX}/v4`, api);
  app.use(API_PREFIX, api);
  app.use(progressRouter(deps.auth, deps.jobs), tasksRouter(deps.auth, deps.jobs));
  app.use(faultHandler);
  return app;
}
