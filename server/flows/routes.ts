// HTTP routes of flows (validated with the zod schemas of schemas.ts), and their OpenAPI registration.
import { Router } from 'express';
import { conflictResponse, json, keyReusedResponse, notFoundResponse, registerPath } from '../openapi';
import { parse } from '../validate';
import { z } from '../zod';
import { flowEvents } from './events';
import {
  ClonePreflightRequest,
  Flow,
  FlowIdParam,
  FlowList,
  FlowListQuery,
  FlowStarted,
  IdempotencyKey,
  RapidCloneRequest,
} from './schemas';
import type { InventoryService } from '../inventory/service';
import type { FlowService } from './service';
import type { FlowWatcher } from './watcher';

registerPath({
  method: 'post',
  path: '/api/v1/flows/rapid-clone',
  summary: 'Start a rapid clone of a VM',
  tags: ['flows'],
  request: {
    headers: z.object({
      'Idempotency-Key': IdempotencyKey.optional().openapi({
        description: 'The same key returns the same flow, never a second clone',
      }),
    }),
    body: { content: { 'application/json': { schema: RapidCloneRequest } }, required: true },
  },
  responses: {
    202: json(
      FlowStarted,
      'Started (or found, for a repeated Idempotency-Key). The answer comes as soon as Temporal has the workflow, worker or ' +
        'not: `engineJobId` is usually null here and appears later in GET /api/v1/flows/{id} and the event stream',
    ),
    ...conflictResponse('The clone name is taken'),
    ...keyReusedResponse,
  },
});
registerPath({
  method: 'post',
  path: '/api/v1/flows/clone-preflight',
  summary: 'Check that a VM can be cloned by a vendor',
  tags: ['flows'],
  request: { body: { content: { 'application/json': { schema: ClonePreflightRequest } }, required: true } },
  responses: {
    202: json(FlowStarted, 'Started; the engine job id comes later (GET /api/v1/flows/{id} or the event stream)'),
  },
});
registerPath({
  method: 'get',
  path: '/api/v1/flows',
  summary: 'List flows, newest first',
  tags: ['flows'],
  request: { query: FlowListQuery },
  responses: { 200: json(FlowList, 'A page of flows') },
});
registerPath({
  method: 'get',
  path: '/api/v1/flows/{id}',
  summary: 'One flow with its step tree',
  description:
    "Answers within about a second whether or not a worker runs: `stepsSource` says where the step tree comes from ('engine' " +
    'when no worker answered in time, read from the engine job(s), may lag) and `notice` says so in plain words.',
  tags: ['flows'],
  request: { params: FlowIdParam },
  responses: { 200: json(Flow, 'The flow'), ...notFoundResponse },
});
registerPath({
  method: 'post',
  path: '/api/v1/flows/{id}/cancel',
  summary: 'Cancel a running flow (its steps done are undone)',
  description: 'Recorded by Temporal at once; the undo runs once a worker runs the flow.',
  tags: ['flows'],
  request: { params: FlowIdParam },
  responses: {
    202: json(z.object({ id: z.string(), status: z.string(), cancelRequested: z.boolean() }), 'Cancel requested'),
    ...notFoundResponse,
    ...conflictResponse('The flow has already closed'),
  },
});
registerPath({
  method: 'get',
  path: '/api/v1/flows/{id}/events',
  summary: 'Server-Sent Events of one flow: `step` on each change (data: the Flow), a final `flow`',
  description:
    'The first event comes at once, worker or not; comments keep the connection alive while nothing changes. All the streams ' +
    'of one flow share one poller on the server.',
  tags: ['flows'],
  request: { params: FlowIdParam },
  responses: {
    200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...notFoundResponse,
  },
});

export interface FlowRouteDeps {
  flows: FlowService;
  watcher: FlowWatcher;
  /** Checks against the inventory before a flow starts: the vendor and source VM (resolved), the clone name. */
  inventory: Pick<InventoryService, 'resolveSource' | 'requireFreeName'>;
}

export function flowRoutes({ flows, watcher, inventory }: FlowRouteDeps): Router {
  const router = Router();
  router.post('/flows/rapid-clone', async (req, res) => {
    const body = parse(RapidCloneRequest, req.body ?? {}, 'body');
    const key = parse(IdempotencyKey.optional(), req.get('idempotency-key'), 'header.Idempotency-Key');
    const source = await inventory.resolveSource(body);
    // A repeated key finds its flow (or is a 422 with another request), even though the clone's name is taken by now.
    const existing = key ? await flows.findRapidClone(body, source, key) : undefined;
    if (existing) return void res.status(202).json(existing);
    await inventory.requireFreeName(body.cloneName);
    res.status(202).json(await flows.startRapidClone(body, source, key));
  });
  router.post('/flows/clone-preflight', async (req, res) => {
    const body = parse(ClonePreflightRequest, req.body ?? {}, 'body');
    res.status(202).json(await flows.startClonePreflight(body, await inventory.resolveSource(body)));
  });
  router.get('/flows', async (req, res) => {
    res.json(await flows.listFlows(parse(FlowListQuery, req.query, 'query')));
  });
  router.get('/flows/:id', async (req, res) => {
    res.json(await flows.getFlow(parse(FlowIdParam, req.params, 'path').id));
  });
  router.post('/flows/:id/cancel', async (req, res) => {
    res.status(202).json(await flows.cancel(parse(FlowIdParam, req.params, 'path').id));
  });
  router.get('/flows/:id/events', (req, res, next) =>
    flowEvents(flows, watcher, () => parse(FlowIdParam, req.params, 'path').id)(req, res, next),
  );
  return router;
}
