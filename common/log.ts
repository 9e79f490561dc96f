// Structured logs: one JSON object a line on stdout (pino), each with the component that wrote it and, where they
// apply, the flow id (`flowId`), the engine job id (`engineJobId`) and the vendor (`vendor`). Secrets never reach a
// line: the fields below are replaced by "[redacted]" wherever they appear at the top or one level down.
// Banner lines ("Worker: polling ...") and CLI output are for people and stay plain text.
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import pino, { type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const SECRET_FIELDS = [
  'password',
  'token',
  'apiKey',
  'apiToken',
  'accessToken',
  'access_token',
  'secret',
  'webhookSecret',
  'serverKey',
  'authorization',
  'cookie',
];

/** Paths pino replaces by "[redacted]": each secret field at the top, one level down, and request headers. */
export const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-hybridflow-signature"]',
];

export interface LoggerOptions {
  /** HF_LOG_LEVEL. @default 'info' */
  level?: LogLevel;
  /** Where lines go. @default stdout */
  destination?: pino.DestinationStream;
}

/** The logger of one component (`server`, `worker`, `vendor-demo`, `engine`, ...). */
export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { component, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const PINO_LEVEL: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's own logger (Runtime.install({ logger })) writing through pino; the workflow id the SDK adds to
 * workflow and activity lines is the flow id.
 */
export function temporalLogger(log: Logger): TemporalLogger {
  const write = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    const workflowId = meta?.workflowId;
    log[PINO_LEVEL[level]]({ ...meta, ...(typeof workflowId === 'string' ? { flowId: workflowId } : {}) }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
