// All configuration comes from environment variables, validated here and nowhere else.
// The README's configuration table documents every variable below.
import path from 'node:path';
import type { Duration } from '@temporalio/common';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

export const EnvSchema = z
  .object({
    HF_DATA_DIR: z.string().default('.data'),
    HF_HOST: z.string().min(1).default('127.0.0.1'),
    HF_ALLOWED_HOSTS: z
      .string()
      .regex(
        /^[A-Za-z0-9.:[\]-]+(,[A-Za-z0-9.:[\]-]+)*$/,
        'must be a comma-separated list of host names, e.g. hybridflow.example.com,engine',
      )
      .optional()
      .transform((v) => (v ? v.split(',') : [])),
    HF_API_PORT: port(8080),
    HF_ENGINE_PORT: port(8070),
    HF_VENDOR_DEMO_PORT: port(8071),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. temporal.example.com:7233')
      .optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_CLI: z.string().optional(),
    TEMPORAL_UI_URL: z.url().optional(),
    // TLS to Temporal (a real cluster or Temporal Cloud). CA: @default the system's trust store; cert and key: the
    // client certificate for mTLS (both or neither); server name: @default the host of TEMPORAL_ADDRESS.
    TEMPORAL_TLS: flag(false),
    TEMPORAL_TLS_CA_FILE: z.string().optional(),
    TEMPORAL_TLS_CERT_FILE: z.string().optional(),
    TEMPORAL_TLS_KEY_FILE: z.string().optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    // Temporal Cloud's API key, sent as `authorization: Bearer <key>`; implies TLS.
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    HF_TASK_QUEUE: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, "may contain only letters, digits, '.', '_' and '-'")
      .default('hybridflow'),
    // Registers the demo vendor acme-storage (temporal mode, the storage contract) at start. @default with the
    // built-in engine only (the demo vendor clones through its storage-array hook).
    HF_DEMO_VENDOR: z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .optional(),
    // How long the demo vendor's clone takes (ms); benchmarks set 0 to measure hybridflow alone.
    HF_DEMO_CLONE_MS: z.coerce.number().int().min(0).default(4000),
    HF_VENDOR_HEARTBEAT_TIMEOUT: z
      .string()
      .regex(/^[1-9]\d*(ms|s|m|h)$/, 'must be a duration such as 30s, 2m or 500ms')
      .default('30s')
      .transform((v) => v as Duration), // the regex admits only what Temporal's duration parser reads
    HF_VENDOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    // On SIGTERM: how long the API server lets requests in flight finish, and a worker its running activities.
    HF_SHUTDOWN_GRACE: z
      .string()
      .regex(/^(0|[1-9]\d*(ms|s|m|h))$/, 'must be a duration such as 30s, 2m or 0')
      .default('30s')
      .transform((v) => (v === '0' ? '0ms' : v) as Duration),
    // Flows a worker keeps in memory between their tasks (Temporal's sticky cache): each costs some hundreds of KB,
    // and one evicted is replayed from its history when its next task comes. Thousands of flows waiting on vendors
    // would otherwise hold over a GiB.
    HF_WORKER_CACHED_FLOWS: z.coerce.number().int().min(1).max(100_000).default(500),
    // The longest time limit a vendor may give a standalone external task, in seconds (a day).
    HF_EXTERNAL_TASK_MAX_TIMEOUT: z.coerce.number().int().min(60).default(86_400),
    OVIRT_URL: z
      .url({
        protocol: /^https?$/,
        message: 'must be an http(s) URL such as https://engine.example.com/ovirt-engine/api',
      })
      .optional(),
    OVIRT_USER: z.string().min(1).default('admin@internal'),
    OVIRT_PASSWORD: z.string().optional(),
    OVIRT_CA_FILE: z.string().optional(),
    OVIRT_INSECURE: flag(false),
    // Built-in engine (ignored when OVIRT_URL points to a real engine).
    HF_ENGINE_SEED_FILE: z.string().optional(),
    HF_ENGINE_TRANSITION_MS: z.coerce.number().int().min(0).default(2000),
    HF_ENGINE_CLEANUP_INTERVAL_MIN: z.coerce.number().positive().default(10),
    HF_ENGINE_CLEANUP_SUCCEEDED_MIN: z.coerce.number().min(0).default(10),
    HF_ENGINE_CLEANUP_FAILED_MIN: z.coerce.number().min(0).default(60),
    HF_ENGINE_UNKNOWN_ON_RESTART: flag(true),
    HF_ENGINE_FAULTS: z.string().optional(),
    // The API servers' and workers' shared state (vendors, keys, tasks, Idempotency-Keys, sessions) in PostgreSQL.
    // @default SQLite in HF_DATA_DIR (one machine)
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, message: 'must be a PostgreSQL URL such as postgres://user:pw@host:5432/db' })
      .optional(),
    HF_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    // Seals what the server keeps but never shows (webhook vendors' signing secrets). @default generated into
    // $HF_DATA_DIR/server-key; servers sharing one database share it.
    HF_SERVER_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    HF_API_URL: z.url().default('http://127.0.0.1:8080'),
    // Observability: JSON log level; the worker's /metrics port (0 = a free one); the bearer token /metrics asks for.
    HF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HF_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    HF_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    // OpenTelemetry tracing (the standard variables): off unless an OTLP/HTTP endpoint is set.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    // Processes sharing a database must seal with one key; a generated key file is one machine's own.
    if (env.DATABASE_URL && !env.HF_SERVER_KEY) {
      ctx.addIssue({ code: 'custom', path: ['HF_SERVER_KEY'], message: 'is required when DATABASE_URL is set' });
    }
    for (const [set, missing] of [
      ['TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE'],
      ['TEMPORAL_TLS_KEY_FILE', 'TEMPORAL_TLS_CERT_FILE'],
    ] as const) {
      if (env[set] && !env[missing]) {
        ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${set} is set (mTLS needs both)` });
      }
    }
    if (env.OVIRT_URL && !env.OVIRT_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['OVIRT_PASSWORD'], message: 'is required when OVIRT_URL is set' });
    }
  });

export type Config = z.infer<typeof EnvSchema>;

/** A configuration variable that failed validation; the message names the variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(issues.map((i) => `${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration. Empty variables count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  return { ...parsed.data, HF_DATA_DIR: path.resolve(parsed.data.HF_DATA_DIR) };
}
