// The API server's express app, built without listening so tests can use it directly.
import express from 'express';
import { requireToken } from './auth';
import { flowRoutes } from './flows/routes';
import type { FlowService } from './flows/service';
import { errorHandler, sendProblem } from './problem';

export interface AppDeps {
  token: string;
  flows: FlowService;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/api/v1', requireToken(deps.token), express.json({ limit: '64kb' }), flowRoutes(deps.flows));
  app.use((_req, res) => {
    sendProblem(res, { status: 404, title: 'Not found' });
  });
  app.use(errorHandler);
  return app;
}
