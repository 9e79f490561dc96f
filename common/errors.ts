// Walking an error's `cause` chain, written once for the API, the CLI, the oVirt client and the workflows (which is
// why this module imports nothing).

/** The error, then its cause, then the cause's cause... (stops at a loop or after 20). */
export function* causeChain(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e) && seen.size < 20;) {
    seen.add(e);
    yield e;
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
}

/** The innermost error of the chain (the error itself when it has no cause). */
export function rootCause(err: unknown): unknown {
  let last: unknown = err;
  for (const e of causeChain(err)) last = e;
  return last;
}

/** The innermost message of the chain: the one that says what went wrong. */
export function rootMessage(err: unknown): string {
  const root = rootCause(err);
  return root instanceof Error ? root.message : String(root);
}

/** The messages of the chain's errors, outermost first, without repeats. */
export function causeMessages(err: unknown): string[] {
  const messages: string[] = [];
  for (const e of causeChain(err)) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : undefined;
    if (message && !messages.includes(message)) messages.push(message);
  }
  return messages;
}
