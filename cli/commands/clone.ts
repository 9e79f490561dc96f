// `hybridflow clone`: starts a rapid clone through the API; with --wait, follows it step by step to its outcome.
import type { Command } from 'commander';
import { createApiClient, type ApiClient, type FlowDocument, type FlowStartedAnswer } from '../api/client';
import { LiveProgress } from '../api/progress';
import { apiAction, resolveApiSettings, withApiOptions, type ApiFlags } from '../api/settings';

export interface CloneFlags extends ApiFlags {
  vm: string;
  name: string;
  vendor?: string;
  startClone?: boolean;
  restartSource: boolean;
  wait?: boolean;
  json?: boolean;
}

export function registerCloneCommand(program: Command): void {
  withApiOptions(
    program
      .command('clone')
      .description('start a rapid clone of a VM through the API')
      .requiredOption('--vm <name or id>', 'source VM')
      .requiredOption('--name <clone name>', 'name of the new VM')
      .option('--vendor <id>', 'storage vendor (default: acme-storage)')
      .option('--start-clone', 'start the clone once it is built')
      .option('--no-restart-source', 'leave the source VM down afterwards')
      .option('--wait', 'follow the flow step by step; exit 0 if it completes, 1 otherwise')
      .option('--json', 'print only JSON: the start answer, or with --wait the final flow'),
  ).action(apiAction(cloneCommand));
}

const absolute = (base: string, link: string) => new URL(link, base + '/').toString();

function startedLines(started: FlowStartedAnswer, api: ApiClient): string[] {
  const { links } = started;
  return [
    `Rapid clone started: ${started.id}`,
    `  Flow:         ${absolute(api.url, links.self)}`,
    ...(links.temporalUi ? [`  Temporal UI:  ${links.temporalUi}`] : []),
    ...(started.engineJobId ? [engineJobLine(started.engineJobId, links.engineTasks)] : []),
  ];
}

const engineJobLine = (jobId: string, tasksUrl?: string) =>
  `  Engine job:   ${jobId}${tasksUrl ? `  ${tasksUrl}` : ''}`;

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

export async function cloneCommand(flags: CloneFlags): Promise<void> {
  const api = createApiClient(resolveApiSettings(flags));
  const started = await api.startRapidClone({
    sourceVm: flags.vm,
    cloneName: flags.name,
    ...(flags.vendor ? { vendor: flags.vendor } : {}),
    restartSource: flags.restartSource,
    startClone: Boolean(flags.startClone),
  });
  const out = process.stdout;
  if (!flags.wait) {
    if (flags.json) out.write(JSON.stringify(started, null, 2) + '\n');
    else
      out.write(
        [...startedLines(started, api), `Follow it with: hybridflow flows show ${started.id}`].join('\n') + '\n',
      );
    return;
  }
  if (!flags.json) out.write(startedLines(started, api).join('\n') + '\n');

  const progress = flags.json
    ? undefined
    : new LiveProgress(out, { color: Boolean(out.isTTY) && !process.env.NO_COLOR });
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
    process.exitCode = flow.status === 'completed' ? 0 : 1;
  } finally {
    progress?.stop();
    process.off('SIGINT', onInterrupt);
  }
}
