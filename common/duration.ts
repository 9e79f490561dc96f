// One way to print how long something took, for the CLI and the pages alike (the pages load this very module as
// /assets/lib/duration.js, see common/browser-modules.ts), so it imports nothing.

/** 4200 -> "4.2s", 42000 -> "42s", 65000 -> "1m 05s", 3720000 -> "1h 02m"; "" for no number. */
export function formatDuration(ms: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${(Math.floor(s * 10) / 10).toFixed(1)}s`; // truncated, like a clock
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** The time between two instants (ISO strings or epoch ms); an open end means "until `now`"; "" without a start. */
export function durationBetween(
  start: string | number | null | undefined,
  end: string | number | null | undefined,
  now: number = Date.now(),
): string {
  if (start === null || start === undefined || start === '') return '';
  const at = (t: string | number) => (typeof t === 'number' ? t : Date.parse(t));
  return formatDuration((end === null || end === undefined || end === '' ? now : at(end)) - at(start));
}
