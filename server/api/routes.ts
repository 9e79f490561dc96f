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
} from '../vendors/schemas';
import { SessionRequest } from '../session-schemas';
import { z } from '../zod';
import { defineRoutes } from './route';

// Paths with more than one method are written once.
const SESSION_PATH = '/api/v1/session';
const VENDORS_PATH = '/api/v1/vendors';
const VENDOR_PATH = '/api/v1/vendors/{id}';
const VENDOR_ACTIVITIES_PATH = '/api/v1/vendor/activities';

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
    summary: 'Remove a vendor, its keys and its activities',
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
});

export type ApiRoutes = typeof apiRoutes;
export type RouteName = keyof ApiRoutes;
