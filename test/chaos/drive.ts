// Runs one scenario: starts its flows through the API (staggered, some cancelled), lets the scenario inject its
// faults while they run, makes the stack whole again, then checks every flow's invariants.
import { randomUUID } from 'node:crypto';
import type { FlowRecord } from './checks';
import type { Scenario, ScenarioContext } from './scenarios';
import { type ComponentName, sleep } from './stack';

export interface ScenarioResult {
  name: string;
  flows: number;
  completed: number;
  undone: number;
  violations: string[];
  notes: string[];
  seconds: number;
}

const CORE: ComponentName[] = ['temporal', 'engine', 'worker', 'vendor-demo', 'server'];

export async function runScenario(scenario: Scenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const began = Date.now();
  const notesBefore = ctx.stack.notes.length;
  const deadlineS = scenario.flowDeadlineS?.(ctx.short) ?? (ctx.short ? 120 : 300);
  const flows: FlowRecord[] = ctx.vms.map((vm) => ({
    sourceVm: vm,
    cloneName: `${vm}-clone`,
    vendor: scenario.vendor ?? 'acme-storage',
    idempotencyKey: `chaos-${randomUUID()}`,
    sourceWasUp: true, // every seed VM is up
  }));
  let active = true;
  const chaos = (scenario.chaos?.(ctx, () => active) ?? Promise.resolve()).catch((err: Error) => {
    ctx.violations.push(`the scenario's fault injection failed (harness): ${err.message}`);
  });

  await Promise.all(
    flows.map(async (flow) => {
      const rng = ctx.rng.fork(flow.sourceVm);
      await sleep(rng.between(0, ctx.short ? 1 : 4) * 1000);
      const deadline = Date.now() + deadlineS * 1000;
      try {
        flow.id = await ctx.api.startClone(
          { sourceVm: flow.sourceVm, cloneName: flow.cloneName, vendor: flow.vendor },
          flow.idempotencyKey,
          deadline,
        );
      } catch (err) {
        flow.startError = (err as Error).message;
        return;
      }
      ctx.log(`  started ${flow.id}`);
      const cancelling =
        scenario.cancelChance && rng.chance(scenario.cancelChance)
          ? sleep(rng.between(1, 8) * 1000).then(async () => {
              flow.cancelRequested = await ctx.api.cancel(flow.id!, deadline);
              if (flow.cancelRequested) ctx.log(`  cancel requested for ${flow.id}`);
            })
          : Promise.resolve();
      flow.final = await ctx.api.watch(flow.id, deadline);
      await cancelling;
      ctx.log(
        `  ${flow.id} ${flow.final?.status ?? 'did not end in time'}${flow.final?.error ? `: ${flow.final.error.slice(0, 200)}` : ''}`,
      );
    }),
  );
  active = false;
  await chaos;
  await makeWhole(ctx);
  await scenario.after?.(ctx, flows);

  const result: ScenarioResult = {
    name: scenario.name,
    flows: flows.length,
    completed: 0,
    undone: 0,
    violations: [...ctx.violations],
    notes: [],
    seconds: 0,
  };
  for (const flow of flows) {
    const verdict = await ctx.checker
      .check(flow)
      .catch((err: Error) => ({ outcome: 'other' as const, violations: [`${flow.id}: check failed: ${err.message}`] }));
    ctx.log(
      `  checked ${flow.id ?? flow.sourceVm}: ${verdict.outcome}${'summary' in verdict ? `, ${verdict.summary}` : ''}, ${verdict.violations.length} violation(s)`,
    );
    if (verdict.outcome === 'completed') result.completed++;
    if (verdict.outcome === 'undone') result.undone++;
    result.violations.push(...verdict.violations);
  }
  result.notes = ctx.stack.notes.slice(notesBefore);
  result.seconds = Math.round((Date.now() - began) / 1000);
  return result;
}

/** Every core component running, the proxy passing, no fault rules: the next scenario starts on a whole stack. */
async function makeWhole(ctx: ScenarioContext): Promise<void> {
  ctx.stack.proxy.setMode({ kind: 'pass' });
  for (const c of CORE) if (!ctx.stack.isRunning(c)) await ctx.stack.startComponent(c);
  const auth = Buffer.from(`admin@internal:${ctx.stack.enginePassword}`).toString('base64');
  await fetch(`${ctx.stack.engineUrl}/builtin/faults`, {
    method: 'DELETE',
    headers: { Authorization: `Basic ${auth}` },
  }).catch(() => undefined);
}
