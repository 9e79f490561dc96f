// `hybridflow flows start | list | show | cancel`: start a flow of any kind the API offers, inspect and cancel flows
// through the API.
import fs from 'node:fs';
import type { Command } from 'commander';
import { durationBetween } from '../../common/duration';
import { createApiClient, type FlowDocument, type FlowListAnswer } from '../api/client';
import { ApiError } from '../api/errors';
import { reportStarted } from '../api/follow';
import { followOptionsFor } from '../api/pool-progress';
import { outcomeLines, stepLines } from '../api/progress';
import { apiAction, resolveApiSettings, withApiOptions, type ApiFlags } from '../api/settings';

interface FlowsFlags extends ApiFlags {
  json?: boolean;
}

export function registerFlowsCommands(program: Command): void {
  const flows = program.command('flows').description('start, inspect and cancel flows through the API');
  withApiOptions(
    flows
      .command('start')
      .description('start a flow of any kind the API offers (GET /api/v1/flow-kinds) with its request as JSON')
      .argument('<kind>', 'flow kind, e.g. rapid-clone')
      .requiredOption('--input <file>', 'the start request as a JSON file (`-`: read it from stdin)')
      .option('--wait', 'follow the flow step by step; exit 0 if it completes, 1 otherwise')
      .option('--json', 'print only JSON: the start answer, or with --wait the final flow'),
  ).action(apiAction(startCommand));
  withApiOptions(
    flows
      .command('list')
      .description('list flows, newest first')
      .option('--status <status>', 'running, completed, failed, cancelled, terminated or timed_out')
      .option('--kind <kind>', 'flow kind, e.g. rapid-clone')
      .option('--vm <id>', 'source VM id')
      .option('--page-size <n>', 'flows per page (1-100)')
      .option('--page-token <token>', 'the next page, as printed below a page')
      .option('--json', 'print the API answer as JSON'),
  ).action(apiAction(listCommand));
  withApiOptions(
    flows
      .command('show')
      .description('one flow with its step tree')
      .argument('<id>', 'flow id')
      .option('--json', 'print the flow as JSON'),
  ).action(apiAction(showCommand));
  withApiOptions(
    flows.command('cancel').description('request the cancellation of a running flow').argument('<id>', 'flow id'),
  ).action(apiAction(cancelCommand));
}

const clientOf = (flags: ApiFlags) => createApiClient(resolveApiSettings(flags));
const out = (text: string) => process.stdout.write(text + '\n');
const tty = () => Boolean(process.stdout.isTTY);

/** "2025-05-01 14:03:07" in local time. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const durationOf = (f: { startedAt: string; closedAt: string | null }, now: number) =>
  durationBetween(f.startedAt, f.closedAt, now);

/** The flows as a table: id, kind, status, started, duration. */
export function flowTable(list: FlowListAnswer, now = Date.now()): string[] {
  const rows = [
    ['ID', 'KIND', 'STATUS', 'STARTED', 'DURATION'],
    ...list.items.map((f) => [
      f.id,
      f.kind,
      f.status,
      localTime(f.startedAt),
      durationOf(f, now) + (f.closedAt ? '' : ' so far'),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/** The start request of `--input`: a JSON file, or stdin for `-`. */
function readInput(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ApiError(`Cannot read --input ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(`--input ${file} is not JSON: ${(err as Error).message}.`);
  }
}

/** "rapid-clone" -> "Rapid clone" */
const kindTitle = (kind: string) => `${kind[0]!.toUpperCase()}${kind.slice(1).replace(/-/g, ' ')}`;

async function startCommand(kind: string, flags: FlowsFlags & { input: string; wait?: boolean }) {
  const api = clientOf(flags);
  const body = readInput(flags.input);
  const kinds = (await api.listFlowKinds()).items;
  const known = kinds.find((k) => k.name === kind);
  if (!known)
    throw new ApiError(
      `Unknown flow kind "${kind}". The API starts: ${kinds.map((k) => `${k.name} (${k.description})`).join(', ')}.`,
    );
  // The input file's fields, named as in the file (`cloneName`), not as flags of `hybridflow clone`.
  const started = await api.startFlow(known.links.start, body, (field) => field.replace(/^body\.?/, '') || '(input)');
  await reportStarted(api, started, {
    title: kindTitle(kind),
    wait: flags.wait,
    json: flags.json,
    ...followOptionsFor(started.kind),
  });
}

async function listCommand(
  flags: FlowsFlags & { status?: string; kind?: string; vm?: string; pageSize?: string; pageToken?: string },
) {
  const pageSize = flags.pageSize === undefined ? undefined : Number(flags.pageSize);
  const list = await clientOf(flags).listFlows({
    status: flags.status,
    kind: flags.kind,
    vm: flags.vm,
    pageSize,
    pageToken: flags.pageToken,
  });
  if (flags.json) return void out(JSON.stringify(list, null, 2));
  if (list.items.length === 0) return void out('No flows.');
  flowTable(list).forEach((l) => out(l));
  if (list.nextPageToken) out(`More: hybridflow flows list --page-token ${list.nextPageToken}`);
}

/** One flow as text: what it is, its links, its step tree and its outcome. */
export function flowLines(
  flow: FlowDocument,
  base: string,
  options: { now: number; color?: boolean; width?: number },
): string[] {
  const input =
    flow.input && typeof flow.input === 'object' ? Object.entries(flow.input as Record<string, unknown>) : [];
  const shown = input.filter(([k]) => k !== 'vendorRegistration').map(([k, v]) => `${k}=${String(v)}`);
  return [
    `${flow.id}  ${flow.kind}  ${flow.status}`,
    `  Started:      ${localTime(flow.startedAt)}${flow.closedAt ? `, closed ${localTime(flow.closedAt)}` : ''} (${durationOf(flow, options.now)})`,
    ...(shown.length ? [`  Input:        ${shown.join(' ')}`] : []),
    ...(flow.engineJobId
      ? [`  Engine job:   ${flow.engineJobId}${flow.links.engineTasks ? `  ${flow.links.engineTasks}` : ''}`]
      : []),
    `  Flow:         ${new URL(flow.links.self, base + '/').toString()}`,
    ...(flow.links.temporalUi ? [`  Temporal UI:  ${flow.links.temporalUi}`] : []),
    ...(flow.engineJobIds.length > 1 ? [`  Engine jobs:  ${flow.engineJobIds.join(', ')} (oldest first)`] : []),
    ...(flow.notice ? [`  Notice:       ${flow.notice}`] : []),
    flow.steps.length
      ? `Steps:${flow.stepsSource === 'engine' ? ' (read from the engine, may lag)' : ''}`
      : 'Steps: none reported',
    ...stepLines(flow.steps, options).map((l) => `  ${l}`),
    ...outcomeLines(flow, options),
  ];
}

async function showCommand(id: string, flags: FlowsFlags) {
  const api = clientOf(flags);
  const flow = await api.getFlow(id);
  if (flags.json) return void out(JSON.stringify(flow, null, 2));
  const width = process.stdout.columns ? process.stdout.columns - 3 : undefined;
  const now = flow.closedAt ? Date.parse(flow.closedAt) : Date.now(); // durations stop when the flow closed
  flowLines(flow, api.url, { now, color: tty() && !process.env.NO_COLOR, width }).forEach((l) => out(l));
}

async function cancelCommand(id: string, flags: FlowsFlags) {
  await clientOf(flags).cancelFlow(id);
  out(`Cancel requested for ${id}`);
}
