// Request bodies of the inventory's actions. Unknown fields are ignored, as oVirt ignores them; integers are
// accepted as numbers or digit strings (oVirt writes them as strings).
import { z } from 'zod';
import { flexibleBoolean, text } from '../inputs';

/** A non-negative integer given as `3` or `"3"`. */
export const integer = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n));

/** A link to another entity by id or by name: `{"id": ...}` or `{"name": ...}`. */
export const idOrName = z.looseObject({ id: text.optional(), name: text.optional() });

export const AddVmBody = z.looseObject({
  name: text,
  description: text.optional(),
  cluster: idOrName,
  template: idOrName,
  memory: integer.optional(),
  cpu: z
    .looseObject({
      topology: z
        .looseObject({ cores: integer.optional(), sockets: integer.optional(), threads: integer.optional() })
        .optional(),
    })
    .optional(),
  os: z.looseObject({ type: text.optional() }).optional(),
  type: z.enum(['server', 'desktop', 'high_performance']).optional(),
  stateless: flexibleBoolean.optional(),
});
export type AddVmInput = z.infer<typeof AddVmBody>;

/** `shutdown`, `stop`, `start`: `{}` or `{"async": true}`; other action fields are ignored. */
export const PowerAction = z.looseObject({ async: flexibleBoolean.optional() });

export const AddDiskAttachmentBody = z.looseObject({
  disk: z.looseObject({ id: text.optional() }),
  interface: text,
  bootable: flexibleBoolean.optional(),
  active: flexibleBoolean.optional(),
  read_only: flexibleBoolean.optional(),
  pass_discard: flexibleBoolean.optional(),
});

export const CopyDiskBody = z.looseObject({
  storage_domain: idOrName,
  disk: z.looseObject({ name: text.optional(), alias: text.optional() }).optional(),
  async: flexibleBoolean.optional(),
});

/**
 * Registering an unregistered disk: the body is the disk itself, as oVirt reads it (`<disk id="..."/>` from the
 * SDKs, `{"id": ...}`), or `{"disk": {"id": ...}}` as this engine has always taken it too.
 */
export const RegisterDiskBody = z.looseObject({
  id: text.optional(),
  disk: z.looseObject({ id: text.optional() }).optional(),
});
