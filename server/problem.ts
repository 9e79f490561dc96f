// Errors as RFC 9457 problem details (application/problem+json); nothing else, and never a stack trace, leaves.
import { STATUS_CODES } from 'node:http';
import { isGrpcServiceError } from '@temporalio/client';
import type { ErrorRequestHandler, Response } from 'express';
import { causeChain } from '../common/errors';
import type { Logger } from '../common/log';
import { OvirtError } from '../ovirt/errors';
import { z } from './zod';

/** RFC 9457 problem details, the body of every error answer (and the OpenAPI component `Problem`). */
export const ProblemBody = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details; `errors` names each invalid field' });

/** A problem as the code raises it: `type` is always about:blank, added when it is sent. */
export type Problem = Omit<z.infer<typeof ProblemBody>, 'type'>;

/** An error that maps to an HTTP answer. */
export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export const sendProblem = (res: Response, p: Problem) =>
  res
    .status(p.status)
    .type('application/problem+json')
    .json({ type: 'about:blank', ...p });

export function validationProblem(err: z.ZodError, where: string): Problem {
  const errors = err.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }));
  return {
    status: 400,
    title: 'Invalid request',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  };
}

/** gRPC codes of a Temporal server that is down or restarting: UNAVAILABLE, DEADLINE_EXCEEDED. */
const TEMPORAL_DOWN = new Set([14, 4]);

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpProblem) return sendProblem(res, err.problem);
  // The engine's own answers are not this API's: its outage is a 503, any other refusal of a read a 502.
  if (err instanceof OvirtError) {
    const down = err.status === 0 || err.status === 429 || err.status >= 500;
    if (down) res.set('Retry-After', '5');
    return sendProblem(res, {
      status: down ? 503 : 502,
      title: down ? 'Engine unavailable' : 'Engine refused the request',
      detail: `The oVirt engine answered ${err.status || 'nothing'} to ${err.method} ${err.path.split('?')[0]}; try again shortly.`,
    });
  }
  // The client wraps gRPC errors in a ServiceError.
  const grpc = [...causeChain(err)].find(isGrpcServiceError);
  if (grpc && TEMPORAL_DOWN.has(grpc.code)) {
    res.set('Retry-After', '5');
    return sendProblem(res, {
      status: 503,
      title: 'Temporal unavailable',
      detail: 'The Temporal server does not answer; try again shortly.',
    });
  }
  if (err instanceof z.ZodError) return sendProblem(res, validationProblem(err, 'body'));
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status === 400 && err.type === 'entity.parse.failed')
    return sendProblem(res, { status, title: 'Malformed JSON body' });
  if (status === 413) return sendProblem(res, { status, title: 'Request body too large' });
  // Library errors' messages may name files or internals (a static file's ENOENT path): only the status's own words.
  if (status < 500) return sendProblem(res, { status, title: STATUS_CODES[status] ?? 'Bad request' });
  // One line, control characters escaped: nothing a client sent can forge a log line; no stack or path leaves either.
  const error = `${err?.name ?? 'Error'}: ${String(err?.message ?? err)}`;
  const log = res.locals.log as Logger | undefined; // set by requestMetrics (server/metrics.ts)
  if (log) log.error({ error }, 'Unexpected error');
  else console.error(JSON.stringify({ level: 'error', msg: 'Unexpected error', error }));
  return sendProblem(res, { status: 500, title: 'Internal error', detail: 'The server logged the details.' });
};
