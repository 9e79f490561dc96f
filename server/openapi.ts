// The OpenAPI 3.1 document, generated from the very zod schemas that validate requests. Each feature registers its
// paths next to its routes (flows/routes.ts, inventory/routes.ts); this module merges them.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from './zod';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details; `errors` names each invalid field' });

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

/** The error answers every authenticated call may give. */
export const errorResponses = {
  400: problem('Invalid request: the fields are named in `errors`'),
  401: problem('Missing or wrong API token, or an ended session'),
  403: problem('A write with the session cookie but without X-Requested-By: hybridflow'),
  413: problem('Request body too large'),
  415: problem('Content-Type must be application/json'),
  429: problem('Too many failed authentication attempts from this address: wait the seconds in Retry-After'),
  500: problem('Internal error (details in the server log)'),
} as const;
export const notFoundResponse = { 404: problem('Not found') } as const;
export const conflictResponse = (description: string) => ({ 409: problem(description) });
export const keyReusedResponse = { 422: problem('The Idempotency-Key came with a different request before') } as const;

export const registry = new OpenAPIRegistry();
export const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'The operator token (HF_API_TOKEN; `hybridflow dev` prints it and writes it to $HF_DATA_DIR/api-token)',
});

/** A JSON answer of the document. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Registers an authenticated JSON path with the common error answers. */
export function registerPath(route: RouteConfig): void {
  registry.registerPath({
    security: [{ [bearerAuth.name]: [] }],
    ...route,
    responses: { ...errorResponses, ...route.responses },
  });
}

let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;
export function openApiDocument() {
  document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'hybridflow API',
      version: '1',
      description:
        'Hybrid oVirt + vendor operations (rapid cloning) as durable Temporal workflows, mirrored as oVirt external tasks.',
    },
    servers: [{ url: '/' }],
  });
  return document;
}
