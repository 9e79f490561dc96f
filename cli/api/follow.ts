// What a start command prints once the API started a flow: its links, and with --wait the live step tree until the
// flow closes (exit code 0 if it completed, 1 otherwise). Shared by `hybridflow clone` and `hybridflow flows start`.
import type { ApiClient, FlowDocument, FlowStartedAnswer } from './client';
import { LiveProgress } from './progress';

const absolute = (base: string, link: string) => new URL(link, base + '/').toString();

const engineJobLine = (jobId: string, tasksUrl?: string) =>
  `  Engine job:   ${jobId}${tasksUrl ? `  ${tasksUrl}` : ''}`;

/** "Rapid clone started: <id>" and the flow's links. */
function startedLines(title: string, started: FlowStartedAnswer, api: ApiClient): string[] {
  const { links } = started;
  return [
    `${title} started: ${started.id}`,
    `  Flow:         ${absolute(api.url, links.self)}`,
    ...(links.temporalUi ? [`  Temporal UI:  ${links.temporalUi}`] : []),
    ...(started.engineJobId ? [engineJobLine(started.engineJobId, links.engineTasks)] : []),
  ];
}

/**
 * What the follower writes besides the step tree: the engine job's line once the flow opened it (the start answer
 * does not wait for it), and each change of the flow's notice (steps read from the engine while no worker answers).
 */
export function followNotes(started: Pick<FlowStartedAnswer, 'engineJobId'>) {
  let jobShown = Boolean(started.engineJobId);
  let notice: string | null = null;
  return (flow: Pick<FlowDocument, 'engineJobId' | 'notice' | 'status' | 'links'>): string[] => {
    const lines: string[] = [];
    if (!jobShown && flow.engineJobId) {
      jobShown = true;
      lines.push(engineJobLine(flow.engineJobId, flow.links.engineTasks));
    }
    if (flow.notice !== notice) {
      if (flow.notice) lines.push(`! ${flow.notice}`);
      else if (notice && flow.status === 'running') lines.push('  A worker answers again: the steps are live.');
      notice = flow.notice;
    }
    return lines;
  };
}

/** How a follower shows a flow as it changes: LiveProgress (the step tree), or PoolProgress (a line per VM). */
export interface FlowView {
  update(flow: FlowDocument): void;
  note(text: string): void;
  /** The last state and the outcome. */
  finish(flow: FlowDocument): void;
  stop(): void;
}

export interface ReportOptions {
  /** What started ("Rapid clone"). */
  title: string;
  wait?: boolean;
  json?: boolean;
  /** How to show the flow while waiting. @default its step tree (LiveProgress) */
  view?: (out: NodeJS.WriteStream, color: boolean) => FlowView;
  /** Whether the closed flow did all it was asked (exit code 0). @default it completed */
  succeeded?: (flow: FlowDocument) => boolean;
}

/**
 * Reports a started flow: its links (or the start answer as JSON), and with `wait` follows it to its outcome,
 * setting the exit code (0 if it succeeded, 1 otherwise).
 */
export async function reportStarted(api: ApiClient, started: FlowStartedAnswer, flags: ReportOptions): Promise<void> {
  const out = process.stdout;
  if (!flags.wait) {
    if (flags.json) out.write(JSON.stringify(started, null, 2) + '\n');
    else
      out.write(
        [...startedLines(flags.title, started, api), `Follow it with: hybridflow flows show ${started.id}`].join('\n') +
          '\n',
      );
    return;
  }
  if (!flags.json) out.write(startedLines(flags.title, started, api).join('\n') + '\n');

  const color = Boolean(out.isTTY) && !process.env.NO_COLOR;
  const progress: FlowView | undefined = flags.json
    ? undefined
    : (flags.view?.(out, color) ?? new LiveProgress(out, { color }));
  const onInterrupt = () => {
    progress?.stop();
    process.stderr.write(
      `\nStopped watching; the flow keeps running. Cancel it with: hybridflow flows cancel ${started.id}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const notes = followNotes(started);
    const flow = await api.watchFlow(started.id, (f) => {
      for (const line of notes(f)) progress?.note(line);
      progress?.update(f);
    });
    if (progress) progress.finish(flow);
    else out.write(JSON.stringify(flow, null, 2) + '\n');
    process.exitCode = (flags.succeeded ?? ((f) => f.status === 'completed'))(flow) ? 0 : 1;
  } finally {
    progress?.stop();
    process.off('SIGINT', onInterrupt);
  }
}
