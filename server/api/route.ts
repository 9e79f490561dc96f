// What an API route is: its method, path, request and answer schemas and every error status it may give, declared
// once in routes.ts. The express router (router.ts), the OpenAPI document (openapi.ts), the CLI's client and the
// pages' calls are all made from these declarations.
import type { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** Where every route of the API lives. */
export const API_BASE = '/api/v1';

/** The errors a route may give beyond those every route gives (routes.ts adds those from the route's traits). */
export type RouteErrors = Partial<Record<404 | 409 | 410 | 422 | 502, string>>;

export interface RouteDef {
  method: Method;
  /** The full path, OpenAPI style: '/api/v1/things/{id}'. */
  path: `/api/v1/${string}`;
  summary: string;
  description?: string;
  tag: 'flows' | 'inventory' | 'vendors' | 'vendor API' | 'session';
  /**
   * 'token': the operator's API token (bearer) or a browser session; 'vendor': a vendor's own API key; 'login':
   * open, but it checks a token, so wrong ones are throttled; 'none': open.
   */
  auth: 'token' | 'vendor' | 'login' | 'none';
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    /** Header names as they are documented ('Idempotency-Key'). */
    headers?: z.ZodObject;
    body?: z.ZodType;
  };
  answer: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: z.ZodType;
    contentType?: string;
    /**
     * Another success status with the same body (a PUT that created: 201; a create that found the first: 200),
     * returned with `answerWith`.
     */
    also?: { status: 200 | 201; description: string };
  };
  errors?: RouteErrors;
}

/** Declares routes, keeping their literal types (the handlers' inputs and answers are typed from them). */
export const defineRoutes = <T extends Record<string, RouteDef>>(routes: T): T => routes;

/** '/api/v1/things/{id}' -> '/api/v1/things/:id' */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** What a handler receives: the request's parts, parsed by the route's schemas. */
export interface RouteInput<R extends RouteDef> {
  params: Infer<NonNullable<R['request']>['params']>;
  query: Infer<NonNullable<R['request']>['query']>;
  headers: Infer<NonNullable<R['request']>['headers']>;
  body: Infer<NonNullable<R['request']>['body']>;
}

/** What a handler answers: the body of the route's answer (z.input: defaults may be left out). */
export type RouteAnswer<R extends RouteDef> = R['answer']['schema'] extends z.ZodType
  ? z.input<R['answer']['schema']>
  : void;
