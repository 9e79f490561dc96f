// bench:flows, section `rapidClone`: real rapid clones through the API (server, worker, built-in engine and demo
// vendor as hybridflow processes) with the engine's transitions and the vendor's clone time at zero, so what is
// left is hybridflow's own orchestration: clones per second at concurrency 50, and where each flow's time goes.
import { lanes, percentile, round, type Section } from './report';
import { flowClosed, startStack, type Stack } from './stack';
import { apiRoutes } from '../../server/api/routes';

const CONCURRENCY = 50;

interface FlowStep {
  description: string;
  startedAt?: string;
  endedAt?: string;
}

/** The step's kind: its description without the names of this flow's VMs, disks and clone. */
const kindOf = (description: string) =>
  description
    .replace(/vm-\d{4}_Disk1/g, '<disk>')
    .replace(/clone-\d{4}\S*/g, '<clone>')
    .replace(/vm-\d{4}/g, '<vm>');

async function cloneOne(stack: Stack, n: number, run: string) {
  const started = await stack.api('POST', apiRoutes.startRapidClone.path, {
    sourceVm: stack.vm(n),
    cloneName: `clone-${String(n + 1).padStart(4, '0')}-${run}`,
  });
  if (started.status !== 202) throw new Error(`rapid clone ${n}: ${started.status} ${JSON.stringify(started.body)}`);
  return flowClosed(stack, started.body.id as string);
}

/** 50 x scale clones (at least 50, so that 50 run at once). */
export const rapidClone: Section = async ({ temporalAddress, scale, log }) => {
  const count = Math.max(CONCURRENCY, Math.round(50 * scale));
  const stack = await startStack({ temporalAddress, vms: count + 1, vendorDemo: true, log });
  try {
    // One clone first: the processes' first flow pays for their warm-up (workflow bundle, connections).
    await cloneOne(stack, count, 'warm');
    log(`rapidClone: ${count} clones, ${CONCURRENCY} at once ...`);
    const latencies: number[] = [];
    const byKind = new Map<string, number>();
    let failed = 0;
    const t0 = performance.now();
    await lanes(count, CONCURRENCY, async (n) => {
      const s = performance.now();
      const flow = (await cloneOne(stack, n, 'c50')) as { status: string; steps?: FlowStep[] };
      latencies.push(performance.now() - s);
      if (flow.status !== 'completed') failed++;
      for (const step of flow.steps ?? []) {
        if (!step.startedAt || !step.endedAt) continue;
        const ms = Date.parse(step.endedAt) - Date.parse(step.startedAt);
        byKind.set(kindOf(step.description), (byKind.get(kindOf(step.description)) ?? 0) + ms);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const total = [...byKind.values()].reduce((a, b) => a + b, 0) || 1;
    const stepShare = Object.fromEntries(
      [...byKind].sort((a, b) => b[1] - a[1]).map(([kind, ms]) => [kind, round(ms / total, 3)]),
    );
    const c50 = {
      clonesPerSec: round(count / seconds, 2),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      failed,
      stepShare,
    };
    return {
      figures: { c50 },
      title: `rapidClone: ${count} rapid clones through the API, ${CONCURRENCY} at once (engine and vendor delays 0)`,
      table: {
        header: ['step', 'share of step time', 'ms per clone'],
        rows: [...byKind]
          .sort((a, b) => b[1] - a[1])
          .map(([kind, ms]) => [kind, String(round(ms / total, 3)), String(round(ms / count))]),
      },
      notes: [
        `${c50.clonesPerSec} clones/s; per clone p50 ${c50.p50Ms} ms, p99 ${c50.p99Ms} ms; ${failed} not completed`,
        'Shares: each step of the flow document (the engine job) from its start to its end, summed over the clones.',
      ],
    };
  } finally {
    await stack.stop();
  }
};
