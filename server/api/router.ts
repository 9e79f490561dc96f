// The express side of the route table: each declared route gets its handler, after its params, query, body and
// headers are parsed by its schemas (a failure is a 400 naming each bad field) and, unless it is open, after auth.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { parse } from '../validate';
import { apiRoutes, type ApiRoutes, type RouteName } from './routes';
import { expressPath, type RouteAnswer, type RouteDef, type RouteInput } from './route';

/** Returned by a handler that wrote its answer itself (a cookie with a 204, an event stream). */
export const ANSWERED: unique symbol = Symbol('answered');

/** A body answered with the route's other success status (`answer.also`). */
export class AnswerWith<T> {
  constructor(
    readonly status: number,
    readonly body: T,
  ) {}
}
export const answerWith = <T>(status: 200 | 201, body: T) => new AnswerWith(status, body);

export type Handler<R extends RouteDef> = (
  input: RouteInput<R>,
  http: { req: Request; res: Response },
) =>
  | Promise<RouteAnswer<R> | AnswerWith<RouteAnswer<R>> | typeof ANSWERED>
  | RouteAnswer<R>
  | AnswerWith<RouteAnswer<R>>
  | typeof ANSWERED;

export type Handlers<N extends RouteName = RouteName> = { [K in N]: Handler<ApiRoutes[K]> };

function parseInput(route: RouteDef, req: Request) {
  const { params, query, body, headers } = route.request ?? {};
  const headerValues = headers && Object.fromEntries(Object.keys(headers.shape).map((name) => [name, req.get(name)]));
  return {
    params: params && parse(params, req.params, 'path'),
    query: query && parse(query, req.query, 'query'),
    body: body && parse(body, req.body ?? {}, 'body'),
    headers: headers && parse(headers, headerValues, 'header'),
  };
}

/** What runs before the handlers of each kind of route (see RouteDef.auth). */
export interface RouteGuards {
  /** Lets through a valid bearer token or browser session. */
  token: RequestHandler;
  /** Lets through a vendor's live key, the vendor in `res.locals.vendorId`. */
  vendor: RequestHandler;
  /** Refuses (429) a client locked out after too many wrong tokens. */
  login: RequestHandler;
}

/** One express router with every route of the table, bound to its handler. */
export function apiRouter(handlers: Handlers, guards: RouteGuards): Router {
  const router = Router();
  for (const [name, route] of Object.entries(apiRoutes) as [RouteName, RouteDef][]) {
    const handler = handlers[name] as Handler<RouteDef>;
    const guard = route.auth === 'none' ? [] : [guards[route.auth]];
    router[route.method](expressPath(route.path), ...guard, async (req: Request, res: Response) => {
      const answer = await handler(parseInput(route, req) as RouteInput<RouteDef>, { req, res });
      if (answer === ANSWERED) return;
      if (answer instanceof AnswerWith && route.answer.also?.status === answer.status)
        return void res.status(answer.status).json(answer.body);
      if (route.answer.status === 204) return void res.status(204).end();
      res.status(route.answer.status).json(answer);
    });
  }
  return router;
}
