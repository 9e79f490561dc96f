// Workflow interceptors (bundled with the workflows, see worker/interceptors.ts): each flow's end is reported to the
// worker through a sink, which counts it (hybridflow_flows_ended_total). The sink is not called during replay, so a
// flow replayed on another worker is not counted twice. Mirrored steps' activities get their header (mirror-header.ts).
import {
  ContinueAsNew,
  isCancellation,
  proxySinks,
  TemporalFailure,
  workflowInfo,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import type { FlowMetricsSinks } from '../common/flow-sinks';
import { FlowKind } from '../common/search-attributes';
import { mirrorHeader } from './mirror-header';

const { flowMetrics } = proxySinks<FlowMetricsSinks>();

const kind = () => workflowInfo().typedSearchAttributes.get(FlowKind) ?? workflowInfo().workflowType;

const flowEnd: WorkflowInboundCallsInterceptor = {
  async execute(input, next) {
    try {
      const result = await next(input);
      flowMetrics.flowEnded(kind(), 'completed');
      return result;
    } catch (err) {
      // Only a TemporalFailure ends the flow; any other error fails the workflow task, which Temporal retries.
      if (isCancellation(err)) flowMetrics.flowEnded(kind(), 'cancelled');
      else if (err instanceof TemporalFailure && !(err instanceof ContinueAsNew))
        flowMetrics.flowEnded(kind(), 'failed');
      throw err;
    }
  },
};

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [flowEnd], outbound: [mirrorHeader] });
