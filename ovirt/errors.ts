// Typed errors of the oVirt REST client. `retryable` decides whether Temporal retries the activity:
// bad requests and missing things will not get better by asking again; conflicts, outages and timeouts may.

/** Any failed oVirt call; `status` is 0 for network errors and timeouts. */
export class OvirtError extends Error {
  readonly retryable: boolean = true;
  constructor(
    message: string,
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 400: the engine rejected the parameters. Not retried. */
export class OvirtBadRequestError extends OvirtError {
  override readonly retryable = false;
}
/** 401 after re-authenticating, or 403: credentials or permissions are wrong. Not retried. */
export class OvirtAuthError extends OvirtError {
  override readonly retryable = false;
}
/** 404: the entity does not exist. Not retried. */
export class OvirtNotFoundError extends OvirtError {
  override readonly retryable = false;
}
/** 409: e.g. "VM is not down" or "disks are locked"; retried with backoff, since it usually clears. */
export class OvirtConflictError extends OvirtError {}
/** 5xx, network errors and timeouts: retried. */
export class OvirtUnavailableError extends OvirtError {}

export function errorForStatus(status: number): typeof OvirtError {
  if (status === 400) return OvirtBadRequestError;
  if (status === 401 || status === 403) return OvirtAuthError;
  if (status === 404) return OvirtNotFoundError;
  if (status === 409) return OvirtConflictError;
  if (status >= 500 || status === 0 || status === 429) return OvirtUnavailableError;
  return OvirtBadRequestError;
}

/**
 * The failures of oVirt activities that no retry can mend, by type name, for the workflows' `nonRetryableErrorTypes`:
 * the non-retryable errors above, and createVm's refusal of a name another VM has (`VmNameTaken`).
 */
export const FINAL_OVIRT_ERRORS = ['OvirtBadRequestError', 'OvirtNotFoundError', 'OvirtAuthError', 'VmNameTaken'];
