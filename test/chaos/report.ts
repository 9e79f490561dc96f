// The chaos report: one row per scenario, each violation in words below the table, then what the stack itself did.
import type { ScenarioResult } from './drive';

export function report(results: ScenarioResult[], seed: number): string {
  const rows = [
    ['scenario', 'flows', 'completed', 'undone', 'violations', 'seconds'],
    ...results.map((r) => [r.name, r.flows, r.completed, r.undone, r.violations.length, r.seconds].map(String)),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = ['', line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  for (const r of results) {
    if (r.violations.length)
      out.push('', `${r.name}: ${r.violations.length} violation(s)`, ...r.violations.map((v) => `  - ${v}`));
    if (r.notes.length) out.push('', `${r.name}: notes (not violations)`, ...r.notes.map((n) => `  - ${n}`));
  }
  const total = results.reduce((n, r) => n + r.violations.length, 0);
  out.push('', `${total} violation(s). Seed ${seed}: repeat with --seed ${seed}`);
  return out.join('\n');
}
