// The chaos run: one stack of real processes, the chosen scenarios one after the other (each on source VMs of its
// own), then the report. Used by `npm run chaos` (run.ts) and, in short mode, by chaos.test.ts.
import { Client, Connection } from '@temporalio/client';
import { OvirtClient } from '../../ovirt/client';
import { ChaosApi } from './api';
import { Checker } from './checks';
import { runScenario, type ScenarioResult } from './drive';
import { Rng } from './random';
import { report } from './report';
import { scenarios } from './scenarios';
import { ChaosStack } from './stack';

export interface ChaosOptions {
  /** Scenario names; empty = the default set (all, or the short set). */
  scenarios: string[];
  /** Flows per scenario; default 3 (short: 1, 2 for the kill scenarios). */
  flows?: number;
  seed: number;
  short: boolean;
  verbose?: boolean;
  log?: (line: string) => void;
}

/** The short set (jest): every scenario, one or two flows each, the engine outage a few seconds. */
export const SHORT_SCENARIOS = [
  'worker-kill',
  'server-kill',
  'engine-restart',
  'engine-outage',
  'temporal-kill',
  'vendor-kill',
  'vendor-hang',
];

export async function runChaos(
  opts: ChaosOptions,
): Promise<{ results: ScenarioResult[]; text: string; violations: number }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const names = opts.scenarios.length ? opts.scenarios : opts.short ? SHORT_SCENARIOS : scenarios.map((s) => s.name);
  const chosen = names.map((n) => {
    const s = scenarios.find((x) => x.name === n);
    if (!s) throw new Error(`unknown scenario ${n}; known: ${scenarios.map((x) => x.name).join(', ')}`);
    return s;
  });
  const flowsOf = (name: string) =>
    opts.flows ?? (opts.short ? (['worker-kill', 'server-kill'].includes(name) ? 2 : 1) : 3);
  const vmsOf = new Map(
    chosen.map((s) => [s.name, Array.from({ length: flowsOf(s.name) }, (_, i) => `${s.name}-${i + 1}`)]),
  );
  const rng = new Rng(opts.seed);
  log(`chaos: seed ${opts.seed} (repeat with --seed ${opts.seed}); scenarios ${names.join(', ')}`);

  const stack = new ChaosStack({ vms: [...vmsOf.values()].flat(), verbose: opts.verbose, log });
  let connection: Connection | undefined;
  let ovirt: OvirtClient | undefined;
  const results: ScenarioResult[] = [];
  try {
    const began = Date.now();
    await stack.start();
    log(`stack up in ${Math.round((Date.now() - began) / 1000)} s (data ${stack.dataDir})`);
    connection = await Connection.connect({ address: stack.temporalAddress });
    const temporal = new Client({ connection });
    ovirt = new OvirtClient({ url: `${stack.engineUrl}/ovirt-engine/api`, password: stack.enginePassword });
    const checker = new Checker(temporal, ovirt);
    const api = new ChaosApi(() => stack.apiUrl, stack.token);
    for (const scenario of chosen) {
      log(`scenario ${scenario.name}: ${scenario.what}`);
      const ctx = {
        stack,
        api,
        checker,
        rng: rng.fork(scenario.name),
        short: opts.short,
        log,
        vms: vmsOf.get(scenario.name)!,
        violations: [],
      };
      const result = await runScenario(scenario, ctx);
      log(`  ${result.violations.length} violation(s) in ${result.seconds} s`);
      results.push(result);
    }
  } finally {
    await connection?.close().catch(() => undefined);
    await ovirt?.close().catch(() => undefined);
    await stack.stop();
  }
  const text = report(results, opts.seed);
  return { results, text, violations: results.reduce((n, r) => n + r.violations.length, 0) };
}
