// Request and answer shapes of the vendor registry (operator) and of the vendor API (a vendor, with its own key).
import { z } from '../zod';
import { VendorId } from '../flows/schemas';

/** A duration as Temporal writes it: "3s", "5m", "1h", "500ms". */
export const DurationString = z
  .string()
  .regex(/^[1-9]\d{0,6}(ms|s|m|h)$/, 'must be a duration such as 3s, 5m, 1h or 500ms')
  .openapi({ example: '30s' });

export const VendorMode = z.enum(['temporal', 'webhook']).openapi('VendorMode', {
  description:
    "'temporal': the vendor runs a Temporal worker (any SDK) on its task queue, in hybridflow's namespace, so it is " +
    "trusted; 'webhook': tasks are POSTed to its URL and it answers through the vendor API with its key",
});

const WebhookUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000);

export const VendorCreateRequest = z
  .strictObject({
    id: VendorId,
    name: z.string().trim().min(1, 'is required').max(200),
    mode: VendorMode,
    taskQueue: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, "may contain only letters, digits, '.', '_' and '-'")
      .optional()
      .openapi({ description: 'temporal mode: the task queue its worker polls. @default <HF_TASK_QUEUE>.vendor.<id>' }),
    webhook: z.strictObject({ url: WebhookUrl }).optional().openapi({ description: 'webhook mode: where tasks go' }),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'webhook' && !v.webhook)
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'is required in webhook mode' });
    if (v.mode === 'temporal' && v.webhook)
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'is only for webhook mode' });
    if (v.mode === 'webhook' && v.taskQueue)
      ctx.addIssue({ code: 'custom', path: ['taskQueue'], message: 'is only for temporal mode' });
  })
  .openapi('VendorCreateRequest');
export type VendorCreateRequest = z.infer<typeof VendorCreateRequest>;

export const RetryPolicy = z
  .strictObject({
    maximumAttempts: z.number().int().min(1).max(100),
    initialInterval: DurationString,
    maximumInterval: DurationString,
  })
  .openapi('VendorRetryPolicy');

const JsonSchemaObject = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'A JSON Schema (2020-12)', example: { type: 'object' } });

export const ActivityRegistrationRequest = z
  .strictObject({
    description: z.string().trim().min(1, 'is required').max(500),
    inputSchema: JsonSchemaObject,
    outputSchema: JsonSchemaObject,
    startToCloseTimeout: DurationString.optional(),
    heartbeatTimeout: DurationString.optional(),
    retry: RetryPolicy.optional(),
  })
  .openapi('ActivityRegistrationRequest');
export type ActivityRegistrationRequest = z.infer<typeof ActivityRegistrationRequest>;

export const ActivityName = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'must be an activity name such as cloneDisk')
    .openapi({ example: 'cloneDisk' }),
});

export const ActivityRegistration = z
  .object({
    name: z.string(),
    description: z.string(),
    inputSchema: JsonSchemaObject,
    outputSchema: JsonSchemaObject,
    startToCloseTimeout: z.string().nullable(),
    heartbeatTimeout: z.string().nullable(),
    retry: RetryPolicy.nullable(),
    updatedAt: z.string(),
  })
  .openapi('ActivityRegistration');
export type ActivityRegistration = z.infer<typeof ActivityRegistration>;

export const ActivityRegistrationList = z
  .object({ items: z.array(ActivityRegistration) })
  .openapi('ActivityRegistrationList');

