// What the wizard needs from the engine (VMs with their disks, clone-name checks) and from Temporal (which vendors
// have a worker polling their task queue).
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { OvirtClient } from '../../ovirt/client';
import { collection, Vm } from '../../ovirt/representation';
import { attachedDisks, diskSummary, findVm, vmsNamed } from '../../ovirt/vm-queries';
import { vendorTaskQueue } from '../../common/vendor-contract';
import { HttpProblem } from '../problem';
import { VmName } from './schemas';

export interface InventoryOptions {
  ovirt: OvirtClient;
  client: Client;
  taskQueue: string;
  /** Vendor ids offered in the wizard. */
  vendors: string[];
}

const VENDOR_NAMES: Record<string, string> = { 'acme-storage': 'ACME Storage (simulated demo vendor)' };

export function createInventoryService(opts: InventoryOptions) {
  const { ovirt } = opts;

  async function checkName(name: string) {
    const valid = VmName.safeParse(name);
    if (!valid.success)
      return { name, valid: false, available: false, problem: `The name ${valid.error.issues[0]?.message}.` };
    const taken = (await vmsNamed(ovirt, valid.data)).length > 0;
    return { name, valid: true, available: !taken, problem: taken ? `A VM named ${valid.data} already exists.` : null };
  }

  return {
    checkName,

    async listVms(search?: string) {
      // A listing, not a target: the wildcard here is ours, around a value the schema kept to VM-name characters.
      const vms = await ovirt.get(
        '/vms',
        collection('vm', Vm),
        search ? { query: { search: `name="*${search}*"` } } : {},
      );
      return {
        items: await Promise.all(
          vms.slice(0, 200).map(async (vm) => {
            const disks = await attachedDisks(ovirt, vm.id);
            return { id: vm.id, name: vm.name, status: vm.status, disks: disks.map(({ disk }) => diskSummary(disk)) };
          }),
        ),
      };
    },

    /**
     * The request's vendor and source VM, checked before a flow starts (an unknown one would fail or hang the flow):
     * the VM resolved to exactly one, by id or exact name. An offline vendor is fine (its worker may start late and
     * the flow waits for it); an unknown one is not.
     */
    async resolveSource(req: { sourceVm: string; vendor: string }): Promise<{ id: string; name: string }> {
      if (!opts.vendors.includes(req.vendor)) {
        const message = `is not a known vendor (known: ${opts.vendors.join(', ')})`;
        throw new HttpProblem({
          status: 400,
          title: 'Invalid request',
          detail: `vendor ${req.vendor} ${message}`,
          errors: [{ field: 'body.vendor', message }],
        });
      }
      const source = await findVm(ovirt, req.sourceVm);
      if (!source) {
        throw new HttpProblem({
          status: 400,
          title: 'Invalid request',
          detail: `No VM named or with id "${req.sourceVm}"`,
          errors: [{ field: 'body.sourceVm', message: `no VM named or with id "${req.sourceVm}"` }],
        });
      }
      return { id: source.id, name: source.name };
    },

    /** A clone name that is taken is a 409 before the flow starts. */
    async requireFreeName(cloneName: string): Promise<void> {
      const name = await checkName(cloneName);
      if (!name.available) {
        throw new HttpProblem({
          status: 409,
          title: 'Clone name taken',
          detail: name.problem ?? undefined,
          errors: [{ field: 'body.cloneName', message: 'is taken' }],
        });
      }
    },

    async listVendors() {
      return {
        items: await Promise.all(
          opts.vendors.map(async (id) => {
            const taskQueue = vendorTaskQueue(opts.taskQueue, id);
            const queue = await opts.client.workflowService
              .describeTaskQueue({
                namespace: opts.client.options.namespace,
                taskQueue: { name: taskQueue },
                taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
              })
              .catch(() => undefined);
            return { id, name: VENDOR_NAMES[id] ?? id, online: (queue?.pollers?.length ?? 0) > 0, taskQueue };
          }),
        ),
      };
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
