// Request and response shapes of the flows API: the single source of their types, their validation and their
// OpenAPI components.
import type { FlowStep as FlowStepShape } from '../../common/flow-definitions';

export type { FlowStepShape };
import { z } from '../zod';
import { FlowKind } from './catalogue';

// The shared fields, and the catalogue's kinds (their names: FlowKind) as answers and filters name them.
export { VendorId, VmName, VmRef } from './fields';
export { FlowKind } from './catalogue';
export const FlowStatus = z
  .enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'])
  .openapi('FlowStatus');
export type FlowStatus = z.infer<typeof FlowStatus>;

export const FlowLinks = z
  .object({
    self: z.string(),
    temporalUi: z.string().optional().openapi({ description: 'The workflow in the Temporal Web UI' }),
    engineTasks: z.string().optional().openapi({ description: "The engine job in the engine's Tasks page" }),
  })
  .openapi('FlowLinks');

/** The step tree the workflows report (their `progress` query and memo); the schema must describe it exactly. */
export const FlowStep: z.ZodType<FlowStepShape> = z
  .object({
    key: z.string(),
    description: z.string(),
    kind: z.enum(['ovirt', 'external', 'compensation']),
    status: z.enum(['pending', 'running', 'finished', 'failed', 'unknown']).openapi({
      description: '`unknown` only in a step tree read from the engine: the engine lost the step (it restarted)',
    }),
    progress: z.number().min(0).max(100).optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    engineStepId: z.string().optional(),
    engineJobId: z.string().optional().openapi({ description: 'The engine job holding engineStepId' }),
    engineNote: z
      .string()
      .optional()
      .openapi({ description: 'What happened to the mirroring of this step, when it did not go as planned' }),
    get children() {
      return z.array(FlowStep);
    },
  })
  .openapi('FlowStep');

export const StepsSource = z.enum(['workflow', 'final', 'engine', 'none']).openapi('StepsSource', {
  description:
    "Where `steps` come from: 'workflow' the running workflow answered its progress query; 'final' the step tree the " +
    "flow kept when it closed; 'engine' no worker answered within the bound, so the tree was read from the engine " +
    "job(s) and may lag behind the flow; 'none' neither answered (the steps known, maybe none)",
});
export type StepsSource = z.infer<typeof StepsSource>;

export const FlowStarted = z
  .object({
    id: z.string(),
    kind: FlowKind,
    status: FlowStatus,
    engineJobId: z
      .string()
      .nullable()
      .openapi({
        description:
          'The engine job of the flow, usually null in this answer: the workflow opens its job once a worker runs it, ' +
          'and the start does not wait for that. Read it later from the flow or its event stream.',
      }),
    links: FlowLinks,
  })
  .openapi('FlowStarted', {
    description: 'A flow started (or found, for a repeated Idempotency-Key); the answer never waits for a worker',
  });

/** What a flow's listing entry and its full document both say. */
const FlowBase = z.object({
  id: z.string(),
  kind: z.string(),
  status: FlowStatus,
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  engineJobId: z.string().nullable().openapi({
    description: 'The engine job in use (the latest continuation once there is one); null until the flow opened one',
  }),
});

export const FlowSummary = FlowBase.extend({
  sourceVmId: z.string().nullable(),
  vendor: z.string().nullable(),
  summary: z.string().nullable(),
}).openapi('FlowSummary');

export const FlowList = z
  .object({ items: z.array(FlowSummary), nextPageToken: z.string().nullable() })
  .openapi('FlowList');

export const Flow = FlowBase.extend({
  input: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
  engineJobIds: z.array(z.string()).openapi({ description: 'Every engine job the flow used, oldest first' }),
  steps: z.array(FlowStep),
  stepsSource: StepsSource,
  notice: z.string().nullable().openapi({
    description: 'Why the step tree may be incomplete or stale, in plain words; null when it is current',
  }),
  links: FlowLinks,
}).openapi('Flow');

export const FlowListQuery = z.object({
  status: FlowStatus.optional(),
  kind: FlowKind.optional().openapi({ description: 'A kind of GET /api/v1/flow-kinds' }),
  vm: z
    .string()
    .regex(/^[0-9a-f-]{36}$/i, 'must be a VM id')
    .optional()
    .openapi({ description: 'Source VM id' }),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  pageToken: z.string().max(2000).optional(),
});

export const FlowIdParam = z.object({
  id: z.string().min(1).max(255).openapi({ example: 'rapid-clone-web-01-1a2b3c4d' }),
});

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const FlowCancelled = z
  .object({ id: z.string(), status: FlowStatus, cancelRequested: z.boolean() })
  .openapi('FlowCancelled');

/** A kind of flow the API starts, as GET /api/v1/flow-kinds lists it (from the catalogue, flows/catalogue.ts). */
export const FlowKindInfo = z
  .object({
    name: FlowKind,
    description: z.string(),
    inputSchema: z.record(z.string(), z.unknown()).openapi({
      description: 'The start request body as JSON Schema (2020-12); fields with a default may be left out',
    }),
    links: z.object({ start: z.string().openapi({ description: 'Where to POST the request to start one' }) }),
  })
  .openapi('FlowKindInfo');

export const FlowKindList = z.object({ items: z.array(FlowKindInfo) }).openapi('FlowKindList');
