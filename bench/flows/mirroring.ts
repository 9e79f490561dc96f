// bench:flows, section `mirroring`: one flow of six activities that do no work, run (A) as a bare workflow and (B)
// with each activity mirrored as a step of one engine job (workflows/mirrored-job.ts), on the same Temporal dev
// server in the same run, at concurrency 1, 20 and 100: throughput, latency percentiles, history events per flow.
// The mirrored flow is the product's own: MirroredJob, with each activity beginning and ending its engine step
// (activities/step-mirror.ts), on a worker with the main worker's mirroring interceptors.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { OvirtClient } from '../../ovirt/client';
import { startEngineProcess } from '../engine-child';
import { engineMirroring } from '../../worker/engine-mirror';
import { createBenchActivities } from './activities';
import { lanes, percentile, round, type Section } from './report';

const STEPS = 6;
const CONCURRENCY = [1, 20, 100] as const;
const PASSWORD = 'bench-password-0123456789';
const TASK_QUEUE = 'bench-mirroring';

/** Each kind of flow and its workflow (bench/flows/workflows.ts). */
const WORKFLOWS = { bare: 'bareFlow', mirrored: 'mirroredFlow' } as const;
type Kind = keyof typeof WORKFLOWS;
interface Figures {
  flowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `count` flows of `kind`, at most `concurrency` at once; figures from the first start to the last end. */
async function measure(client: Client, kind: Kind, concurrency: number, count: number): Promise<Figures> {
  const latencies: number[] = [];
  const started = performance.now();
  await lanes(count, concurrency, async (n) => {
    const t0 = performance.now();
    await client.workflow.execute(WORKFLOWS[kind], {
      taskQueue: TASK_QUEUE,
      workflowId: `bench-${kind}-c${concurrency}-${n}-${Date.now()}`,
      args: [STEPS],
    });
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    flowsPerSec: round(count / seconds, 2),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

async function historyEvents(client: Client, kind: Kind): Promise<number> {
  const handle = await client.workflow.start(WORKFLOWS[kind], {
    taskQueue: TASK_QUEUE,
    workflowId: `bench-${kind}-history-${Date.now()}`,
    args: [STEPS],
  });
  await handle.result();
  return (await handle.fetchHistory()).events?.length ?? 0;
}

/** Flows per measurement = scale x (20 at concurrency 1, 200 at 20, 500 at 100). */
export const mirroring: Section = async ({ temporalAddress, scale, log }) => {
  const engine = await startEngineProcess(PASSWORD);
  const ovirt = new OvirtClient({ url: `${engine.url}/ovirt-engine/api`, password: PASSWORD });
  const mirror = engineMirroring(ovirt);
  const native = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const worker = await Worker.create({
    connection: native,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: { ...mirror.activities, ...createBenchActivities() },
    interceptors: mirror.interceptors,
    sinks: { flowMetrics: { flowEnded: { fn: () => undefined } } }, // the interceptors count ended flows; not here
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 200,
    maxCachedWorkflows: 1000,
  });
  const running = worker.run();
  try {
    // Warm up both paths (bundle loaded, connections open, the engine's first writes).
    for (const kind of Object.keys(WORKFLOWS) as Kind[]) await measure(client, kind, 5, 10);
    const figures: Record<string, unknown> = {};
    const rows: string[][] = [];
    for (const c of CONCURRENCY) {
      const count = Math.max(c, Math.round(scale * (c === 1 ? 20 : c === 20 ? 200 : 500)));
      const bare = await measure(client, 'bare', c, count);
      const ratioTo = (f: Figures) => round(f.flowsPerSec / bare.flowsPerSec, 2);
      const row = (name: string, f: Figures) => [
        `c${c}`,
        name,
        String(count),
        `${f.flowsPerSec}`,
        `${ratioTo(f)}x`,
        `${f.p50Ms} / ${f.p99Ms}`,
      ];
      const mirrored = await measure(client, 'mirrored', c, count);
      figures[`c${c}`] = { bare, mirrored, throughputRatio: ratioTo(mirrored), flows: count };
      rows.push(row('bare', bare), row('mirrored', mirrored));
      log(`mirroring: c${c} done`);
    }
    const history = { bare: await historyEvents(client, 'bare'), mirrored: await historyEvents(client, 'mirrored') };
    figures.historyEvents = history;
    return {
      figures,
      title: `mirroring: ${STEPS} no-op activities per flow, bare vs mirrored into the built-in engine`,
      table: {
        header: ['', 'flow', 'flows', 'flows/s', 'vs bare', 'p50 / p99 ms'],
        rows,
      },
      notes: [
        `history events per flow: bare ${history.bare}, mirrored ${history.mirrored} (${round(history.mirrored / history.bare, 2)}x)`,
      ],
    };
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await ovirt.close();
    await engine.stop();
  }
};
