// Calls of standalone external tasks through the real API (a vendor's key or the operator's token), each answer
// with how long it took, and the engine's view of a task's job, for the tests of test/external-tasks.
import type { OvirtClient } from '../../ovirt/client';
import { collection, Job, Step } from '../../ovirt/representation';

export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** How long the call took, in ms. */
  ms: number;
}

/** One API call with a bearer token (a vendor's key or the operator's token). */
export async function callApi(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const started = performance.now();
  const res = await fetch(apiUrl + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

/** The vendor API's task calls with one vendor key. */
export function externalTaskClient(apiUrl: string, key: string) {
  const call = (method: string, path: string, body?: unknown) => callApi(apiUrl, key, method, path, body);
  const job = (id: string) => `/api/v1/vendor/jobs/${id}`;
  return {
    call,
    create: (body: { description: string; correlationId?: string; timeoutSeconds?: number }) =>
      call('POST', '/api/v1/vendor/jobs', body),
    get: (id: string) => call('GET', job(id)),
    list: (query = '') => call('GET', `/api/v1/vendor/jobs${query}`),
    addStep: (id: string, body: { description: string; parentStepId?: string; type?: string; key?: string }) =>
      call('POST', `${job(id)}/steps`, body),
    progress: (id: string, stepId: string, progress: number) =>
      call('POST', `${job(id)}/steps/${stepId}/progress`, { progress }),
    endStep: (id: string, stepId: string, succeeded = true) =>
      call('POST', `${job(id)}/steps/${stepId}/end`, { succeeded }),
    end: (id: string, succeeded = true, reason?: string) =>
      call('POST', `${job(id)}/end`, reason === undefined ? { succeeded } : { succeeded, reason }),
  };
}
export type ExternalTaskClient = ReturnType<typeof externalTaskClient>;

/** The engine's job. */
export const engineJob = (ovirt: OvirtClient, jobId: string) => ovirt.get(`/jobs/${jobId}`, Job);

/** Every step of the engine's job (nested ones too). */
export const engineSteps = (ovirt: OvirtClient, jobId: string) =>
  ovirt.get(`/jobs/${jobId}/steps`, collection('step', Step));
