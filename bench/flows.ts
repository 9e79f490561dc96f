// What hybridflow's orchestration costs next to bare Temporal, measured side by side in one run. A benchmark, not a
// test: `npm run bench:flows [-- --json FILE] [--scale X]`. It starts what it needs on free ports (a Temporal dev
// server, the built-in engine in a child process, a worker in this process), prints a table, stops it all.
//   mirroring: one flow of six activities that do no work, run (A) as a bare workflow and (B) with each activity
//   mirrored as a step of one engine job (workflows/mirrored-job.ts), at concurrency 1, 20 and 100; throughput,
//   latency percentiles and history events per flow.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createEngineJobActivities } from '../activities/engine-job';
import { freePort } from '../cli/stack/ports';
import { startDevServer } from '../cli/stack/temporal-server';
import { installRuntime } from '../cli/stack/temporal-runtime';
import { OvirtClient } from '../ovirt/client';
import { benchActivities } from './flows/activities';
import { startEngineProcess } from './engine-child';
import type { bareFlow, mirroredFlow } from './flows/workflows';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    // Flows per measurement = scale x (20 at concurrency 1, 200 at 20, 500 at 100).
    scale: { type: 'string', default: '1' },
  },
});
const SCALE = Number(args.scale);
const STEPS = 6;
const CONCURRENCY = [1, 20, 100] as const;
const PASSWORD = 'bench-password-0123456789';
const TASK_QUEUE = 'bench-flows';

type Kind = 'bare' | 'mirrored';
interface Figures {
  flowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Runs `count` flows of `kind`, at most `concurrency` at once; figures from the first start to the last end. */
async function measure(client: Client, kind: Kind, concurrency: number, count: number): Promise<Figures> {
  const workflow = (kind === 'bare' ? 'bareFlow' : 'mirroredFlow') as unknown as typeof bareFlow | typeof mirroredFlow;
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const n = next++;
      const t0 = performance.now();
      await client.workflow.execute(workflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `bench-${kind}-c${concurrency}-${n}-${Date.now()}`,
        args: [STEPS],
      });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    flowsPerSec: round(count / seconds, 2),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

async function historyEvents(client: Client, kind: Kind): Promise<number> {
  const handle = await client.workflow.start(kind === 'bare' ? 'bareFlow' : 'mirroredFlow', {
    taskQueue: TASK_QUEUE,
    workflowId: `bench-${kind}-history-${Date.now()}`,
    args: [STEPS],
  });
  await handle.result();
  return (await handle.fetchHistory()).events?.length ?? 0;
}

async function main(): Promise<void> {
  installRuntime('ERROR');
  const port = await freePort();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log('Starting a Temporal dev server and the built-in engine ...');
  const temporal = await startDevServer({ port, log: () => undefined });
  const engine = await startEngineProcess(PASSWORD);
  const ovirt = new OvirtClient({ url: `${engine.url}/ovirt-engine/api`, password: PASSWORD });
  const native = await NativeConnection.connect({ address: temporal.address });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const worker = await Worker.create({
    connection: native,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./flows/workflows'),
    activities: { ...createEngineJobActivities(ovirt), ...benchActivities },
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 200,
    maxCachedWorkflows: 1000,
  });
  const running = worker.run();
  try {
    // Warm up both paths (bundle loaded, connections open, the engine's first writes).
    for (const kind of ['bare', 'mirrored'] as const) await measure(client, kind, 5, 10);
    const mirroring: Record<string, unknown> = {};
    const rows: string[][] = [];
    for (const c of CONCURRENCY) {
      const count = Math.max(c, Math.round(SCALE * (c === 1 ? 20 : c === 20 ? 200 : 500)));
      const bare = await measure(client, 'bare', c, count);
      const mirrored = await measure(client, 'mirrored', c, count);
      const ratio = round(mirrored.flowsPerSec / bare.flowsPerSec, 2);
      mirroring[`c${c}`] = { bare, mirrored, throughputRatio: ratio, count };
      rows.push([
        `c${c}`,
        String(count),
        `${bare.flowsPerSec}`,
        `${mirrored.flowsPerSec}`,
        `${ratio}x`,
        `${bare.p50Ms} / ${bare.p99Ms}`,
        `${mirrored.p50Ms} / ${mirrored.p99Ms}`,
      ]);
      log(`  c${c} done`);
    }
    const history = { bare: await historyEvents(client, 'bare'), mirrored: await historyEvents(client, 'mirrored') };
    mirroring.historyEvents = history;

    const cpu = os.cpus();
    const machine = `${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
    console.log(
      `\nmirroring: ${STEPS} no-op activities per flow, bare vs mirrored into the built-in engine (${machine})`,
    );
    const header = ['', 'flows', 'bare flows/s', 'mirrored flows/s', 'ratio', 'bare p50/p99 ms', 'mirrored p50/p99 ms'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
    console.log(
      `history events per flow: bare ${history.bare}, mirrored ${history.mirrored} (${round(history.mirrored / history.bare, 2)}x)`,
    );
    if (args.json) {
      fs.writeFileSync(args.json, `${JSON.stringify({ machine, mirroring }, null, 2)}\n`);
      console.log(`figures written to ${args.json}`);
    }
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await ovirt.close();
    await engine.stop();
    await temporal.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
