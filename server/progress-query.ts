// A running workflow's `progress` query (its step tree), asked within a bound: a query needs a worker, which may be
// down, and no API call waits on one. Flows and standalone external tasks both read their trees this way.
import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import { progressQuery, type FlowProgress } from '../common/flow-definitions';

/**
 * The step tree; `no-answer` when no worker answered within `boundMs`; undefined when the query was refused (the
 * workflow has not run its first task yet, or is gone).
 */
export async function queryProgress(
  client: Client,
  workflowId: string,
  boundMs: number,
): Promise<FlowProgress | 'no-answer' | undefined> {
  const started = Date.now();
  try {
    return await client.withDeadline(started + boundMs, () =>
      client.workflow.getHandle(workflowId).query(progressQuery),
    );
  } catch (err) {
    // A query cut at its deadline may also come back as CANCELLED: the time taken tells.
    return isGrpcDeadlineError(err) || Date.now() - started >= boundMs - 20 ? 'no-answer' : undefined;
  }
}
