// The pages router on its own: each page and asset is served with a strict same-origin policy, `/` redirects to the
// wizard, unknown assets are 404, and every asset a page or script refers to exists (nothing from the internet).
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { webRoutes } from '../../server/web/routes';

const PUBLIC_DIR = path.join(__dirname, '..', '..', 'server', 'web', 'public');
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(webRoutes());
  app.use((_req, res) => {
    res.status(404).send('not found');
  });
  app.use(((err, _req, res, _next) => {
    res.status(typeof err?.status === 'number' ? err.status : 500).send('error');
  }) as express.ErrorRequestHandler);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const get = (p: string) => fetch(base + p, { redirect: 'manual' });

test.each([
  ['/login', 'Log in'],
  ['/flows/new', 'Rapid clone of a running VM'],
  ['/flows', '<h1>Flows</h1>'],
  ['/vendors', 'id="vendor-rows"'],
  ['/external-tasks', 'id="vendor-filter"'],
  ['/flows/rapid-clone-web01-1a2b3c4d', 'id="steps"'],
])('%s is a page with a strict content security policy', async (p, marker) => {
  const res = await get(p);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(await res.text()).toContain(marker);
});

test('/ goes to the wizard', async () => {
  const res = await get('/');
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/flows/new');
});

test('assets have their content types; unknown ones are 404', async () => {
  const css = await get('/assets/app.css');
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  const js = await get('/assets/wizard.js');
  expect(js.status).toBe(200);
  expect(js.headers.get('content-type')).toMatch(/javascript/);
  expect((await get('/assets/nope.js')).status).toBe(404);
  expect((await get('/assets/../routes.ts')).status).toBe(404);
});

test('modules shared with the server are served as ES modules under /assets/lib, without a session', async () => {
  const res = await get('/assets/lib/duration.js');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/javascript/);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const code = await res.text();
  expect(code).toMatch(/export\s*{[^}]*\bdurationBetween\b/);
  expect(code).not.toMatch(/:\s*number\b/); // the types are gone
  expect((await get('/assets/lib/nope.js')).status).toBe(404);
  expect((await get('/assets/lib/poll.js')).status).toBe(404); // only the modules made for the pages
  for (const file of fs.readdirSync(PUBLIC_DIR)) {
    const text = fs.readFileSync(path.join(PUBLIC_DIR, file), 'utf8');
    for (const [, ref = ''] of text.matchAll(/from '(\/assets\/lib\/[^']+)'/g))
      expect([ref, (await get(ref)).status]).toEqual([ref, 200]);
  }
});

test('every asset a page or script refers to exists, and nothing comes from another origin', () => {
  const files = fs.readdirSync(PUBLIC_DIR);
  for (const file of files) {
    const text = fs.readFileSync(path.join(PUBLIC_DIR, file), 'utf8');
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(text).not.toMatch(/\bstyle="/); // the policy forbids inline styles
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // and inline scripts
    for (const [, ref] of text.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)) expect(files).toContain(ref);
    for (const [, ref] of text.matchAll(/from '\.\/([^']+)'/g)) expect(files).toContain(ref);
  }
});
