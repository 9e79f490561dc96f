// The harness's client of the real API: starts rapid clones with an Idempotency-Key and retries them (same key)
// while the server is down; watches flows through the event stream, reconnecting as a browser would.
import { createParser } from 'eventsource-parser';
import { pollUntil } from '../../common/poll';

export interface FlowDoc {
  id: string;
  status: string;
  error: string | null;
  engineJobId: string | null;
  engineJobIds?: string[];
  steps: unknown[];
}

export class ChaosApi {
  /** Answers other than 202 and network errors seen while starting (the server down, restarting). */
  retries = 0;

  constructor(
    private readonly url: () => string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  /** Starts a rapid clone, retrying with the same key until it gets a 202 or `deadline`; a 4xx is final. */
  async startClone(
    body: { sourceVm: string; cloneName: string; vendor: string },
    key: string,
    deadline: number,
  ): Promise<string> {
    return pollUntil(
      async () => {
        try {
          const res = await fetch(`${this.url()}/api/v1/flows/rapid-clone`, {
            method: 'POST',
            headers: this.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': key }),
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          if (res.status === 202) return (JSON.parse(text) as { id: string }).id;
          if (res.status < 500)
            throw new FinalError(`POST rapid-clone ${body.sourceVm}: ${res.status} ${text.slice(0, 300)}`);
        } catch (err) {
          if (err instanceof FinalError) throw err;
        }
        this.retries++;
        return undefined;
      },
      {
        what: `a 202 to POST rapid-clone ${body.sourceVm}`,
        timeoutMs: deadline - Date.now(),
        intervalMs: 500,
        timeoutError: () => new Error(`POST rapid-clone ${body.sourceVm}: no 202 before the deadline`),
      },
    );
  }

  async getFlow(id: string): Promise<FlowDoc | undefined> {
    try {
      const res = await fetch(`${this.url()}/api/v1/flows/${encodeURIComponent(id)}`, {
        headers: this.headers(),
        signal: AbortSignal.timeout(30_000),
      });
      return res.ok ? ((await res.json()) as FlowDoc) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Requests a cancel; true once the API accepted it (409: the flow had closed already). */
  async cancel(id: string, deadline: number): Promise<boolean> {
    const answer = await pollUntil(
      async () => {
        try {
          const res = await fetch(`${this.url()}/api/v1/flows/${encodeURIComponent(id)}/cancel`, {
            method: 'POST',
            headers: this.headers(),
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status === 202) return 'accepted';
          if (res.status === 409) return 'closed';
        } catch {
          // server down: try again
        }
        return undefined;
      },
      { what: `the cancel of ${id} to be answered`, timeoutMs: deadline - Date.now(), intervalMs: 500 },
    ).catch(() => 'deadline');
    return answer === 'accepted';
  }

  /**
   * Follows the flow's event stream until its final `flow` event, reconnecting after every break; resolves with
   * the final document, or undefined at the deadline.
   */
  async watch(id: string, deadline: number): Promise<FlowDoc | undefined> {
    return pollUntil(
      async () => {
        const final = await this.followOnce(id, deadline).catch(() => undefined);
        if (final) return final;
        const flow = await this.getFlow(id);
        return flow && flow.status !== 'running' ? flow : undefined;
      },
      { what: `flow ${id} to close`, timeoutMs: deadline - Date.now(), intervalMs: 1000 },
    ).catch(() => undefined);
  }

  private async followOnce(id: string, deadline: number): Promise<FlowDoc | undefined> {
    const res = await fetch(`${this.url()}/api/v1/flows/${encodeURIComponent(id)}/events`, {
      headers: this.headers({ Accept: 'text/event-stream' }),
      signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
    });
    if (!res.ok || !res.body) return undefined;
    let final: FlowDoc | undefined;
    const parser = createParser({
      onEvent: (e) => {
        if (e.event === 'flow') final = JSON.parse(e.data) as FlowDoc;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (final) return final;
    }
    return final;
  }
}

class FinalError extends Error {}
