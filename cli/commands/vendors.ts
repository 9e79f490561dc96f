// `hybridflow vendors list | register | remove`: the vendor registry through the API, as the operator.
import type { Command } from 'commander';
import { contractRegistrations } from '../../common/storage-contract';
import { createApiClient } from '../api/client';
import { apiAction, resolveApiSettings, withApiOptions, type ApiFlags } from '../api/settings';

interface ListFlags extends ApiFlags {
  json?: boolean;
}
interface RegisterFlags extends ApiFlags {
  name?: string;
  mode: 'temporal' | 'webhook';
  taskQueue?: string;
  webhookUrl?: string;
  contract?: boolean;
  json?: boolean;
}

const clientOf = (flags: ApiFlags) => createApiClient(resolveApiSettings(flags));
const out = (text: string): void => void process.stdout.write(text + '\n');

export function registerVendorsCommands(program: Command): void {
  const vendors = program.command('vendors').description('the vendor registry (as the operator)');
  withApiOptions(
    vendors.command('list').description('registered vendors and whether they are online').option('--json', 'as JSON'),
  ).action(apiAction(listCommand));
  withApiOptions(
    vendors
      .command('register')
      .description('register a vendor; its API key (and webhook secret) are printed this once')
      .argument('<id>', 'vendor id, e.g. acme-storage')
      .option('--name <name>', 'display name (default: the id)')
      .option('--mode <mode>', 'temporal (its own Temporal worker) or webhook (HTTP only)', 'temporal')
      .option('--task-queue <queue>', 'temporal mode: the task queue its worker polls (default <main>.vendor.<id>)')
      .option('--webhook-url <url>', 'webhook mode: where its tasks are POSTed')
      .option(
        '--contract',
        "also register the storage contract's four activities with the new key, as the contract defines them",
      )
      .option('--json', 'print the answer as JSON'),
  ).action(apiAction(registerCommand));
  withApiOptions(
    vendors.command('remove').description('remove a vendor, its keys and its activities').argument('<id>', 'vendor id'),
  ).action(
    apiAction(async (id: string, flags: ApiFlags) => {
      await clientOf(flags).deleteVendor(id);
      out(`Vendor ${id} removed.`);
    }),
  );
}

async function listCommand(flags: ListFlags): Promise<void> {
  const list = await clientOf(flags).listVendors();
  if (flags.json) return out(JSON.stringify(list, null, 2));
  if (!list.items.length) return out('No vendors registered.');
  const rows = [
    ['ID', 'MODE', 'ONLINE', 'ACTIVITIES', 'WHERE'],
    ...list.items.map((v) => [
      v.id,
      v.mode,
      v.mode === 'temporal' ? (v.online ? 'yes' : 'no') : '-',
      String(v.activities.length),
      v.taskQueue ?? v.webhook?.url ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    out(
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

async function registerCommand(id: string, flags: RegisterFlags): Promise<void> {
  const client = clientOf(flags);
  const created = await client.createVendor({
    id,
    name: flags.name ?? id,
    mode: flags.mode,
    ...(flags.taskQueue ? { taskQueue: flags.taskQueue } : {}),
    ...(flags.webhookUrl ? { webhook: { url: flags.webhookUrl } } : {}),
  });
  if (flags.contract) {
    for (const { name, ...registration } of contractRegistrations())
      await client.putVendorActivity(created.apiKey, name, registration);
  }
  if (flags.json) return out(JSON.stringify(created, null, 2));
  out(
    `Vendor ${id} registered (${created.vendor.mode}${created.vendor.taskQueue ? `, task queue ${created.vendor.taskQueue}` : ''}).`,
  );
  if (flags.contract) out('Its storage-contract activities are registered.');
  out('');
  out(`API key (shown only now; store it safely): ${created.apiKey}`);
  if (created.webhookSecret) out(`Webhook signing secret (shown only now):    ${created.webhookSecret}`);
}
