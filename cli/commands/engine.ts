// `hybridflow engine`: only the built-in oVirt-compatible engine.
import { loadConfig } from '../../common/config';
import { engineEndpoint } from '../../common/secrets';
import { startEngine } from '../../engine/start';
import { engineLog } from '../../engine/log';
import { runComponent } from '../stack/component';

export const engineCommand = () =>
  runComponent('engine', async () => {
    const config = loadConfig();
    engineLog.level = config.HF_LOG_LEVEL;
    const endpoint = engineEndpoint({ ...config, OVIRT_URL: undefined });
    const engine = await startEngine({
      port: config.HF_ENGINE_PORT,
      host: config.HF_HOST,
      allowedHosts: config.HF_ALLOWED_HOSTS,
      dataDir: config.HF_DATA_DIR,
      adminUser: config.OVIRT_USER,
      adminPassword: endpoint.password,
      seedFile: config.HF_ENGINE_SEED_FILE,
      transitionMs: config.HF_ENGINE_TRANSITION_MS,
      cleanup: {
        intervalMin: config.HF_ENGINE_CLEANUP_INTERVAL_MIN,
        succeededMin: config.HF_ENGINE_CLEANUP_SUCCEEDED_MIN,
        failedMin: config.HF_ENGINE_CLEANUP_FAILED_MIN,
      },
      unknownOnRestart: config.HF_ENGINE_UNKNOWN_ON_RESTART,
      faults: config.HF_ENGINE_FAULTS,
    });
    return {
      urls: [`Engine API:       ${engine.apiUrl} (user ${config.OVIRT_USER})`, `Engine Tasks:     ${engine.url}/tasks`],
      stop: engine.close,
    };
  });
