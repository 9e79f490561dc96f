// What the main worker adds around workflows and activities: a JSON log line per activity attempt (with the flow id,
// and the engine job id and vendor when the activity has them), the engine step each oVirt step's activity begins and
// ends (activities/step-mirror.ts), the count of ended flows (a sink the workflows' interceptor calls, see
// workflows/interceptors.ts), and, when tracing is on, Temporal's OpenTelemetry interceptors.
import { CompleteAsyncError, type Context } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { causeMessages } from '../common/errors';
import { MIRROR_HEADER, type MirrorRequest } from '../common/step-mirror';
import type { FlowMetricsSinks } from '../common/flow-sinks';
import type { Logger } from '../common/log';
import { flowsEnded } from '../common/metrics';
import type { Tracing } from '../common/tracing';
import type { OvirtClient } from '../ovirt/client';
import { mirrorStepsInActivities } from '../activities/step-mirror';

/**
 * Workflow interceptor modules of the main worker's bundle (a pre-built bundle must be made with them). Ours come
 * first: its outbound interceptor takes the mirror header synchronously (workflows/mirror-header.ts).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];
const OTEL_WORKFLOW_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** The flow's engine job and vendor, when the activity's input or mirror header names them (`jobId`, `vendorId`). */
function flowFields(ctx: Context, args: unknown[], headers: Headers) {
  const mirror = headers[MIRROR_HEADER] && defaultPayloadConverter.fromPayload<MirrorRequest>(headers[MIRROR_HEADER]);
  const input = (
    mirror ? { jobId: mirror.jobId } : typeof args[0] === 'object' && args[0] !== null ? args[0] : {}
  ) as Record<string, unknown>;
  const { info } = ctx;
  return {
    flowId: info.workflowExecution?.workflowId,
    activity: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
    ...(typeof input.jobId === 'string' ? { engineJobId: input.jobId } : {}),
    ...(typeof input.vendorId === 'string' ? { vendor: input.vendorId } : {}),
  };
}

/** One line per activity attempt: `activity completed` (info), `activity failed` (warn), with its duration. */
const activityLog =
  (log: Logger): ActivityInterceptorsFactory =>
  (ctx) => ({
    inbound: {
      async execute(input, next) {
        const fields = flowFields(ctx, input.args, input.headers);
        const started = Date.now();
        try {
          const result = await next(input);
          log.info({ ...fields, durationMs: Date.now() - started }, 'activity completed');
          return result;
        } catch (err) {
          if (err instanceof CompleteAsyncError) {
            // A webhook delivery (the vendor completes it) or a progress watcher (its loop goes on in the background).
            log.info({ ...fields, durationMs: Date.now() - started }, 'activity completes asynchronously');
          } else {
            const error = causeMessages(err).join(': ');
            log.warn({ ...fields, durationMs: Date.now() - started, error }, 'activity failed');
          }
          throw err;
        }
      },
    },
  });

/** The interceptors and sinks of the main worker. */
export function mainWorkerInterceptors(opts: {
  log: Logger;
  tracing?: Tracing;
  prebuiltBundle: boolean;
  /** The engine the flows mirror their steps into (each oVirt step's activity begins and ends its own). */
  ovirt: OvirtClient;
}): {
  interceptors: WorkerInterceptors;
  sinks: InjectedSinks<FlowMetricsSinks> & Record<string, unknown>;
} {
  const { log, tracing } = opts;
  const activity: ActivityInterceptorsFactory[] = [activityLog(log), mirrorStepsInActivities(opts.ovirt)];
  if (tracing) {
    activity.unshift((ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }));
  }
  const workflowModules = [...WORKFLOW_INTERCEPTOR_MODULES, ...(tracing ? [OTEL_WORKFLOW_MODULE] : [])];
  return {
    // A pre-built bundle already holds its workflow interceptors (the SDK ignores these then, with a warning).
    interceptors: { activity, ...(opts.prebuiltBundle ? {} : { workflowModules }) },
    sinks: {
      flowMetrics: {
        flowEnded: {
          fn: (info, kind, outcome) => {
            flowsEnded.inc({ kind, outcome });
            log[outcome === 'completed' ? 'info' : 'warn']({ flowId: info.workflowId, kind, outcome }, 'flow ended');
          },
          callDuringReplay: false,
        },
      },
      ...(tracing ? { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : {}),
    },
  };
}
