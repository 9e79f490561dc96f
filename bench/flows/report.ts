// What each bench:flows section answers, how the run prints it, and the small helpers every section uses.
export interface SectionContext {
  /** The run's Temporal dev server. */
  temporalAddress: string;
  /** The dev server's Prometheus metrics (its `service_requests` count every client's calls). */
  temporalMetricsUrl: string;
  /** Multiplies each section's amount of work (flows, hand-offs); 1 is the figures. */
  scale: number;
  /** Progress lines (stderr), not part of the report. */
  log(line: string): void;
}

export interface SectionReport {
  /** Written under the section's key in --json. */
  figures: Record<string, unknown>;
  title: string;
  table: { header: string[]; rows: string[][] };
  notes?: string[];
}

export type Section = (ctx: SectionContext) => Promise<SectionReport>;

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Runs `fn` for 0 .. count-1, at most `concurrency` at once. */
export async function lanes(count: number, concurrency: number, fn: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export function printReport(report: SectionReport): void {
  const { header, rows } = report.table;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  console.log(`\n${report.title}`);
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  for (const note of report.notes ?? []) console.log(note);
}
