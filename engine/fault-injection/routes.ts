// The admin endpoint of fault injection, /builtin/faults (not oVirt): GET the rules, PUT a new list, DELETE all.
import express from 'express';
import type { Authenticator } from '../auth';
import { assertAdmin, currentUser, requireUser } from '../auth';
import { ApiFault, methodNotAllowed } from '../faults';
import { jsonBodyMiddleware } from '../json-body';
import type { FaultInjector } from './injector';
import { describeRulesError, FaultRulesSchema } from './rules';

export function faultInjectionRouter(auth: Authenticator, injector: FaultInjector): express.Router {
  const router = express.Router();
  router.use(requireUser(auth));
  router.use((_req, res, next) => {
    // Only the admin may see or change how the engine misbehaves.
    assertAdmin(currentUser(res));
    next();
  });
  router.use(jsonBodyMiddleware(64 * 1024));

  router.get('/', (_req, res) => {
    res.json({ rules: injector.rules() });
  });
  router.put('/', (req, res) => {
    const parsed = FaultRulesSchema.safeParse(req.body);
    if (!parsed.success) throw new ApiFault(400, 'Bad Request', describeRulesError(parsed.error));
    injector.replace(parsed.data);
    res.json({ rules: injector.rules() });
  });
  router.delete('/', (_req, res) => {
    injector.replace([]);
    res.json({ rules: [] });
  });
  router.all('/', (req) => {
    throw methodNotAllowed(req.method, req.baseUrl + req.path);
  });
  return router;
}
