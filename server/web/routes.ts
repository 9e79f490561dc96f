// The web pages: the rapid clone wizard, the flows list, the flow page, the vendors page and the external tasks page,
// plus their static assets.
// No auth here: the pages log in through the API (the `logIn` route) and the API guards the data.
import path from 'node:path';
import express from 'express';
import { serveBrowserModule } from '../../common/browser-modules';
import { browserRoutesModule } from '../api/browser-routes';

const PUBLIC_DIR = path.join(__dirname, 'public');

/** Same-origin only; nothing is fetched from elsewhere, nothing runs inline. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

const PAGES: Record<string, string> = {
  '/login': 'login.html',
  '/flows/new': 'wizard.html',
  '/flows': 'flows.html',
  '/vendors': 'vendors.html',
  '/external-tasks': 'external-tasks.html',
};

export function webRoutes(): express.Router {
  const router = express.Router({ strict: false });
  const page =
    (file: string): express.RequestHandler =>
    (_req, res) => {
      res.set(PAGE_HEADERS).type('html').sendFile(path.join(PUBLIC_DIR, file));
    };

  router.get('/', (_req, res) => {
    res.redirect(302, '/flows/new');
  });
  for (const [route, file] of Object.entries(PAGES)) router.get(route, page(file));
  // The flow page reads its id from the address; the API answers 404 for an unknown one.
  router.get('/flows/:id', page('flow.html'));
  // The API's route table, and modules written once in TypeScript for the server and the pages alike (e.g.
  // lib/duration.js), before the files.
  router.get('/assets/lib/api-routes.js', (_req, res) => {
    res.set(PAGE_HEADERS).type('text/javascript').send(browserRoutesModule());
  });
  router.get('/assets/lib/:file', (req, res, next) => {
    res.set(PAGE_HEADERS);
    serveBrowserModule(req, res, next);
  });
  router.use(
    '/assets',
    express.static(PUBLIC_DIR, {
      index: false,
      fallthrough: false,
      extensions: false,
      setHeaders: (res) => res.set(PAGE_HEADERS),
    }),
  );
  return router;
}
