// HTTP routes of the External Tasks API: /jobs and /jobs/{id}/steps. Writes need the admin role (INJECT_EXTERNAL_TASKS
// in oVirt), which the API router checks for every POST and DELETE route.
import type { ApiRoutes } from '../api-router';
import { param, represent } from '../api-router';
import { entityNotFound, invalidEnumValue, methodNotAllowed } from '../faults';
import { readBody } from '../inputs';
import { actionAnswer, collection, entity, href, ref } from '../representation';
import { readMax, readSearch } from '../search';
import { jobModel, jobPath, stepModel, stepPath } from './representation';
import { AddJobBody, AddStepBody, EmptyAction, EndJobBody, EndStepBody } from './schemas';
import type { JobService } from './service';
import { STEP_TYPES } from './store';
import type { StepType } from './store';

export function jobsRoutes(router: ApiRoutes, jobs: JobService): void {
  const { store } = jobs;

  router.get('/jobs', (call) => {
    const search = readSearch(call.query, ['correlation_id'], 'Jobs');
    const rows = store.jobs({ correlationId: search?.value, max: readMax(call.query) });
    return represent(collection('job', rows.map(jobModel)));
  });

  router.post('/jobs', (call) => {
    const body = readBody(AddJobBody, call.body, { entity: 'Job', method: 'add', mandatory: ['description'] });
    const job = jobs.addJob({
      description: body.description,
      autoCleared: body.auto_cleared ?? false,
      ownerId: call.user.id,
      correlationId: call.correlationId,
    });
    return represent(entity('job', jobModel(job)), 201, href(jobPath(job.id)));
  });

  router.get('/jobs/:jobId', (call) => {
    const job = store.job(param(call, 'jobId'));
    if (!job) throw entityNotFound(param(call, 'jobId'));
    return represent(entity('job', jobModel(job)));
  });

  router.post('/jobs/:jobId/end', (call) => {
    const body = readBody(EndJobBody, call.body, { entity: 'Action', method: 'end' });
    const job = jobs.endJob(param(call, 'jobId'), body.succeeded ?? true, body.force ?? false);
    return represent(
      actionAnswer({ succeeded: body.succeeded, force: body.force }, { job: ref(jobPath(job.id), job.id) }),
    );
  });

  router.post('/jobs/:jobId/clear', (call) => {
    readBody(EmptyAction, call.body, { entity: 'Action', method: 'clear' });
    const job = jobs.clearJob(param(call, 'jobId'));
    return represent(actionAnswer({}, { job: ref(jobPath(job.id), job.id) }));
  });

  router.get('/jobs/:jobId/steps', (call) => {
    const job = store.job(param(call, 'jobId'));
    if (!job) throw entityNotFound(param(call, 'jobId'));
    return represent(collection('step', store.steps(job.id).map(stepModel)));
  });

  router.post('/jobs/:jobId/steps', (call) => {
    const body = readBody(AddStepBody, call.body, {
      entity: 'Step',
      method: 'add',
      mandatory: ['description', 'type'],
    });
    const type = body.type.toLowerCase();
    if (!(STEP_TYPES as readonly string[]).includes(type)) throw invalidEnumValue(body.type, 'StepEnum', STEP_TYPES);
    const step = jobs.addStep(param(call, 'jobId'), {
      description: body.description,
      type: type as StepType,
      parentStepId: body.parent_step ? (body.parent_step.id ?? '') : undefined,
    });
    return represent(entity('step', stepModel(step)), 201, href(stepPath(step.job_id, step.id)));
  });

  router.get('/jobs/:jobId/steps/:stepId', (call) => {
    const step = store.step(param(call, 'stepId'));
    if (!step || step.job_id !== param(call, 'jobId')) throw entityNotFound(param(call, 'stepId'));
    return represent(entity('step', stepModel(step)));
  });

  router.post('/jobs/:jobId/steps/:stepId/end', (call) => {
    const body = readBody(EndStepBody, call.body, { entity: 'Action', method: 'end', mandatory: ['succeeded'] });
    const step = jobs.endStep(param(call, 'jobId'), param(call, 'stepId'), body.succeeded);
    return represent(
      actionAnswer({ succeeded: body.succeeded }, { step: ref(stepPath(step.job_id, step.id), step.id) }),
    );
  });

  router.all(
    [
      '/jobs',
      '/jobs/:jobId',
      '/jobs/:jobId/end',
      '/jobs/:jobId/clear',
      '/jobs/:jobId/steps',
      '/jobs/:jobId/steps/:stepId',
      '/jobs/:jobId/steps/:stepId/end',
    ],
    ({ method, path }) => {
      throw methodNotAllowed(method, path);
    },
  );
}
