// Server-Sent Events for one flow: a `step` event carrying the whole flow document each time it changes, and a
// final `flow` event once it has closed.
import type { RequestHandler } from 'express';
import type { FlowService } from './service';

const POLL_MS = 1000;

export function flowEvents(flows: FlowService, id: () => string): RequestHandler {
  return async (req, res) => {
    const flowId = id();
    let flow = await flows.getFlow(flowId); // 404 before the stream starts
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    let open = true;
    req.on('close', () => (open = false));
    let last = '';
    while (open) {
      const data = JSON.stringify(flow);
      if (flow.status !== 'running') {
        res.write(`event: flow\ndata: ${data}\n\n`);
        break;
      }
      if (data !== last) res.write(`event: step\ndata: ${data}\n\n`);
      else res.write(': keep-alive\n\n');
      last = data;
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!open) break;
      try {
        flow = await flows.getFlow(flowId);
      } catch {
        // Temporal briefly unreachable: keep the stream and try again.
      }
    }
    res.end();
  };
}
