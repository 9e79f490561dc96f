// HTTP routes of flows: validate with the zod schemas, call the service, answer.
import { Router } from 'express';
import { HttpProblem, validationProblem } from '../problem';
import { ClonePreflightRequest, FlowIdParam, RapidCloneRequest } from './schemas';
import type { FlowService } from './service';
import type { z } from 'zod';

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpProblem(validationProblem(result.error, where));
  return result.data;
}

export function flowRoutes(flows: FlowService): Router {
  const router = Router();
  router.post('/flows/clone-preflight', async (req, res) => {
    const body = parse(ClonePreflightRequest, req.body ?? {}, 'body');
    res.status(202).json(await flows.startClonePreflight(body));
  });
  router.post('/flows/rapid-clone', async (req, res) => {
    const body = parse(RapidCloneRequest, req.body ?? {}, 'body');
    res.status(202).json(await flows.startRapidClone(body));
  });
  router.get('/flows/:id', async (req, res) => {
    const { id } = parse(FlowIdParam, req.params, 'path');
    res.json(await flows.getFlow(id));
  });
  return router;
}
