// Configuration: defaults, coercion, and errors that name the variable.
import { ConfigError, loadConfig } from '../../common/config';

test('defaults match the README table', () => {
  const c = loadConfig({});
  expect(c).toMatchObject({
    HF_API_PORT: 8080,
    HF_ENGINE_PORT: 8070,
    TEMPORAL_PORT: 7233,
    TEMPORAL_UI_PORT: 8233,
    TEMPORAL_NAMESPACE: 'default',
    OVIRT_USER: 'admin@internal',
    OVIRT_INSECURE: false,
  });
  expect(c.HF_DATA_DIR).toMatch(/\.data$/);
  expect(c.TEMPORAL_ADDRESS).toBeUndefined();
});

test('empty variables count as unset; numbers and flags are read from strings', () => {
  const c = loadConfig({ HF_API_PORT: '9000', TEMPORAL_ADDRESS: '', OVIRT_INSECURE: 'true' });
  expect(c.HF_API_PORT).toBe(9000);
  expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  expect(c.OVIRT_INSECURE).toBe(true);
});

test('every invalid variable is named in one error', () => {
  let error: ConfigError | undefined;
  try {
    loadConfig({
      HF_API_PORT: '70000',
      TEMPORAL_ADDRESS: 'not an address',
      OVIRT_URL: 'https://engine/ovirt-engine/api',
    });
  } catch (err) {
    error = err as ConfigError;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect(error?.issues.map((i) => i.variable).sort()).toEqual(['HF_API_PORT', 'OVIRT_PASSWORD', 'TEMPORAL_ADDRESS']);
  expect(error?.message).toMatch(/OVIRT_PASSWORD: is required when OVIRT_URL is set/);
});

test('Temporal TLS: a client certificate needs its key and the key its certificate', () => {
  const issues = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).issues;
    }
  };
  expect(issues({ TEMPORAL_TLS_CERT_FILE: '/etc/hf/client.pem' })).toEqual([
    { variable: 'TEMPORAL_TLS_KEY_FILE', message: 'is required when TEMPORAL_TLS_CERT_FILE is set (mTLS needs both)' },
  ]);
  expect(issues({ TEMPORAL_TLS_KEY_FILE: '/etc/hf/client.key' }).map((i) => i.variable)).toEqual([
    'TEMPORAL_TLS_CERT_FILE',
  ]);
  expect(issues({ TEMPORAL_TLS: 'maybe' }).map((i) => i.variable)).toEqual(['TEMPORAL_TLS']);
  const c = loadConfig({
    TEMPORAL_TLS: 'yes',
    TEMPORAL_TLS_CERT_FILE: '/etc/hf/client.pem',
    TEMPORAL_TLS_KEY_FILE: '/etc/hf/client.key',
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_API_KEY: 'key',
  });
  expect(c).toMatchObject({
    TEMPORAL_TLS: true,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_API_KEY: 'key',
  });
  expect(loadConfig({}).TEMPORAL_TLS).toBe(false);
});
