// `hybridflow clone`: starts a rapid clone through the API; with --wait, follows it step by step to its outcome.
import type { Command } from 'commander';
import { createApiClient } from '../api/client';
import { reportStarted } from '../api/follow';
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

export async function cloneCommand(flags: CloneFlags): Promise<void> {
  const api = createApiClient(resolveApiSettings(flags));
  const started = await api.startRapidClone({
    sourceVm: flags.vm,
    cloneName: flags.name,
    ...(flags.vendor ? { vendor: flags.vendor } : {}),
    restartSource: flags.restartSource,
    startClone: Boolean(flags.startClone),
  });
  await reportStarted(api, started, { title: 'Rapid clone', wait: flags.wait, json: flags.json });
}
