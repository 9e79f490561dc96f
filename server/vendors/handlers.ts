// What the vendor routes do: the operator's registry (vendors, keys) and the vendor API's activity registrations,
// where the vendor is the one its key belongs to (res.locals.vendorId, set by the vendor guard).
import type { Response } from 'express';
import { answerWith, type Handlers } from '../api/router';
import { checkRegistration } from './contract-check';
import { countedReport } from '../metrics';
import { VendorSelf, VendorTask, VendorTaskList } from './schemas';
import type { ExternalTaskService } from '../external-tasks/service';
import type { VendorService } from './service';

/** The vendor whose key the vendor guard accepted. */
export const callingVendor = (res: Response): string => res.locals.vendorId as string;

type VendorRoute =
  | 'listVendors'
  | 'createVendor'
  | 'getVendor'
  | 'deleteVendor'
  | 'createVendorKey'
  | 'revokeVendorKey'
  | 'putVendorActivity'
  | 'listVendorActivities'
  | 'getCallingVendor';

export function vendorHandlers(vendors: VendorService, externalTasks: ExternalTaskService): Handlers<VendorRoute> {
  const { registry } = vendors;
  return {
    listVendors: () => vendors.list(),
    async createVendor({ body }) {
      const created = await registry.create(body);
      return { ...created, vendor: await vendors.get(created.vendor.id) };
    },
    getVendor: ({ params }) => vendors.get(params.id),
    async deleteVendor({ params }) {
      await registry.get(params.id); // 404 before anything changes
      await vendors.tasks.failOpen(params.id, `vendor ${params.id} removed`);
      await externalTasks.endAllOf(params.id, `vendor ${params.id} removed`);
      await registry.remove(params.id);
    },
    createVendorKey: ({ params }) => registry.newKey(params.id),
    async revokeVendorKey({ params }) {
      await registry.revokeKey(params.id, params.keyId);
    },
    async putVendorActivity({ params, body }, { res }) {
      checkRegistration(params.name, body);
      const { created, activity } = await registry.putActivity(callingVendor(res), params.name, body);
      return created ? answerWith(201, activity) : activity;
    },
    listVendorActivities: async (_input, { res }) => ({ items: await registry.activities(callingVendor(res)) }),
    getCallingVendor: async (_input, { res }) => VendorSelf.parse(await registry.get(callingVendor(res))),
  };
}

type TaskRoute =
  | 'listVendorTasks'
  | 'getVendorTask'
  | 'heartbeatVendorTask'
  | 'addVendorTaskStep'
  | 'endVendorTaskStep'
  | 'completeVendorTask'
  | 'failVendorTask';

/** The vendor API's task routes: always the calling vendor's own tasks. */
export function vendorTaskHandlers({ tasks }: VendorService): Handlers<TaskRoute> {
  return {
    // Shaped by the schema: what the API keeps for itself (the activity id, the recorded outcome) stays out.
    listVendorTasks: async ({ query }, { res }) =>
      VendorTaskList.parse(await tasks.list(callingVendor(res), query.status)),
    getVendorTask: async ({ params }, { res }) => VendorTask.parse(await tasks.get(callingVendor(res), params.taskId)),
    // Each report is counted by its outcome (hybridflow_vendor_reports_total).
    heartbeatVendorTask: ({ params, body }, { res }) =>
      countedReport(callingVendor(res), 'heartbeat', () => tasks.heartbeat(callingVendor(res), params.taskId, body)),
    addVendorTaskStep: ({ params, body }, { res }) =>
      countedReport(callingVendor(res), 'step', () => tasks.addStep(callingVendor(res), params.taskId, body)),
    endVendorTaskStep: ({ params, body }, { res }) =>
      countedReport(callingVendor(res), 'step_end', () =>
        tasks.endStep(callingVendor(res), params.taskId, params.key, body.succeeded),
      ),
    completeVendorTask: ({ params, body }, { res }) =>
      countedReport(callingVendor(res), 'complete', () =>
        tasks.complete(callingVendor(res), params.taskId, body.output),
      ),
    failVendorTask: ({ params, body }, { res }) =>
      countedReport(callingVendor(res), 'fail', () => tasks.fail(callingVendor(res), params.taskId, body)),
  };
}
