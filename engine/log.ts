// The built-in engine's log: JSON lines with `component: "engine"` (see common/log.ts); `hybridflow engine` sets its
// level from HF_LOG_LEVEL. Only what goes wrong inside the engine is logged here.
import { createLogger } from '../common/log';

export const engineLog = createLogger('engine', { level: 'warn' });
