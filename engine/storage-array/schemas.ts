// Bodies of the storage-side hook (not oVirt). Sizes in bytes, as a number or a digit string.
import { z } from 'zod';

const bytes = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/, 'expected a whole number of bytes')])
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n > 0, 'expected a positive whole number of bytes');

const name = z.string().trim().min(1).max(255);

export const PutImageBody = z.looseObject({
  name,
  provisioned_size: bytes,
  source_disk_id: z.string().min(1).optional(),
  description: z.string().max(4000).optional(),
});
export type PutImageInput = z.infer<typeof PutImageBody>;

/** What oVirt reads from the image's metadata when it registers it; `alias` and `name` are the same thing. */
export const ImageMetadataBody = z.looseObject({
  alias: name.optional(),
  name: name.optional(),
  description: z.string().max(4000).optional(),
});
export type ImageMetadataInput = z.infer<typeof ImageMetadataBody>;
