// Modules written once in TypeScript and also loaded by the pages, which have no build step: each is turned into an
// ES module on first request (esbuild strips the types) and served by the API server and the engine under
// /assets/lib/<name>. Only modules that import nothing belong here.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import type { RequestHandler } from 'express';

const SOURCES: Record<string, string> = {
  'duration.js': path.join(__dirname, 'duration.ts'),
  'api-path.js': path.join(__dirname, 'api-path.ts'),
  'bulk-clone-pool.js': path.join(__dirname, 'bulk-clone-pool.ts'),
};

const built = new Map<string, string>();

export function browserModule(name: string): string | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let code = built.get(name);
  if (code === undefined) {
    code = transformSync(readFileSync(source, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' }).code;
    built.set(name, code);
  }
  return code;
}

/** GET /assets/lib/:file — mount it on an express router. */
export const serveBrowserModule: RequestHandler = (req, res, next) => {
  const code = browserModule(String(req.params.file));
  if (code === undefined) return next();
  res.type('text/javascript').set('cache-control', 'no-cache').send(code);
};
