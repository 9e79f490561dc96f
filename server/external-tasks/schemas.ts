// Request and response shapes of standalone external tasks (the vendor API's jobs, the operator's external-jobs):
// the single source of their types, their validation and their OpenAPI components.
import { VendorId } from '../flows/schemas';
import { z } from '../zod';

export const ExternalJobStatus = z.enum(['started', 'finished', 'failed']).openapi('ExternalJobStatus', {
  description: "oVirt's words for an external job: `started` until the vendor ends it or it is ended for it",
});

/** oVirt's step types. */
export const ExternalStepType = z
  .enum(['validating', 'executing', 'finalizing', 'rebalancing_volume', 'removing_bricks', 'unknown'])
  .openapi('ExternalStepType');

export interface ExternalJobStepShape {
  id: string;
  key: string | null;
  description: string;
  type: z.infer<typeof ExternalStepType>;
  status: z.infer<typeof ExternalJobStatus>;
  progress: number | null;
  startedAt: string;
  endedAt: string | null;
  engineStepId: string | null;
  engineJobId: string | null;
  children: ExternalJobStepShape[];
}

export const ExternalJobStep: z.ZodType<ExternalJobStepShape> = z
  .object({
    id: z.string(),
    key: z.string().nullable().openapi({ description: 'The key the vendor gave it, if any' }),
    description: z.string(),
    type: ExternalStepType,
    status: ExternalJobStatus,
    progress: z.number().min(0).max(100).nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    engineStepId: z.string().nullable().openapi({
      description: 'The engine step mirroring it; null until the task’s workflow has made it (the engine may be down)',
    }),
    engineJobId: z.string().nullable().openapi({ description: 'The engine job holding engineStepId' }),
    get children() {
      return z.array(ExternalJobStep);
    },
  })
  .openapi('ExternalJobStep');

export const ExternalJob = z
  .object({
    id: z.string(),
    vendor: z.string(),
    description: z.string(),
    correlationId: z.string().nullable(),
    status: ExternalJobStatus,
    reason: z.string().nullable().openapi({ description: 'Why it failed, in words' }),
    timeoutSeconds: z.number().int(),
    createdAt: z.string(),
    lastReportAt: z.string(),
    endedAt: z.string().nullable(),
    deadline: z.string().nullable().openapi({
      description: 'While started: when it fails unless the vendor reports before (each report moves it on)',
    }),
    engineJobId: z.string().nullable().openapi({
      description: 'The engine job in use (a continuation after an engine restart); null until it is opened',
    }),
    engineJobIds: z.array(z.string()).openapi({ description: 'Every engine job the task used, oldest first' }),
    steps: z.array(ExternalJobStep),
    links: z
      .object({
        self: z.string(),
        engineTasks: z.string().optional().openapi({ description: "The engine job in the engine's Tasks page" }),
      })
      .openapi({ description: 'Where to see it' }),
  })
  .openapi('ExternalJob');
export const ExternalJobList = z.object({ items: z.array(ExternalJob) }).openapi('ExternalJobList');

const Description = z.string().trim().min(1, 'is required').max(1000);

export const ExternalJobCreate = z
  .strictObject({
    description: Description.openapi({ example: 'Replicate LUN 5 to the DR site' }),
    correlationId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "may contain only letters, digits, '_', '-', '.' and ':' (1 to 100)")
      .optional()
      .openapi({ description: 'The same correlation id again answers the first task (200) instead of a new one' }),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({
        description:
          'It fails when the vendor reports nothing for this long. Default 3600; at most the operator’s ' +
          'HF_EXTERNAL_TASK_MAX_TIMEOUT (default 86400)',
      }),
  })
  .openapi('ExternalJobCreate');

export const ExternalStepCreate = z
  .strictObject({
    description: Description.openapi({ example: 'Replicate volume 1' }),
    parentStepId: z.string().max(100).optional().openapi({ description: 'A step of this task to nest under' }),
    type: ExternalStepType.default('executing'),
    key: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "may contain only letters, digits, '_', '-', '.' and ':' (1 to 100)")
      .optional()
      .openapi({
        description:
          'The vendor’s own key for the step: the same key again (a retry whose answer was lost) answers the first ' +
          'step (200) instead of adding another',
      }),
  })
  .openapi('ExternalStepCreate');
export const ExternalStepProgress = z
  .strictObject({
    progress: z
      .number()
      .min(0)
      .max(100)
      .transform(Math.round)
      .openapi({ description: 'Percent, 0 to 100 (kept as a whole number, as oVirt shows it)' }),
  })
  .openapi('ExternalStepProgress');
export const ExternalEnd = z.strictObject({ succeeded: z.boolean() }).openapi('ExternalEnd');
export const ExternalJobEnd = z
  .strictObject({
    succeeded: z.boolean(),
    reason: z.string().trim().min(1).max(500).optional().openapi({
      description: 'With succeeded: false, why: shown in the engine job as a FAILED step "Failed: <reason>"',
    }),
  })
  .openapi('ExternalJobEnd');

const TaskId = z.string().max(100);
export const ExternalJobParam = z.object({ id: TaskId });
export const ExternalStepParams = z.object({ id: TaskId, stepId: z.string().max(100) });
export const ExternalJobQuery = z.object({ status: ExternalJobStatus.optional() });
export const ExternalJobOperatorQuery = z.object({
  vendor: VendorId.optional(),
  status: ExternalJobStatus.optional(),
});
