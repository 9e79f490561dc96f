// The Tasks page, where people track jobs and steps: `/tasks` (HTML), `/tasks/assets/*` (its script and styles),
// `/assets/lib/*` (modules it shares with the CLI and the server's pages), `/tasks/api/jobs[/{id}]`, `/tasks/api/counts` (its read-only data) and `/tasks/events` (server-sent events of changes).
// Everything here is read-only. Calls from the engine's own machine (loopback, the dev stack) need no credentials;
// calls from elsewhere need the API's (Basic, so a browser can prompt, or Bearer). A page of another site cannot
// read them through DNS rebinding: the Host header is checked before anything else (`host-guard.ts`).
import path from 'node:path';
import express from 'express';
import type { RequestHandler } from 'express';
import { serveBrowserModule } from '../../common/browser-modules';
import type { Authenticator } from '../auth';
import { requireUser } from '../auth';
import { entityNotFound, invalidEnumValue, invalidValue, unknownPath } from '../faults';
import type { JobService } from '../jobs/service';
import { JOB_STATUSES } from '../jobs/store';
import type { JobStatus } from '../jobs/store';
import { TasksFeed } from './feed';
import type { FeedOptions } from './feed';
import { PAGE_LIMIT, TasksView } from './view';

const PUBLIC_DIR = path.join(__dirname, 'public');
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** Open to loopback callers; everyone else authenticates as on the API. */
function localOrAuthenticated(auth: Authenticator): RequestHandler {
  const authenticated = requireUser(auth);
  return (req, res, next) => {
    if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
    authenticated(req, res, next);
  };
}

function readStatus(raw: unknown): JobStatus | undefined {
  if (raw === undefined || raw === '' || raw === 'all') return undefined;
  if (typeof raw !== 'string' || !(JOB_STATUSES as readonly string[]).includes(raw.toLowerCase())) {
    throw invalidEnumValue(String(raw), 'JobStatus', JOB_STATUSES);
  }
  return raw.toLowerCase() as JobStatus;
}

function readLimit(raw: unknown): number {
  if (raw === undefined || raw === '') return PAGE_LIMIT;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
    throw invalidValue(raw, 'limit');
  return Number(raw);
}

export function tasksRouter(auth: Authenticator, jobs: JobService, feedOptions?: FeedOptions): express.Router {
  const view = new TasksView(jobs.store, auth);
  const feed = new TasksFeed(jobs.store, view, feedOptions);
  const router = express.Router();

  // Code only, no data: served without credentials (the page's module imports it).
  router.get('/assets/lib/:file', (req, res, next) => {
    res.set(PAGE_HEADERS);
    serveBrowserModule(req, res, next);
  });
  router.use('/tasks', localOrAuthenticated(auth));
  router.get(['/tasks', '/tasks/'], (_req, res) => {
    res.set(PAGE_HEADERS).sendFile(path.join(PUBLIC_DIR, 'index.html'));
  });
  router.use(
    '/tasks/assets',
    express.static(PUBLIC_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.set(PAGE_HEADERS) }),
  );

  router.get('/tasks/api/jobs', (req, res) => {
    res.set('cache-control', 'no-store').json(view.list(readStatus(req.query.status), readLimit(req.query.limit)));
  });
  router.get('/tasks/api/counts', (_req, res) => {
    res.set('cache-control', 'no-store').json({ counts: view.counts() });
  });
  router.get('/tasks/api/jobs/:jobId', (req, res) => {
    const job = view.job(req.params.jobId);
    if (!job) throw entityNotFound(req.params.jobId);
    res.set('cache-control', 'no-store').json(job);
  });
  router.get('/tasks/events', feed.attach);
  // A missing asset falls through to here: the 404 names the URL asked for, never the file looked for.
  router.use('/tasks', unknownPath);
  return router;
}
