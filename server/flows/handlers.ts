// What the flow routes of the API (declared in ../api/routes.ts) do: a start route runs its kind's checks (the
// catalogue's `prepare`), looks up a repeated Idempotency-Key, then starts through the flow service; the event
// stream is written by events.ts.
import { ANSWERED, type Handler, type Handlers } from '../api/router';
import { apiRoutes, type ApiRoutes } from '../api/routes';
import { flowCatalogue, inputJsonSchema, startRouteName, type StartRouteName } from './catalogue';
import { streamFlowEvents } from './events';
import type { FlowKindDef, PrepareDeps } from './flow-kind';
import { requestFingerprint } from './idempotency';
import type { FlowKind } from './schemas';
import type { FlowService } from './service';
import type { FlowWatcher } from './watcher';

export interface FlowHandlerDeps extends PrepareDeps {
  flows: FlowService;
  watcher: FlowWatcher;
  /** Aborted as the server shuts down: open event streams end, so their clients reconnect to another server. */
  draining?: AbortSignal;
}

type FlowRoute = StartRouteName | 'listFlowKinds' | 'listFlows' | 'getFlow' | 'cancelFlow' | 'flowEvents';

export function flowHandlers({ flows, watcher, inventory, vendors, draining }: FlowHandlerDeps): Handlers<FlowRoute> {
  /** Starts a flow of this kind, or finds the one an earlier request with the same Idempotency-Key started. */
  async function startFlow(kind: FlowKindDef<FlowKind>, body: unknown, key: string | undefined) {
    const prepared = await kind.prepare(body, { inventory, vendors });
    const idem = key ? { key, fingerprint: requestFingerprint(kind.name, prepared.sameRequest) } : undefined;
    const existing = idem ? await flows.findStarted(kind.name, idem) : undefined;
    if (existing) return existing;
    await prepared.beforeStart?.();
    return flows.start(kind, prepared, body as object, idem);
  }
  const startHandlers = Object.fromEntries(
    flowCatalogue.map((kind): [StartRouteName, Handler<ApiRoutes[StartRouteName]>] => [
      startRouteName(kind.name),
      ({ body, headers }) => startFlow(kind as FlowKindDef<FlowKind>, body, headers['Idempotency-Key']),
    ]),
  ) as Handlers<StartRouteName>;
  const kinds = {
    items: flowCatalogue.map((kind) => ({
      name: kind.name,
      description: kind.description,
      inputSchema: inputJsonSchema(kind),
      links: { start: apiRoutes[startRouteName(kind.name)].path },
    })),
  };

  return {
    ...startHandlers,
    listFlowKinds: () => kinds,
    listFlows: ({ query }) => flows.listFlows(query),
    getFlow: ({ params }) => flows.getFlow(params.id),
    cancelFlow: ({ params }) => flows.cancel(params.id),
    async flowEvents({ params }, { req, res }): Promise<typeof ANSWERED> {
      await streamFlowEvents(flows, watcher, params.id, req, res, draining);
      return ANSWERED;
    },
  };
}
