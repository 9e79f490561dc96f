// One poller per watched flow, shared by every event stream of it: however many pages follow a flow, the server
// reads it once per interval. A loop runs while its flow has subscribers and stops when the flow closes or the last
// subscriber leaves; a new subscriber gets the latest document at once.
import type { FlowService } from './service';

export type FlowDocument = Awaited<ReturnType<FlowService['getFlow']>>;
export type FlowListener = (flow: FlowDocument) => void;

export interface FlowWatcherOptions {
  /** Pause between two reads of a flow, in ms. @default 1000 */
  pollMs?: number;
}

interface Watched {
  listeners: Set<FlowListener>;
  latest?: FlowDocument;
}

export function createFlowWatcher(flows: Pick<FlowService, 'getFlow'>, options: FlowWatcherOptions = {}) {
  const pollMs = options.pollMs ?? 1000;
  const watched = new Map<string, Watched>();
  let reads = 0;

  async function loop(id: string, entry: Watched): Promise<void> {
    let last = '';
    while (entry.listeners.size > 0) {
      try {
        reads++;
        const flow = await flows.getFlow(id);
        const data = JSON.stringify(flow);
        if (data !== last) {
          last = data;
          entry.latest = flow;
          for (const listener of [...entry.listeners]) listener(flow);
        }
        if (flow.status !== 'running') break;
      } catch {
        // Temporal briefly unreachable (or the flow gone): keep the subscribers and try again.
      }
      if (entry.listeners.size === 0) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    if (watched.get(id) === entry) watched.delete(id);
  }

  return {
    /**
     * Calls `listener` with each new document of the flow (the latest known at once, if any), until the returned
     * function is called. After the document of a closed flow no more calls come.
     */
    subscribe(id: string, listener: FlowListener): () => void {
      const existing = watched.get(id);
      const entry = existing ?? { listeners: new Set<FlowListener>() };
      if (!existing) {
        watched.set(id, entry);
        entry.listeners.add(listener);
        void loop(id, entry);
      } else {
        entry.listeners.add(listener);
        const { latest } = entry;
        // Never during subscribe(), so the caller holds its unsubscribe function by the first call.
        if (latest) queueMicrotask(() => entry.listeners.has(listener) && listener(latest));
      }
      return () => void entry.listeners.delete(listener);
    },

    /** What runs now, for tests and diagnostics: poll loops, their subscribers, reads made since the start. */
    stats() {
      return {
        loops: watched.size,
        subscribers: [...watched.values()].reduce((n, w) => n + w.listeners.size, 0),
        reads,
      };
    },
  };
}

export type FlowWatcher = ReturnType<typeof createFlowWatcher>;
