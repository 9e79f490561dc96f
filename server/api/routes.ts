// Every route of the API, declared once: the express router, the OpenAPI document, the CLI's client and the pages'
// calls are all made from this table (see route.ts). The handlers live with their feature (flows/handlers.ts,
// inventory/handlers.ts, auth.ts) and are bound to these declarations by name.
import { flowCatalogue, startRouteName, type CatalogueEntry, type StartRouteName } from '../flows/catalogue';
import {
  Flow,
  FlowCancelled,
  FlowIdParam,
  FlowKindList,
  FlowList,
  FlowListQuery,
  FlowStarted,
  IdempotencyKey,
} from '../flows/schemas';
import {
  ExternalEnd,
  ExternalJob,
  ExternalJobCreate,
  ExternalJobEnd,
  ExternalJobList,
  ExternalJobOperatorQuery,
  ExternalJobParam,
  ExternalJobQuery,
  ExternalJobStep,
  ExternalStepCreate,
  ExternalStepParams,
  ExternalStepProgress,
} from '../external-tasks/schemas';
import { NameCheck, NameCheckQuery, VmList, VmListQuery } from '../inventory/schemas';
import {
  ActivityName,
  ActivityRegistration,
  ActivityRegistrationList,
  ActivityRegistrationRequest,
  Vendor,
  VendorCreated,
  VendorCreateRequest,
  VendorIdParam,
  VendorKeyCreated,
  VendorKeyParams,
  VendorList,
  VendorSelf,
  TaskComplete,
  TaskFail,
  TaskHeartbeat,
  TaskHeartbeatAnswer,
  TaskIdParam,
  TaskOutcome,
  TaskStepEnd,
  TaskStepParams,
  TaskStepRequest,
  VendorSubStepShape,
  VendorTask,
  VendorTaskList,
  VendorTaskQuery,
} from '../vendors/schemas';
import { SessionRequest } from '../session-schemas';
import { z } from '../zod';
import { defineRoutes, type RouteDef } from './route';

// Paths with more than one method are written once.
const SESSION_PATH = '/api/v1/session';
const VENDORS_PATH = '/api/v1/vendors';
const VENDOR_PATH = '/api/v1/vendors/{id}';
const VENDOR_ACTIVITIES_PATH = '/api/v1/vendor/activities';
const TASK_PATH = '/api/v1/vendor/tasks/{taskId}';
const JOBS_PATH = '/api/v1/vendor/jobs';
const JOB_PATH = '/api/v1/vendor/jobs/{id}';

const StartHeaders = z.object({
  'Idempotency-Key': IdempotencyKey.optional().openapi({
    description: 'The same key with the same request returns the same flow, never a second one',
  }),
});

/** The start route of a flow kind: `POST /api/v1/flows/<kind>`, its body the kind's input schema. */
interface StartRoute<E extends CatalogueEntry> extends RouteDef {
  method: 'post';
  request: { headers: typeof StartHeaders; body: E['input'] };
  answer: { status: 202; schema: typeof FlowStarted; description: string };
}
type StartRoutes = { [E in CatalogueEntry as StartRouteName<E['name']>]: StartRoute<E> };

/** One start route per kind of the flow catalogue (flows/catalogue.ts), named `start<Kind>`: startRapidClone. */
function flowStartRoutes(): StartRoutes {
  const routes = flowCatalogue.map((kind): [string, StartRoute<CatalogueEntry>] => [
    startRouteName(kind.name),
    {
      method: 'post',
      path: `/api/v1/flows/${kind.name}`,
      summary: kind.description,
      tag: 'flows',
      auth: 'token',
      request: { headers: StartHeaders, body: kind.input },
      answer: {
        status: 202,
        schema: FlowStarted,
        description:
          'Started (or found, for a repeated Idempotency-Key). The answer comes as soon as Temporal has the workflow, ' +
          'worker or not: `engineJobId` is usually null here and appears later in the flow and its event stream',
      },
      errors: { 422: 'The Idempotency-Key came with a different request before', ...kind.errors },
    },
  ]);
  return Object.fromEntries(routes) as StartRoutes;
}

