// Every route of the API, declared once: the express router, the OpenAPI document, the CLI's client and the pages'
// calls are all made from this table (see route.ts). The handlers live with their feature (flows/handlers.ts,
// inventory/handlers.ts, auth.ts) and are bound to these declarations by name.
import {
  ClonePreflightRequest,
  Flow,
  FlowCancelled,
  FlowIdParam,
  FlowList,
  FlowListQuery,
  FlowStarted,
  IdempotencyKey,
  RapidCloneRequest,
} from '../flows/schemas';
import { NameCheck, NameCheckQuery, VendorList, VmList, VmListQuery } from '../inventory/schemas';
import { SessionRequest } from '../session-schemas';
import { z } from '../zod';
import { defineRoutes } from './route';

/** Logging in and out are two methods of one path. */
const SESSION_PATH = '/api/v1/session';

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
  startRapidClone: {
    method: 'post',
    path: '/api/v1/flows/rapid-clone',
    summary: 'Start a rapid clone of a VM',
    tag: 'flows',
    auth: 'token',
    request: {
      headers: z.object({
        'Idempotency-Key': IdempotencyKey.optional().openapi({
          description: 'The same key returns the same flow, never a second clone',
        }),
      }),
      body: RapidCloneRequest,
    },
    answer: {
      status: 202,
      schema: FlowStarted,
      description:
        'Started (or found, for a repeated Idempotency-Key). The answer comes as soon as Temporal has the workflow, ' +
        'worker or not: `engineJobId` is usually null here and appears later in the flow and its event stream',
    },
    errors: {
      409: 'The clone name is taken',
      422: 'The Idempotency-Key came with a different request before',
      502: 'The engine refused to read the source VM',
    },
  },
  startClonePreflight: {
    method: 'post',
    path: '/api/v1/flows/clone-preflight',
    summary: 'Check that a VM can be cloned by a vendor',
    tag: 'flows',
    auth: 'token',
    request: { body: ClonePreflightRequest },
    answer: {
      status: 202,
      schema: FlowStarted,
      description: 'Started; the engine job id comes later (in the flow or its event stream)',
    },
    errors: { 502: 'The engine refused to read the source VM' },
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
      'when no worker answered in time, read from the engine job(s), may lag) and `notice` says so in plain words.',
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
    errors: { 404: 'No flow with this id', 409: 'The flow has already closed' },
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
    path: '/api/v1/vendors',
    summary: 'Storage vendors, and whether their worker is online',
    tag: 'inventory',
    auth: 'token',
    answer: { status: 200, schema: VendorList, description: 'Vendors' },
  },
});

export type ApiRoutes = typeof apiRoutes;
export type RouteName = keyof ApiRoutes;
