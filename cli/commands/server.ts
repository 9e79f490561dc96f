// `hybridflow server`: the API server and web UI.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../common/config';
import { apiToken, engineEndpoint } from '../../common/secrets';
import { createApp } from '../../server/app';
import { createFlowService } from '../../server/flows/service';
import { runComponent } from '../component';
import { close, listen } from '../listen';
import { temporalAddress, temporalUiUrl } from '../temporal-connection';

export const serverCommand = () =>
  runComponent('server', async () => {
    const config = loadConfig();
    const connection = await Connection.connect({ address: temporalAddress(config) });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const engine = engineEndpoint(config);
    const flows = createFlowService({
      client,
      taskQueue: config.HF_TASK_QUEUE,
      temporalUiUrl: temporalUiUrl(config),
      engineTasksUrl: engine.builtIn ? `http://127.0.0.1:${config.HF_ENGINE_PORT}/tasks` : undefined,
    });
    const app = createApp({ token: apiToken(config), flows });
    const server = await listen(app, config.HF_API_PORT, config.HF_HOST, 'HF_API_PORT');
    return {
      urls: [`API server:       http://127.0.0.1:${config.HF_API_PORT}/api/v1 (Authorization: Bearer <token>)`],
      stop: async () => {
        await close(server);
        await connection.close();
      },
    };
  });
