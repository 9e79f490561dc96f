// The storage-side hook under /builtin/storage-array (NOT oVirt): a simulated storage array places images into
// storage domains as unregistered disks. Same users and credentials as the API (writes need the admin role); faults
// in oVirt's body shape.
import express from 'express';
import type { z } from 'zod';
import type { Authenticator } from '../auth';
import { requireUser, writesNeedAdmin } from '../auth';
import { ApiFault, unknownPath } from '../faults';
import { jsonBodyMiddleware } from '../json-body';
import { ImageMetadataBody, PutImageBody } from './schemas';
import type { StorageArray } from './service';
import { imageJson } from './service';

/** Validates a body; the 400 names the first offending field. */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiFault(400, 'Bad Request', 'The request body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiFault(400, 'Bad Request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Image ids are UUIDs, as oVirt's disk ids. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function storageArrayRouter(auth: Authenticator, array: StorageArray): express.Router {
  const router = express.Router();
  router.use(requireUser(auth), writesNeedAdmin);
  router.use(jsonBodyMiddleware(64 * 1024));

  router.get('/domains/:sd/images', (req, res) => {
    res.json({ images: array.images(req.params.sd).map(imageJson) });
  });

  router.put('/domains/:sd/images/:imageId', (req, res) => {
    if (!UUID.test(req.params.imageId))
      throw new ApiFault(400, 'Bad Request', `imageId: expected a UUID, got ${req.params.imageId}`);
    const body = parse(PutImageBody, req.body);
    const { image, created } = array.putImage(req.params.sd, req.params.imageId, body);
    res.status(created ? 201 : 200).json(imageJson(image));
  });

  router.patch('/domains/:sd/images/:imageId/metadata', (req, res) => {
    const body = parse(ImageMetadataBody, req.body);
    res.json(imageJson(array.updateMetadata(req.params.sd, req.params.imageId, body)));
  });

  router.delete('/domains/:sd/images/:imageId', (req, res) => {
    array.deleteImage(req.params.sd, req.params.imageId);
    res.status(204).end();
  });

  router.use(unknownPath);
  return router;
}
