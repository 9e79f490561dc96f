// Applies fault-injection rules to calls under /ovirt-engine/api: added latency, a share of failed calls (503 unless
// the rule says 409, 500, 502 or 504), or the next N calls failed. Every matching rule applies, in order: latencies add up; the first rule that fails the call wins.
import { ApiFault } from '../faults';
import type { FaultRule } from './rules';

interface ActiveRule {
  rule: FaultRule;
  pattern: RegExp;
  remainingFailures: number;
}

export interface FaultDecision {
  latencyMs: number;
  /** Why the call fails, if it does. */
  failure?: string;
  /** The status the failed call gets. */
  status?: number;
}

const REASONS: Record<number, string> = {
  409: 'Operation Failed',
  500: 'Operation Failed',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export class FaultInjector {
  private active: ActiveRule[] = [];

  /** @param random source of randomness for `errorRate`, replaceable in tests */
  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.replace(rules);
  }

  replace(rules: FaultRule[]): void {
    this.active = rules.map((rule) => ({
      rule,
      pattern: new RegExp(rule.pathPattern),
      remainingFailures: rule.failNext ?? 0,
    }));
  }

  /** The rules as set, with `failNext` counted down to what is left. */
  rules(): FaultRule[] {
    return this.active.map(({ rule, remainingFailures }) =>
      rule.failNext === undefined ? rule : { ...rule, failNext: remainingFailures },
    );
  }

  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const active of this.active) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method !== method.toUpperCase()) continue;
      if (!active.pattern.test(path)) continue;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (decision.failure) continue;
      if (active.remainingFailures > 0) {
        active.remainingFailures--;
        decision.failure = `failNext (${active.remainingFailures} left) of rule ${rule.pathPattern}`;
        decision.status = rule.status ?? 503;
      } else if (rule.errorRate !== undefined && rule.errorRate > 0 && this.random() < rule.errorRate) {
        decision.failure = `errorRate ${rule.errorRate} of rule ${rule.pathPattern}`;
        decision.status = rule.status ?? 503;
      }
    }
    return decision;
  }

  /**
   * What the rules do to a call under /ovirt-engine/api (`path` without the prefix, `/v4` or query): undefined when
   * no rule applies, else the latency to add and the fault to answer with, if the call fails.
   */
  inject(method: string, path: string): { latencyMs: number; fault?: ApiFault } | undefined {
    if (this.active.length === 0) return undefined;
    const { latencyMs, failure, status = 503 } = this.decide(method, path);
    const fault = failure
      ? new ApiFault(status, REASONS[status] ?? 'Operation Failed', `[Injected fault: ${failure}]`)
      : undefined;
    return { latencyMs, fault };
  }
}
