// Terminal rendering of a flow's step tree: pure functions (tree -> lines, tree change -> log lines, flow -> outcome)
// and LiveProgress, which only decides when to write: redrawn in place on a TTY, appended lines otherwise.
import type { FlowStepShape as FlowStep } from '../../server/flows/schemas';
import { durationBetween } from '../../common/duration';

/** The fields of a flow document the renderer reads. */
export interface RenderedFlow {
  id: string;
  kind: string;
  status: string;
  startedAt: string;
  closedAt: string | null;
  result?: unknown;
  error: string | null;
  steps: FlowStep[];
}

export interface RenderOptions {
  /** The clock, for durations of running steps (ms since the epoch). */
  now: number;
  /** ANSI colours. @default false */
  color?: boolean;
  /** Cut lines to this many columns (a wrapped line would break redrawing in place). @default no limit */
  width?: number;
  /** Animation frame of the running steps' spinner. @default no spinner (a still icon) */
  frame?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICONS = { pending: '○', running: '▶', finished: '✓', failed: '✗', unknown: '?' } as const;
const COLORS = { pending: 2, running: 36, finished: 32, failed: 31, unknown: 33 } as const; // dim, cyan, green, red, yellow
const BAR_WIDTH = 20;
const DESCRIPTION_MAX = 60;

const paint = (on: boolean | undefined, code: number, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** 42 -> "[████████░░░░░░░░░░░░]  42%". */
export function progressBar(percent: number, width = BAR_WIDTH): string {
  const p = Math.min(100, Math.max(0, percent));
  const filled = Math.round((p / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round(p)).padStart(3)}%`;
}

interface Flat {
  step: FlowStep;
  depth: number;
  path: string;
}

function flatten(steps: readonly FlowStep[], depth = 0, parent = ''): Flat[] {
  return steps.flatMap((step) => {
    const path = parent ? `${parent}/${step.key}` : step.key;
    return [{ step, depth, path }, ...flatten(step.children, depth + 1, path)];
  });
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The step tree as lines, one per step, children indented: icon, description, duration, and a progress bar for a
 * running step that reports progress.
 */
export function stepLines(steps: readonly FlowStep[], options: RenderOptions): string[] {
  const flat = flatten(steps);
  const column = Math.min(DESCRIPTION_MAX, Math.max(0, ...flat.map((f) => f.depth * 2 + f.step.description.length)));
  return flat.map(({ step, depth }) => {
    const icon =
      step.status === 'running' && options.frame !== undefined
        ? SPINNER[options.frame % SPINNER.length]!
        : ICONS[step.status];
    const indent = '  '.repeat(depth);
    const description = clip(step.description, Math.max(10, column - indent.length)).padEnd(column - indent.length);
    const duration = durationBetween(step.startedAt, step.endedAt, options.now).padStart(7);
    const bar = step.status === 'running' && step.progress !== undefined ? `  ${progressBar(step.progress)}` : '';
    let line = `${indent}${icon} ${description}  ${duration}${bar}`.trimEnd();
    if (options.width && line.length > options.width) line = clip(line, options.width);
    // Colour only the icon (and dim pending lines), after cutting, so that widths count visible characters.
    if (!options.color) return line;
    if (step.status === 'pending') return paint(true, COLORS.pending, line);
    return line.replace(icon, paint(true, COLORS[step.status], icon));
  });
}

/**
 * What changed between two trees as plain log lines, for output that is not a terminal: a line when a step starts,
 * one when it ends. `previous` undefined means nothing was shown yet.
 */
export function stepEventLines(
  previous: readonly FlowStep[] | undefined,
  next: readonly FlowStep[],
  now: number,
): string[] {
  const before = new Map(flatten(previous ?? []).map((f) => [f.path, f.step.status]));
  const lines: string[] = [];
  for (const { step, depth, path } of flatten(next)) {
    const was = before.get(path);
    const name = `${'  '.repeat(depth)}${step.description}`;
    if (step.status === 'running' && was !== 'running') lines.push(`▶ started   ${name}`);
    // A tree read from the engine may hold a step the engine lost track of (it restarted).
    if (step.status === 'unknown' && was !== 'unknown') lines.push(`? unknown   ${name}`);
    // A step that started and ended between two updates gets its end line only, which says how long it took.
    if ((step.status === 'finished' || step.status === 'failed') && was !== step.status) {
      const took = durationBetween(step.startedAt, step.endedAt, now);
      lines.push(`${step.status === 'finished' ? '✓ finished' : '✗ failed  '}  ${name}${took ? ` (${took})` : ''}`);
    }
  }
  return lines;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const FAILED_WORDS: Record<string, string> = {
  failed: 'failed',
  cancelled: 'was cancelled',
  terminated: 'was terminated',
  timed_out: 'timed out',
};

/** The flow's outcome in plain words: the clone made, or what went wrong. */
export function outcomeLines(
  flow: RenderedFlow,
  options: Pick<RenderOptions, 'color'> & { now?: number } = {},
): string[] {
  const took = durationBetween(flow.startedAt, flow.closedAt, options.now ?? Date.now());
  if (flow.status === 'running') return [`… ${flow.id} is still running (${took} so far)`];
  if (flow.status === 'completed') {
    const r = isRecord(flow.result) ? flow.result : {};
    const what =
      typeof r.cloneName === 'string'
        ? `Clone ${r.cloneName} is ready${typeof r.cloneVmId === 'string' ? ` (VM id ${r.cloneVmId})` : ''}`
        : `${flow.kind} ${flow.id} completed`;
    return [`${paint(options.color, COLORS.finished, '✓')} ${what}, in ${took}.`];
  }
  const failedStep = flatten(flow.steps)
    .filter((f) => f.step.status === 'failed' && f.step.kind !== 'compensation')
    .pop();
  const lines = [
    `${paint(options.color, COLORS.failed, '✗')} ${flow.kind} ${flow.id} ${FAILED_WORDS[flow.status] ?? flow.status} after ${took}.`,
  ];
  if (flow.error) lines.push(`  Error: ${flow.error}`);
  if (failedStep)
    lines.push(`  ${flow.status === 'failed' ? 'Failed' : 'Interrupted'} step: ${failedStep.step.description}`);
  return lines;
}

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/**
 * Shows a flow as it changes. On a TTY the tree is redrawn in place (and every `tickMs` for the clocks and the
 * spinner); otherwise each step's start and end is appended as one line.
 */
export class LiveProgress {
  private drawn = 0;
  private frame = 0;
  private last: RenderedFlow | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly tty: boolean;

  constructor(
    private readonly out: OutputStream,
    private readonly options: { tty?: boolean; color?: boolean; tickMs?: number; now?: () => number } = {},
  ) {
    this.tty = options.tty ?? Boolean(out.isTTY);
    if (this.tty) {
      out.write('\x1b[?25l'); // hide the cursor while redrawing
      this.timer = setInterval(() => this.redraw(), options.tickMs ?? 250);
      this.timer.unref();
    }
  }

  private now = () => (this.options.now ?? Date.now)();
  /** The clock of a flow's durations: it stops when the flow closes. */
  private clockOf = (flow: RenderedFlow) => (flow.closedAt ? Date.parse(flow.closedAt) : this.now());

  update(flow: RenderedFlow): void {
    if (!this.tty) {
      for (const line of stepEventLines(this.last?.steps, flow.steps, this.clockOf(flow))) this.out.write(line + '\n');
    }
    this.last = flow;
    if (this.tty) this.redraw();
  }

  /** Writes a line of its own above the tree (a TTY's tree is redrawn below it), e.g. the engine job once known. */
  note(text: string): void {
    if (this.stopped || !this.tty) return void this.out.write(text + '\n');
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.out.write(`${up}\x1b[J${text}\n`);
    this.drawn = 0;
    this.redraw();
  }

  /** `all`: every line even if taller than the screen (the last drawing, which is never moved over again). */
  private redraw(all = false): void {
    if (!this.last) return;
    this.frame++;
    let lines = stepLines(this.last.steps, {
      now: this.clockOf(this.last),
      color: this.options.color,
      width: this.out.columns ? this.out.columns - 1 : undefined,
      frame: this.last.closedAt ? undefined : this.frame,
    });
    // The cursor cannot move above the screen: a tree taller than it shows its latest steps.
    const room = (this.out.rows ?? Infinity) - 2;
    if (!all && lines.length > room && room > 1)
      lines = [`… ${lines.length - room + 1} steps above`, ...lines.slice(-(room - 1))];
    // Up to the first line drawn last time, rewrite every line, clear whatever is left below.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join('') + '\x1b[J');
    this.drawn = lines.length;
  }

  /** Draws the last state one more time, then the outcome. */
  finish(flow: RenderedFlow): void {
    if (this.tty) {
      this.last = flow;
      this.redraw(true);
    } else this.update(flow);
    this.stop();
    for (const line of outcomeLines(flow, { color: this.options.color, now: this.now() })) this.out.write(line + '\n');
  }

  /** Stops redrawing and gives the cursor back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.tty) this.out.write('\x1b[?25h');
  }
}
