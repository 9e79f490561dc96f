// bench:flows, section `atRest`: many flows waiting on a vendor at once. Rapid clones on a webhook vendor that
// holds their clone: once all wait, the worker's and the API server's resident memory and what the product asks of
// Temporal while nothing moves; then the vendor completes them all and the time until every flow has completed.
import { Client, Connection } from '@temporalio/client';
import { lanes, round, type Section } from './report';
import { startStack, temporalRate } from './stack';
import { BenchVendor } from './webhook';
import { apiRoutes } from '../../server/api/routes';

/** 2,000 x scale flows; the quiet window is 30 s at scale 1 (at least 10 s). */
export const atRest: Section = async ({ temporalAddress, temporalMetricsUrl, scale, log }) => {
  const count = Math.max(10, Math.round(2000 * scale));
  const seconds = Math.max(10, Math.round(30 * Math.min(1, scale)));
  const stack = await startStack({ temporalAddress, vms: count, log });
  const vendor = new BenchVendor(stack);
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  try {
    await vendor.start();
    vendor.hold.add('cloneDisk');
    log(`atRest: starting ${count} rapid clones that the vendor holds ...`);
    const ids: string[] = [];
    let refused = 0;
    await lanes(count, 20, async (n) => {
      const started = await stack.api('POST', apiRoutes.startRapidClone.path, {
        sourceVm: stack.vm(n),
        cloneName: `rest-${n}`,
        vendor: vendor.id,
      });
      if (started.status === 202) ids.push(started.body.id);
      else refused++;
    });
    // Wait until every flow waits on the vendor, or until no more arrive for 30 s: each waiting flow's progress
    // watcher (activities/vendor-progress.ts) holds one of the worker's activity slots, so past the worker's slot
    // count the deliveries queue behind them and never come; then what was reached is reported.
    let last = -1;
    let lastChange = performance.now();
    while (vendor.held.length < ids.length && performance.now() - lastChange < 30_000) {
      await new Promise((r) => setTimeout(r, 1000));
      if (vendor.held.length !== last) [last, lastChange] = [vendor.held.length, performance.now()];
    }
    const waiting = vendor.held.length;
    if (waiting < ids.length) log(`atRest: only ${waiting} of ${ids.length} flows reached the vendor (stalled 30 s)`);
    await new Promise((r) => setTimeout(r, 5000)); // let the flows settle into waiting
    const workerRssMb = round(stack.rssMb(stack.worker));
    const serverRssMb = round(stack.rssMb(stack.server));
    log(`atRest: ${waiting} flows waiting; measuring Temporal requests over ${seconds} s ...`);
    const temporalRequestsPerSec = round(await temporalRate(temporalMetricsUrl, seconds));
    log(`atRest: the vendor completes them all ...`);
    const drainStart = performance.now();
    let failed = 0;
    const released = vendor.release();
    await lanes(ids.length, 50, async (n) => {
      // A flow still running 10 min after the release counts as an error too.
      const left = Math.max(1, 600_000 - (performance.now() - drainStart));
      await client
        .withDeadline(Date.now() + left, () => client.workflow.getHandle(ids[n]!).result())
        .catch(() => failed++);
    });
    await released;
    const drainSec = round((performance.now() - drainStart) / 1000);
    const errors = refused + failed + vendor.errors;
    const figures = { flows: ids.length, waiting, workerRssMb, serverRssMb, temporalRequestsPerSec, drainSec, errors };
    return {
      figures,
      title: `atRest: ${ids.length} rapid clones on a webhook vendor that holds their clone (${waiting} reached it)`,
      table: {
        header: ['worker RSS MB', 'server RSS MB', 'Temporal requests/s at rest', 'drain s', 'errors'],
        rows: [[workerRssMb, serverRssMb, temporalRequestsPerSec, drainSec, errors].map(String)],
      },
      notes: [
        `RSS: VmRSS of the hybridflow worker and server processes. Requests: the dev server's service_requests over ${seconds} s.`,
        `errors: ${refused} starts refused, ${failed} flows not completed, ${vendor.errors} vendor calls failed`,
      ],
    };
  } finally {
    await connection.close();
    await vendor.stop();
    await stack.stop();
  }
};
