// The sink through which workflow code reports a flow's end to the worker process (workflows cannot reach
// prom-client): called once, outside replay, when a flow completes, fails or is cancelled (not on continue-as-new).
import type { Sinks } from '@temporalio/workflow';

export type FlowOutcome = 'completed' | 'failed' | 'cancelled';

export interface FlowMetricsSinks extends Sinks {
  flowMetrics: {
    flowEnded(kind: string, outcome: FlowOutcome): void;
  };
}
