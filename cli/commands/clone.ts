// `hybridflow clone`: starts a rapid clone (--name) or a bulk clone into a pool (--prefix and --count) through the
// API; with --wait, follows it to its outcome (the step tree of one clone, a line per VM of a pool).
import { Option, type Command } from 'commander';
import { createApiClient } from '../api/client';
import { reportStarted } from '../api/follow';
import { followOptionsFor } from '../api/pool-progress';
import { apiAction, resolveApiSettings, withApiOptions, type ApiFlags } from '../api/settings';

export interface CloneFlags extends ApiFlags {
  vm: string;
  name?: string;
  prefix?: string;
  count?: string;
  maxParallel?: string;
  onFailure?: 'keep-completed' | 'undo-all';
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
      .description('start a rapid clone of a VM (--name), or a bulk clone into a pool (--prefix and --count)')
      .requiredOption('--vm <name or id>', 'source VM')
      .option('--name <clone name>', 'name of the new VM')
      .option('--prefix <prefix>', 'a pool: the new VMs are named <prefix>1 ... <prefix><count>, zero-padded')
      .option('--count <n>', 'a pool: how many VMs (1-100)')
      .option('--max-parallel <n>', 'a pool: how many VMs are built at once (default 4)')
      .addOption(
        new Option('--on-failure <mode>', 'a pool: when a VM fails for good, keep the others or undo them all').choices(
          ['keep-completed', 'undo-all'],
        ),
      )
      .option('--vendor <id>', 'storage vendor (default: acme-storage)')
      .option('--start-clone', 'start the clone (each VM of a pool) once it is built')
      .option('--no-restart-source', 'leave the source VM down afterwards')
      .option(
        '--wait',
        'follow the flow to its outcome; exit 0 if it completes (every VM of a pool built), 1 otherwise',
      )
      .option('--json', 'print only JSON: the start answer, or with --wait the final flow'),
  ).action(apiAction(cloneCommand));
}

/**
 * What the flags ask for: one clone, or a pool and its numbers. Flags that do not go together are a usage error
 * (`fail`), said before anything is sent.
 */
function cloneRequest(flags: CloneFlags, fail: (message: string) => never) {
  const given = (['prefix', 'count', 'maxParallel', 'onFailure'] as const).filter((f) => flags[f] !== undefined);
  if (flags.name !== undefined) {
    if (given.length) fail('--name names one clone; for a pool give --prefix and --count instead of --name.');
    return { pool: false as const };
  }
  if (!given.length) fail('give --name for one clone, or --prefix and --count for a pool.');
  if (flags.prefix === undefined || flags.count === undefined)
    fail('a pool needs both --prefix and --count (e.g. --prefix pool- --count 20).');
  const whole = (flag: string, value: string) =>
    /^\d+$/.test(value) ? Number(value) : fail(`${flag} must be a whole number, not "${value}".`);
  return {
    pool: true as const,
    prefix: flags.prefix,
    count: whole('--count', flags.count),
    ...(flags.maxParallel !== undefined ? { maxParallel: whole('--max-parallel', flags.maxParallel) } : {}),
    ...(flags.onFailure ? { onFailure: flags.onFailure } : {}),
  };
}

export async function cloneCommand(flags: CloneFlags, command: Command): Promise<void> {
  const request = cloneRequest(flags, (message) => command.error(`error: ${message}`, { exitCode: 1 }));
  const api = createApiClient(resolveApiSettings(flags));
  const common = {
    sourceVm: flags.vm,
    ...(flags.vendor ? { vendor: flags.vendor } : {}),
    restartSource: flags.restartSource,
  };
  if (!request.pool) {
    const started = await api.startRapidClone({
      ...common,
      cloneName: flags.name!,
      startClone: Boolean(flags.startClone),
    });
    await reportStarted(api, started, { title: 'Rapid clone', wait: flags.wait, json: flags.json });
    return;
  }
  const { pool: _pool, ...names } = request;
  const started = await api.startBulkClone({ ...common, ...names, startClones: Boolean(flags.startClone) });
  await reportStarted(api, started, {
    title: 'Bulk clone',
    wait: flags.wait,
    json: flags.json,
    ...followOptionsFor(started.kind),
  });
}
