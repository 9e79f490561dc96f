// The progress extension, which real oVirt lacks: oVirt has no call to set a step's progress, so the built-in engine
// offers one outside /ovirt-engine (whose paths stay oVirt's). A client detects it with GET /builtin/capabilities,
// which real oVirt answers with 404. The progress then shows in the oVirt representation of the step
// (`"progress": "40"`), where it stays read-only.
import express from 'express';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth';
import { requireUser, writesNeedAdmin } from '../auth';
import { methodNotAllowed, unsupportedMediaType } from '../faults';
import { readBody } from '../inputs';
import { jsonBodyMiddleware } from '../json-body';
import { stepModel } from './representation';
import type { JobService } from './service';

export const BUILTIN_PREFIX = '/builtin';

/** What this engine offers beyond oVirt's API. */
export const CAPABILITIES = {
  /** PUT /builtin/jobs/{jobId}/steps/{stepId}/progress */
  progress: true,
  /** The Tasks page, where people track jobs and steps. */
  tasks_page: '/tasks',
  /** /builtin/storage-array: how a simulated storage array places images into storage domains. */
  storage_array: '/builtin/storage-array',
  /** /builtin/faults: fault injection for tests and demos (admin only). */
  fault_injection: '/builtin/faults',
} as const;

/** A percentage 0..100, as a JSON number or a numeric string. */
export const ProgressBody = z.looseObject({
  progress: z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^-?\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .pipe(z.number().int().min(0).max(100)),
});

const jsonBody: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) throw unsupportedMediaType('The progress extension', req.get('content-type'));
  next();
};

/** `/builtin/capabilities` and `/builtin/jobs/{jobId}/steps/{stepId}/progress`, with the API's authentication. */
export function progressRouter(auth: Authenticator, jobs: JobService): express.Router {
  const router = express.Router();
  const authenticated = requireUser(auth);

  router.get(`${BUILTIN_PREFIX}/capabilities`, authenticated, (_req, res) => {
    res.json(CAPABILITIES);
  });

  const progressPath = '/builtin/jobs/:jobId/steps/:stepId/progress';
  router.put(progressPath, authenticated, writesNeedAdmin, jsonBody, jsonBodyMiddleware(16 * 1024), (req, res) => {
    const body = readBody(ProgressBody, req.body, { entity: 'Step', method: 'progress', mandatory: ['progress'] });
    const { jobId, stepId } = req.params as Record<'jobId' | 'stepId', string>;
    res.json(stepModel(jobs.setStepProgress(jobId, stepId, body.progress)));
  });
  router.all([`${BUILTIN_PREFIX}/capabilities`, progressPath], authenticated, (req) => {
    throw methodNotAllowed(req.method, req.baseUrl + req.path);
  });

  return router;
}
