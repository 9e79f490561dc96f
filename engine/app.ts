// Assembles the engine's HTTP app without listening, so tests and start.ts share it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { ApiHandler } from './api-router';
import { apiHandler, ApiRoutes, json } from './api-router';
import type { Authenticator } from './auth';
import { ssoRouter } from './auth';
import { faultHandler, unknownPath } from './faults';
import { hostGuard } from './host-guard';
import type { FaultInjector } from './fault-injection/injector';
import { faultInjectionRouter } from './fault-injection/routes';
import { inventoryActionRoutes } from './inventory/action-routes';
import type { InventoryServices } from './inventory/services';
import type { InventoryStore } from './inventory/store';
import { inventoryRoutes } from './inventory/routes';
import type { JobService } from './jobs/service';
import { progressRouter } from './jobs/progress';
import { jobsRoutes } from './jobs/routes';
import { href, links, ref } from './representation';
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
  /** Host names requests may carry in `Host` (and writes in `Origin`), normalised; see `allowedHostSet`. */
  allowedHosts: ReadonlySet<string>;
}

const apiRoot =
  (now: () => number): ApiHandler =>
  ({ user }) => {
    const { major, minor, build, revision } = PRODUCT_VERSION;
    return json({
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
      time: now(),
      authenticated_user: ref(`/users/${user.id}`, user.id),
      link: links('', ['clusters', 'disks', 'jobs', 'storagedomains', 'templates', 'vms']),
      href: href(''),
    });
  };

/**
 * The engine's request handler: first the Host / Origin check (`host-guard.ts`), then `/ovirt-engine/api` (and `/v4`) served by `apiHandler` on Node's request and
 * response; the SSO endpoint, `/builtin/*` and the Tasks page by express.
 */
export function createApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/ovirt-engine/sso', ssoRouter(deps.auth));
  app.use('/builtin/faults', faultInjectionRouter(deps.auth, deps.faults));
  app.use('/builtin/storage-array', storageArrayRouter(deps.auth, deps.storageArray));
  app.use(progressRouter(deps.auth, deps.jobs), tasksRouter(deps.auth, deps.jobs));
  app.use(unknownPath);
  app.use(faultHandler);

  const routes = new ApiRoutes();
  routes.get('/', apiRoot(deps.jobs.store.now));
  jobsRoutes(routes, deps.jobs);
  inventoryRoutes(routes, deps.inventory);
  inventoryActionRoutes(routes, deps.inventoryServices);
  const api = apiHandler({ auth: deps.auth, faults: deps.faults, routes, bodyLimit: 1024 * 1024 });

  const hostAllowed = hostGuard(deps.allowedHosts);
  return (req, res) => {
    if (hostAllowed(req, res) && !api(req, res)) app(req, res);
  };
}
