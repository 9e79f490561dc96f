// The observability variables: defaults, and errors that name the variable.
import { type ConfigError, loadConfig } from '../../common/config';

const issues = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as ConfigError).issues.map((i) => i.variable);
  }
  return [];
};

test('defaults: logs at info, the worker metrics on 9464, no metrics token, no tracing', () => {
  const c = loadConfig({});
  expect(c).toMatchObject({ HF_LOG_LEVEL: 'info', HF_METRICS_PORT: 9464 });
  expect(c.HF_METRICS_TOKEN).toBeUndefined();
  expect(c.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  expect(loadConfig({ HF_METRICS_PORT: '0' }).HF_METRICS_PORT).toBe(0);
});

test('an invalid level, port, short token or endpoint is named', () => {
  expect(
    issues({
      HF_LOG_LEVEL: 'loud',
      HF_METRICS_PORT: '70000',
      HF_METRICS_TOKEN: 'short',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
    }).sort(),
  ).toEqual(['HF_LOG_LEVEL', 'HF_METRICS_PORT', 'HF_METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
});
