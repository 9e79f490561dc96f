// The chaos scenarios: each starts rapid clones through the real API and, while they run, injects one kind of
// fault at random moments (seeded). The flows are driven by `driveFlows`; a scenario only says what goes wrong.
import type { ChaosApi } from './api';
import type { Checker, FlowRecord } from './checks';
import type { Rng } from './random';
import { type ChaosStack, HANGING_VENDOR_ID, sleep } from './stack';

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

/** Fault rules of the engine (its fault-injection API, not oVirt's), set directly on the engine. */
async function setFaults(ctx: ScenarioContext, rules: unknown[]): Promise<void> {
  const auth = Buffer.from(`admin@internal:${ctx.stack.enginePassword}`).toString('base64');
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${ctx.stack.engineUrl}/builtin/faults`, {
        method: 'PUT',
        headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ rules }),
      });
      if (res.ok) return;
      throw new Error(`PUT /builtin/faults: ${res.status} ${await res.text()}`);
    } catch (err) {
      if (i >= 20) throw err;
      await sleep(500);
    }
  }
}

export const scenarios: Scenario[] = [
  {
    name: 'worker-kill',
    what: 'the worker SIGKILLed and restarted, several times per flow',
    cancelChance: 0.2,
    chaos: killLoop('worker', [1, 4], [0.3, 2], { full: Infinity, short: 2 }),
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
          .startClone(
            { sourceVm: f.sourceVm, cloneName: f.cloneName, vendor: f.vendor },
            f.idempotencyKey,
            Date.now() + 60_000,
          )
          .catch((err: Error) => `error: ${err.message}`);
        if (again !== f.id) ctx.violations.push(`${f.id}: the same Idempotency-Key answered ${again}`);
      }
      ctx.violations.push(...(await ctx.checker.workflowsPerVm(ctx.stack.taskQueue, ctx.vms)));
      ctx.log(`  ${ctx.api.retries} start request(s) retried with their Idempotency-Key while the server was down`);
    },
  },
  {
    name: 'engine-restart',
    what: 'the built-in engine restarted mid-flow (STARTED jobs and steps become UNKNOWN)',
    chaos: killLoop('engine', [2, 6], [0.5, 2], { full: 2, short: 1 }),
    flowDeadlineS: (short) => (short ? 120 : 300),
  },
  {
    name: 'engine-outage',
    what: 'the engine unreachable (connections refused or black-holed), answering 503/409 at random, and slow',
    flowDeadlineS: (short) => (short ? 150 : 480),
    async chaos(ctx, running) {
      const faulty = async (seconds: number) => {
        const conflictRate = Number(ctx.rng.between(0.05, 0.2).toFixed(2));
        const rules = [
          { pathPattern: '.', errorRate: Number(ctx.rng.between(0.1, 0.3).toFixed(2)), status: 503 },
          // oVirt answers 409 to actions on busy VMs and disks (never to reads), so only writes get one here.
          ...['POST', 'DELETE'].map((method) => ({
            pathPattern: '^/(vms|disks|storagedomains)',
            method,
            errorRate: conflictRate,
            status: 409,
          })),
          { pathPattern: '.', latencyMs: Math.round(ctx.rng.between(100, 1500)) },
        ];
        ctx.log(`  engine faults for ${seconds.toFixed(1)} s: ${JSON.stringify(rules)}`);
        await setFaults(ctx, rules);
        await wait(seconds * 1000, running);
        await setFaults(ctx, []);
      };
      if (!(await wait(ctx.rng.between(1, 4) * 1000, running))) return;
      await faulty(ctx.short ? ctx.rng.between(2, 4) : ctx.rng.between(5, 20));
      if (!running()) return;
      const seconds = ctx.short ? ctx.rng.between(3, 5) : ctx.rng.between(30, 120);
      const kind = ctx.rng.pick(['refuse', 'blackhole'] as const);
      ctx.log(`  engine unreachable (${kind}) for ${seconds.toFixed(1)} s`);
      ctx.stack.proxy.setMode({ kind });
      await sleep(seconds * 1000);
      const delay = Math.round(ctx.rng.between(200, 2000));
      ctx.log(`  engine reachable again, each connection delayed ${delay} ms for a while`);
      ctx.stack.proxy.setMode({ kind: 'delay', ms: delay });
      await wait(ctx.rng.between(2, 6) * 1000, running);
      ctx.stack.proxy.setMode({ kind: 'pass' });
      if (running()) await faulty(ctx.rng.between(2, 5));
    },
  },
  {
    name: 'temporal-kill',
    what: 'the Temporal dev server SIGKILLed and restarted on its database file',
    chaos: killLoop('temporal', [2, 6], [1, 5], { full: 2, short: 1 }),
    flowDeadlineS: (short) => (short ? 150 : 300),
  },
  {
    name: 'vendor-kill',
    what: 'the vendor worker (vendor-demo) SIGKILLed mid-clone and restarted',
    async chaos(ctx, running) {
      while (running()) {
        // Wait for a clone under way, then kill the vendor at a random moment of it.
        while (running() && !(await cloneUnderWay(ctx))) await sleep(300);
        if (!(await wait(ctx.rng.between(0.2, 2.5) * 1000, running))) return;
        const down = ctx.rng.between(0.5, 4) * 1000;
        ctx.log(`  SIGKILL vendor-demo mid-clone, down ${(down / 1000).toFixed(1)} s`);
        await ctx.stack.restart('vendor-demo', down);
        await wait(ctx.rng.between(3, 8) * 1000, running);
      }
    },
  },
  {
    name: 'vendor-hang',
    what: `a vendor (${HANGING_VENDOR_ID}) that takes cloneDisk and never heartbeats nor answers`,
    vendor: HANGING_VENDOR_ID,
    async chaos(ctx, running) {
      await ctx.stack.startComponent('hanging-vendor');
      while (running()) await sleep(300);
      await ctx.stack.stopComponent('hanging-vendor');
    },
    async after(ctx, flows) {
      for (const f of flows)
        if (f.final?.status === 'completed')
          ctx.violations.push(`${f.id}: completed although its vendor never answered`);
    },
  },
];

/** Is any flow of this scenario in a vendor step right now (as the API shows it)? */
async function cloneUnderWay(ctx: ScenarioContext): Promise<boolean> {
  const res = await fetch(`${ctx.stack.apiUrl}/api/v1/flows?status=running&pageSize=50`, {
    headers: { Authorization: `Bearer ${ctx.stack.token}` },
  }).catch(() => undefined);
  if (!res?.ok) return false;
  const { items } = (await res.json()) as { items: { id: string }[] };
  for (const item of items) {
    const flow = await ctx.api.getFlow(item.id);
    const steps = (flow?.steps ?? []) as { kind: string; status: string; description: string }[];
    if (steps.some((s) => s.kind === 'external' && s.status === 'running' && s.description.includes('clone disk')))
      return true;
  }
  return false;
}
