// What the standalone external task routes do: the vendor API's jobs (always the calling vendor's own) and the
// operator's view of every vendor's.
import { answerWith, type Handlers } from '../api/router';
import { callingVendor } from '../vendors/handlers';
import type { ExternalTaskService } from './service';

type Route =
  | 'createExternalJob'
  | 'listOwnExternalJobs'
  | 'getOwnExternalJob'
  | 'addExternalJobStep'
  | 'setExternalJobStepProgress'
  | 'endExternalJobStep'
  | 'endExternalJob'
  | 'listExternalJobs'
  | 'getExternalJob';

export function externalTaskHandlers(tasks: ExternalTaskService): Handlers<Route> {
  return {
    async createExternalJob({ body }, { res }) {
      const { created, job } = await tasks.create(callingVendor(res), body);
      return created ? job : answerWith(200, job);
    },
    listOwnExternalJobs: ({ query }, { res }) => {
      const vendorId = callingVendor(res);
      return tasks.list({ vendorId }, { status: query.status });
    },
    getOwnExternalJob: ({ params }, { res }) => tasks.get({ vendorId: callingVendor(res) }, params.id),
    async addExternalJobStep({ params, body }, { res }) {
      const { created, step } = await tasks.addStep(callingVendor(res), params.id, body);
      return created ? step : answerWith(200, step);
    },
    setExternalJobStepProgress: ({ params, body }, { res }) =>
      tasks.setProgress(callingVendor(res), params.id, params.stepId, body.progress),
    endExternalJobStep: ({ params, body }, { res }) =>
      tasks.endStep(callingVendor(res), params.id, params.stepId, body.succeeded),
    endExternalJob: ({ params, body }, { res }) =>
      tasks.end(callingVendor(res), params.id, body.succeeded, body.reason),
    listExternalJobs: ({ query }) => tasks.list({ operator: true }, { vendorId: query.vendor, status: query.status }),
    getExternalJob: ({ params }) => tasks.get({ operator: true }, params.id),
  };
}
