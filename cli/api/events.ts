// Following a flow to its end: the reader of its server-sent events, and the loop that reconnects when the stream
// breaks and falls back to polling when the server offers none (kept apart from the plain HTTP calls in client.ts).
import { createParser } from 'eventsource-parser';
import type { FlowDocument } from './client';
import { ApiAuthError, ApiError, ApiProblemError, ApiUnexpectedAnswerError, ApiUnreachableError } from './errors';

/** What the watcher needs of the API client. */
export interface FlowFeed {
  /** Opens the flow's event stream: the answer (its status already checked) and the request, for messages. */
  openEvents(id: string, signal: AbortSignal): Promise<{ response: Response; request: string }>;
  /** An event's flow document checked against the API's schema (ApiUnexpectedAnswerError otherwise). */
  readFlow(value: unknown, request: string): FlowDocument;
  getFlow(id: string): Promise<FlowDocument>;
}

export interface WatchOptions {
  /** Pause between polls when watching without an event stream. */
  pollIntervalMs: number;
  /** How long a watch keeps retrying while the server is unreachable. */
  reconnectForMs: number;
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** One connection to the flow's event stream; resolves with the closed flow, or undefined if the stream ended early. */
async function streamOnce(
  feed: FlowFeed,
  id: string,
  onUpdate: (flow: FlowDocument) => void,
  outer: AbortSignal,
): Promise<FlowDocument | undefined> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  outer.addEventListener('abort', abort, { once: true });
  try {
    const { response: res, request } = await feed.openEvents(id, controller.signal);
    if (!res.headers.get('content-type')?.includes('text/event-stream') || !res.body) {
      await res.body?.cancel();
      throw new ApiUnexpectedAnswerError(`The API answered ${request} without an event stream.`);
    }
    let final: FlowDocument | undefined;
    let failure: Error | undefined;
    const parser = createParser({
      onEvent(event) {
        if (final || failure || (event.event !== 'step' && event.event !== 'flow')) return;
        try {
          const flow = feed.readFlow(JSON.parse(event.data), request);
          onUpdate(flow);
          if (event.event === 'flow' || flow.status !== 'running') final = flow;
        } catch (err) {
          failure =
            err instanceof ApiError
              ? err
              : new ApiUnexpectedAnswerError(`The API sent an unreadable event on ${request}.`);
        }
      },
    });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        if (final || failure) break;
      }
    } catch {
      // the stream broke: the caller decides whether to reconnect
    } finally {
      controller.abort();
    }
    if (failure) throw failure;
    return final;
  } finally {
    outer.removeEventListener('abort', abort);
  }
}

/**
 * Follows a flow until it closes, calling `onUpdate` with each new document: over the event stream, reconnecting
 * when it breaks, and polling GET once a second when the server offers no stream. A server that stays
 * unreachable for `reconnectForMs` ends the watch with ApiUnreachableError; so do 401 and 404.
 */
export async function watchFlow(
  feed: FlowFeed,
  id: string,
  onUpdate: (flow: FlowDocument) => void,
  { pollIntervalMs, reconnectForMs, signal }: WatchOptions,
): Promise<FlowDocument> {
  let useStream = true;
  let streamFailures = 0;
  let unreachableSince: number | undefined;
  for (;;) {
    if (signal.aborted) throw new ApiError('Stopped watching.');
    if (useStream) {
      let delivered = false;
      try {
        const final = await streamOnce(feed, id, (flow) => ((delivered = true), onUpdate(flow)), signal);
        if (final) return final;
      } catch (err) {
        if (err instanceof ApiAuthError || err instanceof ApiUnexpectedAnswerError) throw err;
        // A server without the stream (404/405/406/501): poll instead, for good.
        if (err instanceof ApiProblemError && [404, 405, 406, 501].includes(err.status)) useStream = false;
      }
      streamFailures = delivered ? 0 : streamFailures + 1;
      if (streamFailures >= 3) useStream = false;
    }
    // Between streams, and while polling: the document itself (404 for an unknown flow ends the watch here).
    try {
      const flow = await feed.getFlow(id);
      unreachableSince = undefined;
      onUpdate(flow);
      if (flow.status !== 'running') return flow;
    } catch (err) {
      if (!(err instanceof ApiUnreachableError)) throw err;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > reconnectForMs) throw err;
    }
    await sleep(pollIntervalMs, signal);
  }
}
