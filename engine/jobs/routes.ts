// HTTP routes of the External Tasks API: /jobs and /jobs/{id}/steps.
import express from 'express';
import type { Response } from 'express';
import { assertCanInjectExternalTasks, currentUser } from '../auth';
import { currentCorrelationId } from '../correlation';
import { entityNotFound, invalidEnumValue, methodNotAllowed } from '../faults';
import { readBody } from '../inputs';
import { actionAnswer, collection, href, ref } from '../representation';
import { readMax, readSearch } from '../search';
import { jobJson, jobPath, stepJson, stepPath } from './representation';
import { AddJobBody, AddStepBody, EmptyAction, EndJobBody, EndStepBody } from './schemas';
import type { JobService } from './service';
import { STEP_TYPES } from './store';
import type { StepType } from './store';

/**
 * Writes a JSON answer straight to Node's response. On the hot path (adding and ending steps) express's `res.json`
 * (charset and content-type lookups, ETag and freshness checks, `res.location`'s URL encoding) cost more than the
 * store; the answer is the same: `application/json; charset=utf-8`, headers set earlier (Correlation-Id) kept.
 */
function sendJson(res: Response, status: number, body: unknown, location?: string): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (location !== undefined) res.setHeader('location', location);
  res.end(text);
}

export function jobsRouter(jobs: JobService): express.Router {
  const router = express.Router();
  const { store } = jobs;

  router.get('/jobs', (req, res) => {
    const search = readSearch(req, ['correlation_id'], 'Jobs');
    const rows = store.jobs({ correlationId: search?.value, max: readMax(req) });
    sendJson(res, 200, collection('job', rows.map(jobJson)));
  });

  router.post('/jobs', (req, res) => {
    const body = readBody(AddJobBody, req.body, { entity: 'Job', method: 'add', mandatory: ['description'] });
    assertCanInjectExternalTasks(res);
    const job = jobs.addJob({
      description: body.description,
      autoCleared: body.auto_cleared ?? false,
      ownerId: currentUser(res).id,
      correlationId: currentCorrelationId(res),
    });
    sendJson(res, 201, jobJson(job), href(jobPath(job.id)));
  });

  router.get('/jobs/:jobId', (req, res) => {
    const job = store.job(req.params.jobId);
    if (!job) throw entityNotFound(req.params.jobId);
    sendJson(res, 200, jobJson(job));
  });

  router.post('/jobs/:jobId/end', (req, res) => {
    const body = readBody(EndJobBody, req.body, { entity: 'Action', method: 'end' });
    assertCanInjectExternalTasks(res);
    const job = jobs.endJob(req.params.jobId, body.succeeded ?? true, body.force ?? false);
    sendJson(res, 200, actionAnswer({ succeeded: body.succeeded, force: body.force }, { job: ref(jobPath(job.id), job.id) }));
  });

  router.post('/jobs/:jobId/clear', (req, res) => {
    readBody(EmptyAction, req.body, { entity: 'Action', method: 'clear' });
    assertCanInjectExternalTasks(res);
    const job = jobs.clearJob(req.params.jobId);
    sendJson(res, 200, actionAnswer({}, { job: ref(jobPath(job.id), job.id) }));
  });

  router.get('/jobs/:jobId/steps', (req, res) => {
    const job = store.job(req.params.jobId);
    if (!job) throw entityNotFound(req.params.jobId);
    sendJson(res, 200, collection('step', store.steps(job.id).map(stepJson)));
  });

  router.post('/jobs/:jobId/steps', (req, res) => {
    const body = readBody(AddStepBody, req.body, { entity: 'Step', method: 'add', mandatory: ['description', 'type'] });
    const type = body.type.toLowerCase();
    if (!(STEP_TYPES as readonly string[]).includes(type)) throw invalidEnumValue(body.type, 'StepEnum', STEP_TYPES);
    assertCanInjectExternalTasks(res);
    const step = jobs.addStep(req.params.jobId, {
      description: body.description,
      type: type as StepType,
      parentStepId: body.parent_step ? (body.parent_step.id ?? '') : undefined,
    });
    sendJson(res, 201, stepJson(step), href(stepPath(step.job_id, step.id)));
  });

  router.get('/jobs/:jobId/steps/:stepId', (req, res) => {
    const step = store.step(req.params.stepId);
    if (!step || step.job_id !== req.params.jobId) throw entityNotFound(req.params.stepId);
    sendJson(res, 200, stepJson(step));
  });

  router.post('/jobs/:jobId/steps/:stepId/end', (req, res) => {
    const body = readBody(EndStepBody, req.body, { entity: 'Action', method: 'end', mandatory: ['succeeded'] });
    assertCanInjectExternalTasks(res);
    const step = jobs.endStep(req.params.jobId, req.params.stepId, body.succeeded);
    sendJson(res, 200, actionAnswer({ succeeded: body.succeeded }, { step: ref(stepPath(step.job_id, step.id), step.id) }));
  });

  router.all(
    ['/jobs', '/jobs/:jobId', '/jobs/:jobId/end', '/jobs/:jobId/clear', '/jobs/:jobId/steps', '/jobs/:jobId/steps/:stepId', '/jobs/:jobId/steps/:stepId/end'],
    methodNotAllowed,
  );

  return router;
}
