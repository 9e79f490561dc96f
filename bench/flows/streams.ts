// bench:flows, section `streams`: what open event streams ask of Temporal. 20 rapid clones wait on a webhook vendor
// that holds their clone; the Temporal requests per second (every client, counted by the dev server) are measured
// with no stream, one stream per flow, then ten per flow: the goal is that they grow with flows, not with streams.
import { round, type Section } from './report';
import { flowClosed, startStack, temporalRate, type Stack } from './stack';
import { BenchVendor } from './webhook';
import { fillPath } from '../../common/api-path';
import { apiRoutes } from '../../server/api/routes';

const FLOWS = 20;
const STREAMS = 200;

/** Opens the flow's event stream and keeps reading it until aborted. */
function openStream(stack: Stack, id: string, abort: AbortController): Promise<void> {
  return fetch(stack.apiUrl + fillPath(apiRoutes.flowEvents.path, { id }), {
    headers: { authorization: `Bearer ${stack.token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  })
    .then(async (res) => {
      if (res.status !== 200) throw new Error(`event stream of ${id}: ${res.status}`);
      const reader = res.body!.getReader();
      while (!(await reader.read()).done);
    })
    .catch((err: unknown) => {
      if (!abort.signal.aborted) throw err;
    });
}

/** The window is 20 s at scale 1 (at least 5 s). */
export const streams: Section = async ({ temporalAddress, temporalMetricsUrl, scale, log }) => {
  const seconds = Math.max(5, Math.round(20 * Math.min(1, scale)));
  const stack = await startStack({ temporalAddress, vms: FLOWS, log });
  const vendor = new BenchVendor(stack);
  const open: { abort: AbortController; done: Promise<void> }[] = [];
  try {
    await vendor.start();
    vendor.hold.add('cloneDisk');
    const ids: string[] = [];
    for (let n = 0; n < FLOWS; n++) {
      const started = await stack.api('POST', apiRoutes.startRapidClone.path, {
        sourceVm: stack.vm(n),
        cloneName: `stream-${n}`,
        vendor: vendor.id,
      });
      if (started.status !== 202) throw new Error(`rapid clone: ${started.status} ${JSON.stringify(started.body)}`);
      ids.push(started.body.id);
    }
    while (vendor.held.length < FLOWS) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000)); // let the flows settle into waiting
    const rates: Record<string, number> = {};
    for (const target of [0, FLOWS, STREAMS]) {
      while (open.length < target) {
        const abort = new AbortController();
        open.push({ abort, done: openStream(stack, ids[open.length % FLOWS]!, abort) });
      }
      await new Promise((r) => setTimeout(r, 2000)); // each stream's first reads are not the steady state
      log(`streams: ${FLOWS} waiting flows, ${target} open streams, measuring ${seconds} s ...`);
      rates[target] = round(await temporalRate(temporalMetricsUrl, seconds));
    }
    for (const s of open) s.abort.abort();
    await Promise.all(open.map((s) => s.done));
    await vendor.release();
    const failed = (await Promise.all(ids.map((id) => flowClosed(stack, id)))).filter((f) => f.status !== 'completed');
    const figures = {
      temporalRequestsPerSec: rates[STREAMS]!,
      [`with${FLOWS}Streams`]: { temporalRequestsPerSec: rates[FLOWS]! },
      withoutStreams: { temporalRequestsPerSec: rates[0]! },
    };
    return {
      figures,
      title: `streams: Temporal requests/s with ${FLOWS} flows waiting on a vendor, over ${seconds} s`,
      table: {
        header: ['open event streams', 'Temporal requests/s'],
        rows: [0, FLOWS, STREAMS].map((n) => [String(n), String(rates[n])]),
      },
      notes: [
        "Counted by the Temporal dev server (service_requests, every client's calls: API server, worker, vendor).",
        `${failed.length} of ${FLOWS} flows not completed after the vendor released them; vendor errors ${vendor.errors}`,
      ],
    };
  } finally {
    for (const s of open) s.abort.abort();
    await vendor.stop();
    await stack.stop();
  }
};
