// What hybridflow's orchestration costs next to bare Temporal, measured side by side in one run. A benchmark, not a
// test: `npm run bench:flows [-- --json FILE] [--scale X] [--only SECTION]...`. It starts what it needs on free ports
// (a Temporal dev server shared by the sections; each section starts the rest), prints a table per section and stops
// it all. Sections (bench/flows/*.ts): mirroring, rapidClone, streams, handoff, atRest.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { freePort } from '../cli/stack/ports';
import { startDevServer } from '../cli/stack/temporal-server';
import { installRuntime } from '../cli/stack/temporal-runtime';
import { atRest } from './flows/at-rest';
import { handoff } from './flows/handoff';
import { mirroring } from './flows/mirroring';
import { rapidClone } from './flows/rapid-clone';
import { streams } from './flows/streams';
import { printReport, type Section } from './flows/report';

const SECTIONS: Record<string, Section> = {
  mirroring,
  rapidClone,
  streams,
  handoff,
  atRest,
};

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    scale: { type: 'string', default: '1' },
    only: { type: 'string', multiple: true },
  },
});

async function main(): Promise<void> {
  const chosen = args.only ?? Object.keys(SECTIONS);
  const unknown = chosen.filter((name) => !SECTIONS[name]);
  if (unknown.length)
    throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  const scale = Number(args.scale);
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  installRuntime('ERROR');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log('Starting a Temporal dev server ...');
  const metricsPort = await freePort();
  const temporal = await startDevServer({ port: await freePort(), metricsPort, log: () => undefined });
  const temporalMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const cpu = os.cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const figures: Record<string, unknown> = { machine, scale };
  try {
    console.log(`machine: ${machine}; scale ${scale}`);
    for (const name of chosen) {
      const report = await SECTIONS[name]!({ temporalAddress: temporal.address, temporalMetricsUrl, scale, log });
      figures[name] = report.figures;
      printReport(report);
    }
  } finally {
    await temporal.stop();
  }
  if (args.json) {
    fs.writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`\nfigures written to ${args.json}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
