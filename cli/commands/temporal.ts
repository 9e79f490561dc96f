// `hybridflow temporal`: only the Temporal dev server, with the project's search attributes registered.
import path from 'node:path';
import { loadConfig } from '../../common/config';
import { runComponent } from '../stack/component';
import { checkPortsFree } from '../stack/ports';
import { startDevServer } from '../stack/temporal-server';

export const temporalCommand = () =>
  runComponent('temporal', async () => {
    const config = loadConfig();
    await checkPortsFree({ TEMPORAL_PORT: config.TEMPORAL_PORT, TEMPORAL_UI_PORT: config.TEMPORAL_UI_PORT });
    const server = await startDevServer({
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.HF_DATA_DIR, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
    });
    return {
      urls: [
        `Temporal server:  ${server.address} (namespace ${config.TEMPORAL_NAMESPACE}; CLI from ${server.source})`,
        `Temporal UI:      ${server.uiUrl}`,
      ],
      stop: server.stop,
    };
  });
