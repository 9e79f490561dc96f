// Assembles the engine's HTTP app without listening, so tests and start.ts share it.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { ApiHandler } from './api-router';
import { apiHandler, ApiRoutes, represent, underApi } from './api-router';
import type { Authenticator } from './auth';
import { ssoLogoutRouter, ssoRouter } from './auth';
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
import { responseFormat } from './negotiation';
import { date, entity, href, int, links, ref } from './representation';
import { tasksRouter } from './tasks/routes';
import { usersRoutes } from './users';
import type { StorageArray } from './storage-array/service';
import { storageArrayRouter } from './storage-array/routes';

export const PRODUCT_VERSION = { major: 4, minor: 5, build: 7, revision: 0 } as const;

/** This engine's `product_info.instance_id`, new on each start as a fresh installation's would be. */
const INSTANCE_ID = crypto.randomUUID();

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

/** The collections the engine serves, linked from the API root as oVirt links them (`rel` = the path). */
const ROOT_COLLECTIONS = ['clusters', 'disks', 'jobs', 'storagedomains', 'templates', 'users', 'vms'] as const;
/** Collections whose `search` the engine reads: linked as `<rel>/search` with oVirt's URI template. */
const ROOT_SEARCHES = ['disks', 'jobs', 'vms'] as const;

/** The Blank template, one of oVirt's special objects (see seed.ts). */
const BLANK_TEMPLATE_ID = '00000000-0000-0000-0000-000000000000';

/** `GET /ovirt-engine/api`: product info, the links SDKs start from, special objects, a summary, the time, users. */
const apiRoot =
  ({ auth, jobs, inventory }: AppDeps): ApiHandler =>
  ({ user }) => {
    const { major, minor, build, revision } = PRODUCT_VERSION;
    const vms = inventory.vms();
    const domains = inventory.storageDomains().length;
    const users = auth.userCounts();
    const userRef = ref(`/users/${user.id}`, user.id);
    return represent(
      entity('api', {
        link: [
          ...links('', ROOT_COLLECTIONS),
          ...ROOT_SEARCHES.map((rel) => ({ href: href(`/${rel}?search={query}`), rel: `${rel}/search` })),
        ],
        product_info: {
          instance_id: INSTANCE_ID,
          name: 'oVirt Engine',
          vendor: 'ovirt.org',
          version: {
            build: int(build),
            full_version: `${major}.${minor}.${build}-hybridflow`,
            major: int(major),
            minor: int(minor),
            revision: int(revision),
          },
        },
        special_objects: { blank_template: ref(`/templates/${BLANK_TEMPLATE_ID}`, BLANK_TEMPLATE_ID) },
        summary: {
          hosts: { active: int(0), total: int(0) },
          storage_domains: { active: int(domains), total: int(domains) },
          users: { active: int(users.active), total: int(users.total) },
          vms: { active: int(vms.filter((vm) => vm.status !== 'down').length), total: int(vms.length) },
        },
        time: date(jobs.store.now()),
        authenticated_user: userRef,
        effective_user: userRef,
        href: href(''),
      }),
    );
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
  app.use('/ovirt-engine/services', ssoLogoutRouter(deps.auth));
  app.use('/builtin/faults', faultInjectionRouter(deps.auth, deps.faults));
  app.use('/builtin/storage-array', storageArrayRouter(deps.auth, deps.storageArray));
  app.use(progressRouter(deps.auth, deps.jobs), tasksRouter(deps.auth, deps.jobs));
  app.use(unknownPath);
  app.use(faultHandler);

  const routes = new ApiRoutes();
  routes.get('/', apiRoot(deps));
  jobsRoutes(routes, deps.jobs);
  inventoryRoutes(routes, deps.inventory);
  inventoryActionRoutes(routes, deps.inventoryServices);
  usersRoutes(routes, deps.auth);
  const api = apiHandler({ auth: deps.auth, faults: deps.faults, routes, bodyLimit: 1024 * 1024 });

  // Refusals on the API's paths come in the representation the caller asked for, as every answer there does.
  const hostAllowed = hostGuard(deps.allowedHosts, (req) =>
    underApi((req.url ?? '/').split('?')[0]!) ? responseFormat(req.headers.accept) : 'json',
  );
  return (req, res) => {
    if (hostAllowed(req, res) && !api(req, res)) app(req, res);
  };
}
