// Server-Sent Events for one flow: a `step` event carrying the whole flow document each time it changes, and a
// final `flow` event once it has closed. Every stream of a flow is fed by the one shared poller of watcher.ts;
// comments keep the connection alive while nothing changes.
import type { Request, Response } from 'express';
import type { FlowService } from './service';
import type { FlowWatcher } from './watcher';

const KEEP_ALIVE_MS = 5000;

export async function streamFlowEvents(
  flows: FlowService,
  watcher: FlowWatcher,
  flowId: string,
  req: Request,
  res: Response,
  draining?: AbortSignal,
): Promise<void> {
  await flows.assertExists(flowId); // 404 before the stream starts
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write(': stream of ' + flowId + '\n\n');
  let ended = false;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    unsubscribe();
    res.end();
  };
  req.on('close', end);
  // The server is shutting down: the stream ends and its client (the CLI, the flow page) reconnects elsewhere.
  if (draining?.aborted) return end();
  draining?.addEventListener('abort', end, { once: true });
  res.on('close', () => draining?.removeEventListener('abort', end));
  const unsubscribe = watcher.subscribe(flowId, (flow) => {
    if (ended) return;
    const data = JSON.stringify(flow);
    if (flow.status === 'running') return void res.write(`event: step\ndata: ${data}\n\n`);
    res.write(`event: flow\ndata: ${data}\n\n`);
    end();
  });
}
