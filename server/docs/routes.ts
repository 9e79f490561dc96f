// The API's docs page (/api/docs): Swagger UI reading /api/openapi.json. Only the two files the page needs are
// served from swagger-ui-dist (not its stock index.html, which loads a public demo API, nor oauth2-redirect.html or
// package.json), under a CSP that keeps everything on this origin.
import path from 'node:path';
import express from 'express';
import { openApiDocument } from '../api/openapi';

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': path.join(SWAGGER_UI, 'swagger-ui.css'),
  'swagger-ui-bundle.js': path.join(SWAGGER_UI, 'swagger-ui-bundle.js'),
  'docs.js': path.join(__dirname, 'public', 'docs.js'),
};

// Swagger UI sets style attributes, hence 'unsafe-inline' for styles only; scripts come from this origin alone.
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hybridflow API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/docs.js"></script></body></html>`;

export function docsRoutes(): express.Router {
  const router = express.Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.set(HEADERS).json(openApiDocument());
  });
  router.get('/api/docs', (_req, res) => {
    res.set(HEADERS).type('html').send(PAGE);
  });
  router.get('/api/docs/assets/:file', (req, res, next) => {
    const file = ASSETS[req.params.file];
    if (!file) return next();
    res.set(HEADERS).sendFile(file);
  });
  return router;
}