export const apiRoutes = defineRoutes({
  logIn: {
    method: 'post',
    path: SESSION_PATH,
    summary: 'Log a browser in: exchanges the API token for a new session cookie',
    tag: 'session',
    auth: 'login',
    request: { body: SessionRequest },
    answer: {
      status: 204,
      description: 'Logged in; the hf_session cookie is set (any earlier session of this browser ends)',
    },
  },
  logOut: {
    method: 'delete',
    path: SESSION_PATH,
    summary: 'Log a browser out: its session ends on the server, the cookie is cleared',
    tag: 'session',
    auth: 'none',
    answer: { status: 204, description: 'Logged out' },
  },
  ...flowStartRoutes(),
  listFlowKinds: {
    method: 'get',
    path: '/api/v1/flow-kinds',
    summary: 'The kinds of flow this API starts, each with its start request as JSON Schema',
    tag: 'flows',
    auth: 'token',
    answer: { status: 200, schema: FlowKindList, description: 'Every kind the flow catalogue declares' },
  },
  listFlows: {
    method: 'get',
    path: '/api/v1/flows',
    summary: 'List flows, newest first',
    tag: 'flows',
    auth: 'token',
    request: { query: FlowListQuery },
    answer: { status: 200, schema: FlowList, description: 'A page of flows' },
  },
  getFlow: {
    method: 'get',
    path: '/api/v1/flows/{id}',
    summary: 'One flow with its step tree',
    description:
      "Answers within about a second whether or not a worker runs: `stepsSource` says where the step tree comes from ('engine' " +
      'when no worker answered in time, read from the engine job(s), may lag) and `notice` says so in plain words. ' +
      'A VM of a bulk clone reads as a flow too (kind `bulk-clone-member`, id `<flow id>-<vm name>`), with its own steps.',
    tag: 'flows',
    auth: 'token',
    request: { params: FlowIdParam },
    answer: { status: 200, schema: Flow, description: 'The flow' },
    errors: { 404: 'No flow with this id' },
  },
  cancelFlow: {
    method: 'post',
    path: '/api/v1/flows/{id}/cancel',
    summary: 'Cancel a running flow (its steps done are undone)',
    description: 'Recorded by Temporal at once; the undo runs once a worker runs the flow.',
    tag: 'flows',
    auth: 'token',
    request: { params: FlowIdParam },
    answer: { status: 202, schema: FlowCancelled, description: 'Cancel requested' },
    errors: { 404: 'No flow with this id', 409: 'The flow has already closed, or is a part of another flow' },
  },
  flowEvents: {
    method: 'get',
    path: '/api/v1/flows/{id}/events',
    summary: 'Server-Sent Events of one flow: `step` on each change (data: the Flow), a final `flow`',
    description:
      'The first event comes at once, worker or not; comments keep the connection alive while nothing changes. All the ' +
      'streams of one flow share one poller on the server.',
    tag: 'flows',
    auth: 'token',
    request: { params: FlowIdParam },
    answer: { status: 200, schema: z.string(), contentType: 'text/event-stream', description: 'An event stream' },
    errors: { 404: 'No flow with this id' },
  },
  listVms: {
    method: 'get',
    path: '/api/v1/vms',
    summary: 'VMs with their status and disks',
    tag: 'inventory',
    auth: 'token',
    request: { query: VmListQuery },
    answer: { status: 200, schema: VmList, description: 'VMs' },
    errors: { 502: 'The engine refused the listing' },
  },
  checkName: {
    method: 'get',
    path: '/api/v1/vms/name-check',
    summary: 'Whether a clone name is valid and free',
    tag: 'inventory',
    auth: 'token',
    request: { query: NameCheckQuery },
    answer: { status: 200, schema: NameCheck, description: 'The verdict' },
    errors: { 502: 'The engine refused the lookup' },
  },
  listVendors: {
    method: 'get',
    path: VENDORS_PATH,
    summary: 'Registered vendors with their activities and online state (never a key or secret)',
    tag: 'vendors',
    auth: 'token',
    answer: { status: 200, schema: VendorList, description: 'Vendors' },
  },
  createVendor: {
    method: 'post',
    path: VENDORS_PATH,
    summary: 'Register a vendor: its API key (and, in webhook mode, its signing secret) are shown this once',
    tag: 'vendors',
    auth: 'token',
    request: { body: VendorCreateRequest },
    answer: { status: 201, schema: VendorCreated, description: 'Registered; keep the key, it is not shown again' },
    errors: { 409: 'A vendor with this id exists' },
  },
  getVendor: {
    method: 'get',
    path: VENDOR_PATH,
    summary: 'One vendor with its activities, key ids and online state',
    tag: 'vendors',
    auth: 'token',
    request: { params: VendorIdParam },
    answer: { status: 200, schema: Vendor, description: 'The vendor' },
    errors: { 404: 'No vendor with this id' },
  },
  deleteVendor: {
    method: 'delete',
    path: VENDOR_PATH,
    summary: 'Remove a vendor, its keys and its activities; its open tasks fail with "vendor <id> removed"',
    tag: 'vendors',
    auth: 'token',
    request: { params: VendorIdParam },
    answer: { status: 204, description: 'Removed' },
    errors: { 404: 'No vendor with this id' },
  },
  createVendorKey: {
    method: 'post',
    path: '/api/v1/vendors/{id}/keys',
    summary: 'A new API key for the vendor (to rotate: make one, switch the vendor to it, revoke the old one)',
    tag: 'vendors',
    auth: 'token',
    request: { params: VendorIdParam },
    answer: { status: 201, schema: VendorKeyCreated, description: 'The key, shown this once' },
    errors: { 404: 'No vendor with this id' },
  },
  revokeVendorKey: {
    method: 'delete',
    path: '/api/v1/vendors/{id}/keys/{keyId}',
    summary: 'Revoke a key: from now on it gets 401',
    tag: 'vendors',
    auth: 'token',
    request: { params: VendorKeyParams },
    answer: { status: 204, description: 'Revoked (or already revoked)' },
    errors: { 404: 'No such vendor, or no such key of this vendor' },
  },
  putVendorActivity: {
    method: 'put',
    path: '/api/v1/vendor/activities/{name}',
    summary: 'Register (or replace) one of the calling vendor’s activities, with JSON Schemas of its input and output',
    description:
      'Schemas are JSON Schema 2020-12. An activity of the storage contract (checkCloneable, cloneDisk, ' +
      "updateDiskMetadata, deleteImage) must accept the contract's input. Durations are written as Temporal writes " +
      'them ("3s", "5m", "1h").',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ActivityName, body: ActivityRegistrationRequest },
    answer: {
      status: 200,
      schema: ActivityRegistration,
      description: 'Replaced',
      also: { status: 201, description: 'Registered' },
    },
  },
  listVendorActivities: {
    method: 'get',
    path: VENDOR_ACTIVITIES_PATH,
    summary: 'The calling vendor’s registered activities',
    tag: 'vendor API',
    auth: 'vendor',
    answer: { status: 200, schema: ActivityRegistrationList, description: 'Its activities' },
  },
  getCallingVendor: {
    method: 'get',
    path: '/api/v1/vendor/me',
    summary: 'The calling vendor’s own registration (its id, mode, where its tasks go, its activities)',
    tag: 'vendor API',
    auth: 'vendor',
    answer: { status: 200, schema: VendorSelf, description: 'The vendor whose key this is' },
  },
  listVendorTasks: {
    method: 'get',
    path: '/api/v1/vendor/tasks',
    summary: 'The calling vendor’s tasks, newest first (up to 200)',
    tag: 'vendor API',
    auth: 'vendor',
    request: { query: VendorTaskQuery },
    answer: { status: 200, schema: VendorTaskList, description: 'Its tasks' },
  },
  getVendorTask: {
    method: 'get',
    path: TASK_PATH,
    summary: 'One of the calling vendor’s tasks',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskIdParam },
    answer: { status: 200, schema: VendorTask, description: 'The task' },
    errors: { 404: 'Not a task of this vendor' },
  },
  heartbeatVendorTask: {
    method: 'post',
    path: '/api/v1/vendor/tasks/{taskId}/heartbeat',
    summary: 'Keep a task alive (within its heartbeat timeout), with progress and a message',
    description: 'The answer says whether the flow cancelled the task: then stop, undo what was done, and fail it.',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskIdParam, body: TaskHeartbeat },
    answer: { status: 200, schema: TaskHeartbeatAnswer, description: 'Recorded' },
    errors: { 404: 'Not a task of this vendor', 410: 'The task is no longer open (the reason says why)' },
  },
  addVendorTaskStep: {
    method: 'post',
    path: '/api/v1/vendor/tasks/{taskId}/steps',
    summary: 'Add a sub-step under the task’s engine step (running)',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskIdParam, body: TaskStepRequest },
    answer: { status: 201, schema: VendorSubStepShape, description: 'Added (or already there)' },
    errors: {
      404: 'Not a task of this vendor',
      409: 'A step with this key and another description exists',
      410: 'The task is no longer open',
    },
  },
  endVendorTaskStep: {
    method: 'post',
    path: '/api/v1/vendor/tasks/{taskId}/steps/{key}/end',
    summary: 'End a sub-step',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskStepParams, body: TaskStepEnd },
    answer: { status: 200, schema: VendorSubStepShape, description: 'Ended' },
    errors: { 404: 'Not a task of this vendor, or no such step', 410: 'The task is no longer open' },
  },
  completeVendorTask: {
    method: 'post',
    path: '/api/v1/vendor/tasks/{taskId}/complete',
    summary: 'Complete a task with its output (checked against the registered output schema)',
    description:
      'The sub-steps the vendor reported on the task travel with the output to the flow (as `subSteps`, unless the ' +
      'output has its own), so the flow shows their final state.',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskIdParam, body: TaskComplete },
    answer: { status: 200, schema: TaskOutcome, description: 'Completed (or the same completion again)' },
    errors: {
      404: 'Not a task of this vendor',
      409: 'The task was completed or failed with another report',
      410: 'The task timed out, was cancelled, superseded by a retry, or ended (the reason says which)',
      422: 'The output does not match the registered schema; the task stays open',
    },
  },
  failVendorTask: {
    method: 'post',
    path: '/api/v1/vendor/tasks/{taskId}/fail',
    summary: 'Fail a task: retryable (the flow tries again, as a new task) or not',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: TaskIdParam, body: TaskFail },
    answer: { status: 200, schema: TaskOutcome, description: 'Failed (or the same failure again)' },
    errors: {
      404: 'Not a task of this vendor',
      409: 'The task was completed or failed with another report',
      410: 'The task is no longer open',
    },
  },
  createExternalJob: {
    method: 'post',
    path: JOBS_PATH,
    summary: 'Inject a standalone external task: an engine job of the vendor’s own',
    description:
      'Each report on it is recorded before the answer and mirrored onto the engine in order, however long the ' +
      'engine is away. It fails when the vendor reports nothing for `timeoutSeconds`.',
    tag: 'vendor API',
    auth: 'vendor',
    request: { body: ExternalJobCreate },
    answer: {
      status: 201,
      schema: ExternalJob,
      description: 'Created (its engine job id once the engine has it)',
      also: { status: 200, description: 'The vendor’s task with this correlation id, made before' },
    },
  },
  listOwnExternalJobs: {
    method: 'get',
    path: JOBS_PATH,
    summary: 'The calling vendor’s standalone tasks with their step trees, newest first (up to 200)',
    tag: 'vendor API',
    auth: 'vendor',
    request: { query: ExternalJobQuery },
    answer: { status: 200, schema: ExternalJobList, description: 'Its tasks' },
  },
  getOwnExternalJob: {
    method: 'get',
    path: JOB_PATH,
    summary: 'One of the calling vendor’s standalone tasks',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ExternalJobParam },
    answer: { status: 200, schema: ExternalJob, description: 'The task' },
    errors: { 404: 'Not a task of this vendor' },
  },
  addExternalJobStep: {
    method: 'post',
    path: '/api/v1/vendor/jobs/{id}/steps',
    summary: 'Add a step (started), under another step of the task if `parentStepId` names one',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ExternalJobParam, body: ExternalStepCreate },
    answer: {
      status: 201,
      schema: ExternalJobStep,
      description: 'Added (its engine step id once the engine has it)',
      also: { status: 200, description: 'The step added before with this key' },
    },
    errors: {
      404: 'Not a task of this vendor',
      409: 'The parent step has ended, or the key names another step',
      410: 'The task has ended',
    },
  },
  setExternalJobStepProgress: {
    method: 'post',
    path: '/api/v1/vendor/jobs/{id}/steps/{stepId}/progress',
    summary: 'Report a step’s progress (0 to 100)',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ExternalStepParams, body: ExternalStepProgress },
    answer: { status: 200, schema: ExternalJobStep, description: 'Recorded' },
    errors: { 404: 'Not a task of this vendor, or no such step', 409: 'The step has ended', 410: 'The task has ended' },
  },
  endExternalJobStep: {
    method: 'post',
    path: '/api/v1/vendor/jobs/{id}/steps/{stepId}/end',
    summary: 'End a step; a failed step fails the task’s engine job, as in oVirt',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ExternalStepParams, body: ExternalEnd },
    answer: { status: 200, schema: ExternalJobStep, description: 'Ended (or the same end again)' },
    errors: {
      404: 'Not a task of this vendor, or no such step',
      409: 'The step has ended the other way',
      410: 'The task has ended',
    },
  },
  endExternalJob: {
    method: 'post',
    path: '/api/v1/vendor/jobs/{id}/end',
    summary: 'End the task; its steps still started take its status',
    tag: 'vendor API',
    auth: 'vendor',
    request: { params: ExternalJobParam, body: ExternalJobEnd },
    answer: { status: 200, schema: ExternalJob, description: 'Ended' },
    errors: { 404: 'Not a task of this vendor', 410: 'The task has ended already' },
  },
  listExternalJobs: {
    method: 'get',
    path: '/api/v1/external-jobs',
    summary: 'Every vendor’s standalone external tasks with their step trees, newest first (up to 200)',
    tag: 'vendors',
    auth: 'token',
    request: { query: ExternalJobOperatorQuery },
    answer: { status: 200, schema: ExternalJobList, description: 'The tasks' },
  },
  getExternalJob: {
    method: 'get',
    path: '/api/v1/external-jobs/{id}',
    summary: 'One standalone external task',
    tag: 'vendors',
    auth: 'token',
    request: { params: ExternalJobParam },
    answer: { status: 200, schema: ExternalJob, description: 'The task' },
    errors: { 404: 'No such task' },
  },
});

export type ApiRoutes = typeof apiRoutes;
export type RouteName = keyof ApiRoutes;
