// Request bodies of the jobs API. Unknown fields are ignored, as oVirt ignores them.
import { z } from 'zod';
import { flexibleBoolean, idRef, text } from '../inputs';

export const AddJobBody = z.looseObject({
  description: text,
  auto_cleared: flexibleBoolean.optional(),
});

export const EndJobBody = z.looseObject({
  succeeded: flexibleBoolean.optional(),
  force: flexibleBoolean.optional(),
});

export const AddStepBody = z.looseObject({
  description: text,
  type: text,
  parent_step: idRef.optional().nullable(),
});

export const EndStepBody = z.looseObject({
  succeeded: flexibleBoolean,
});

/** Bodies of actions that take no parameters (clear). */
export const EmptyAction = z.looseObject({});
