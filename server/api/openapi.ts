// The OpenAPI 3.1 document, made from the route table (routes.ts) and the very zod schemas that validate requests.
// Each route lists its own errors and those its traits bring (a body: 413/415; auth: 401/429; ...).
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ProblemBody } from '../problem';
import { apiRoutes } from './routes';
import type { RouteDef } from './route';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemBody } },
});

/** Every error status a route can give, with what it means there. */
export function routeErrors(route: RouteDef): Partial<Record<number, string>> {
  const { request = {}, auth, method } = route;
  const hasInput = Boolean(request.params || request.query || request.body || request.headers);
  const takesToken = auth !== 'none';
  return {
    ...(hasInput ? { 400: 'Invalid request: the fields are named in `errors`' } : {}),
    ...(takesToken ? { 401: 'Missing or wrong API token, or an ended session' } : {}),
    ...(auth === 'token'
      ? {
          403:
            method === 'get'
              ? 'A vendor key: vendor keys reach only the vendor API'
              : 'A vendor key (they reach only the vendor API), or a write with the session cookie but without ' +
                'X-Requested-By: hybridflow',
        }
      : {}),
    ...(auth === 'vendor' ? { 403: 'Not a vendor key: the vendor API takes a vendor key only' } : {}),
    ...(method !== 'get' ? { 413: 'Request body too large', 415: 'Content-Type must be application/json' } : {}),
    ...(takesToken
      ? { 429: 'Too many failed authentication attempts from this address: wait the seconds in Retry-After' }
      : {}),
    ...route.errors,
    500: 'Internal error (details in the server log)',
    ...(auth === 'token' || auth === 'vendor'
      ? { 503: 'Temporal, the engine or the database does not answer: try again after the seconds in Retry-After' }
      : {}),
  };
}

function routeConfig(route: RouteDef, security: RouteConfig['security']): RouteConfig {
  const { params, query, headers, body } = route.request ?? {};
  const { answer } = route;
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    security,
    request: {
      params,
      query,
      headers,
      body: body && { content: { 'application/json': { schema: body } }, required: true },
    },
    responses: {
      ...Object.fromEntries(
        [answer, ...(answer.also ? [answer.also] : [])].map(({ status, description }) => [
          status,
          {
            description,
            ...(answer.schema
              ? { content: { [answer.contentType ?? 'application/json']: { schema: answer.schema } } }
              : {}),
          },
        ]),
      ),
      ...Object.fromEntries(Object.entries(routeErrors(route)).map(([status, what = '']) => [status, problem(what)])),
    },
  };
}

let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

export function openApiDocument() {
  if (document) return document;
  const registry = new OpenAPIRegistry();
  const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The operator token (HF_API_TOKEN; `hybridflow dev` prints it and writes it to $HF_DATA_DIR/api-token)',
  });
  const vendorKey = registry.registerComponent('securitySchemes', 'vendorKey', {
    type: 'http',
    scheme: 'bearer',
    description: "A vendor's own API key (hfv_...; POST /api/v1/vendors shows it once): the vendor API only",
  });
  for (const route of Object.values(apiRoutes) as RouteDef[]) {
    const scheme = route.auth === 'token' ? bearerAuth : route.auth === 'vendor' ? vendorKey : undefined;
    registry.registerPath(routeConfig(route, scheme ? [{ [scheme.name]: [] }] : []));
  }
  document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
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