export const VendorKeyInfo = z
  .object({ keyId: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi('VendorKeyInfo');

export const Vendor = z
  .object({
    id: z.string(),
    name: z.string(),
    mode: VendorMode,
    taskQueue: z.string().nullable(),
    webhook: z.object({ url: z.string() }).nullable(),
    online: z.boolean().openapi({
      description:
        "temporal mode: a worker polls the vendor's task queue right now; webhook mode: it was heard from (a vendor " +
        'API call or a delivery it took) in the last 5 minutes',
    }),
    lastSeenAt: z
      .string()
      .nullable()
      .openapi({ description: 'When it last called the vendor API with a live key or took a delivery' }),
    activities: z.array(ActivityRegistration),
    keys: z.array(VendorKeyInfo).openapi({ description: 'Key ids and dates; a key itself is only shown once' }),
    createdAt: z.string(),
  })
  .openapi('Vendor');
export type Vendor = z.infer<typeof Vendor>;

export const VendorList = z.object({ items: z.array(Vendor) }).openapi('VendorList');

/** What a vendor sees of its own registration (no key ids, no online state). */
export const VendorSelf = Vendor.pick({
  id: true,
  name: true,
  mode: true,
  taskQueue: true,
  webhook: true,
  activities: true,
}).openapi('VendorSelf');

export const VendorCreated = z
  .object({
    vendor: Vendor,
    apiKey: z.string().openapi({ description: 'The vendor API key, shown this once (only its hash is kept)' }),
    webhookSecret: z
      .string()
      .optional()
      .openapi({ description: 'webhook mode: the signing secret of deliveries, shown this once' }),
  })
  .openapi('VendorCreated');

export const VendorKeyCreated = z
  .object({ keyId: z.string(), apiKey: z.string().openapi({ description: 'Shown this once' }) })
  .openapi('VendorKeyCreated');

export const VendorIdParam = z.object({ id: VendorId });
export const VendorKeyParams = z.object({
  id: VendorId,
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id'),
});

export const TaskIdParam = z.object({
  taskId: z
    .string()
    .regex(/^vt_[A-Za-z0-9_-]{32}$/, 'must be a task id')
    .openapi({ example: 'vt_3Jq9...' }),
});
export const TaskStepParams = TaskIdParam.extend({
  key: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "may contain only letters, digits, '_', '-' and '.'"),
});

export const VendorTaskStatus = z
  .enum(['delivering', 'open', 'cancelling', 'completed', 'failed', 'superseded', 'cancelled', 'ended'])
  .openapi('VendorTaskStatus');

export const VendorSubStepShape = z
  .object({ key: z.string(), description: z.string(), status: z.enum(['running', 'finished', 'failed']) })
  .openapi('VendorSubStep');

export const VendorTask = z
  .object({
    id: z.string(),
    activity: z.string(),
    flowId: z.string(),
    attempt: z.number().int(),
    input: z.unknown(),
    status: VendorTaskStatus,
    reason: z.string().nullable().openapi({ description: 'Why the task is no longer open' }),
    progress: z.number().nullable(),
    message: z.string().nullable(),
    subSteps: z.array(VendorSubStepShape),
    deadline: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('VendorTask');
export const VendorTaskList = z.object({ items: z.array(VendorTask) }).openapi('VendorTaskList');
export const VendorTaskQuery = z.object({ status: VendorTaskStatus.optional() });

export const TaskHeartbeat = z
  .strictObject({
    progress: z.number().min(0).max(100).optional(),
    message: z.string().max(1000).optional(),
  })
  .openapi('TaskHeartbeat');
export const TaskHeartbeatAnswer = z
  .object({
    cancelRequested: z.boolean().openapi({ description: 'The flow cancelled the task: stop, undo, then fail it' }),
  })
  .openapi('TaskHeartbeatAnswer');
export const TaskStepRequest = z
  .strictObject({
    key: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "may contain only letters, digits, '_', '-' and '.'"),
    description: z.string().trim().min(1, 'is required').max(500),
  })
  .openapi('TaskStepRequest');
export const TaskStepEnd = z.strictObject({ succeeded: z.boolean() }).openapi('TaskStepEnd');
export const TaskComplete = z.strictObject({ output: z.unknown() }).openapi('TaskComplete');
export const TaskFail = z
  .strictObject({
    message: z.string().trim().min(1, 'is required').max(2000),
    retryable: z.boolean().default(true).openapi({ description: 'Whether the flow may try again (a new task)' }),
  })
  .openapi('TaskFail');
export const TaskOutcome = z
  .object({ id: z.string(), status: VendorTaskStatus })
  .openapi('TaskOutcome', { description: 'The task as it stands after the report' });
