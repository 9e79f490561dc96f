// The chaos scenarios: each starts rapid clones through the real API and, while they run, injects one kind of
// fault at random moments (seeded). The flows are driven by `driveFlows`; a scenario only says what goes wrong.
import type { ChaosApi } from './api';
import type { Checker, FlowRecord } from './checks';
import type { Rng } from './random';
import { type ChaosStack, sleep } from './stack';

export interface ScenarioContext {
  stack: ChaosStack;
  api: ChaosApi;
  checker: Checker;
  rng: Rng;
  short: boolean;
  log(line: string): void;
  /** Source VMs reserved for this scenario, one per flow. */
  vms: string[];
  /** Violations found while the scenario runs (e.g. a second flow for one Idempotency-Key). */
  violations: string[];
}

export interface Scenario {
  name: string;
  what: string;
  vendor?: string;
  /** Chance that a flow is cancelled at a random moment. */
  cancelChance?: number;
  /** How long a flow may take, in seconds. */
  flowDeadlineS?: (short: boolean) => number;
  /** Injects faults while `running()` is true; leaves the stack whole when it returns. */
  chaos?(ctx: ScenarioContext, running: () => boolean): Promise<void>;
  /** After the flows: anything to check beyond the per-flow invariants. */
  after?(ctx: ScenarioContext, flows: FlowRecord[]): Promise<void>;
}

/** Sleeps in small slices so that a loop notices quickly that the flows ended. */
async function wait(ms: number, running: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && running()) await sleep(Math.min(200, until - Date.now()));
  return running();
}

/** Kill-and-restart at random moments while flows run. */
function killLoop(
  component: 'worker' | 'server' | 'vendor-demo' | 'engine' | 'temporal',
  gapS: [number, number],
  downS: [number, number],
  maxKills: { full: number; short: number },
) {
  return async (ctx: ScenarioContext, running: () => boolean) => {
    let kills = 0;
    const max = ctx.short ? maxKills.short : maxKills.full;
    while (kills < max && (await wait(ctx.rng.between(gapS[0], gapS[1]) * 1000, running))) {
      const down = ctx.rng.between(downS[0], downS[1]) * 1000;
      ctx.log(`  SIGKILL ${component}, down ${(down / 1000).toFixed(1)} s`);
      await ctx.stack.restart(component, down);
      kills++;
    }
  };
}

export const scenarios: Scenario[] = [
  {
    name: 'worker-kill',
    what: 'the worker SIGKILLed and restarted, several times per flow',
    cancelChance: 0.2,
    chaos: killLoop('worker', [1, 4], [0.3, 2], { full: Infinity, short: 3 }),
  },
  {
    name: 'server-kill',
    what: 'the API server SIGKILLed and restarted while flows are started and watched',
    chaos: killLoop('server', [0.3, 2.5], [0.5, 2.5], { full: Infinity, short: 4 }),
    async after(ctx, flows) {
      // Each flow asked again with its key must be the same flow; and never two workflows for one source VM.
      for (const f of flows) {
        if (!f.id) continue;
        const again = await ctx.api
          .startClone({ sourceVm: f.sourceVm, cloneName: f.cloneName, vendor: f.vendor }, f.idempotencyKey, Date.now() + 60_000)
          .catch((err: Error) => `error: ${err.message}`);
        if (again !== f.id) ctx.violations.push(`${f.id}: the same Idempotency-Key answered ${again}`);
      }
      ctx.violations.push(...(await ctx.checker.workflowsPerVm(ctx.stack.taskQueue, ctx.vms)));
      ctx.log(`  ${ctx.api.retries} start request(s) retried with their Idempotency-Key while the server was down`);
    },
  },
];
