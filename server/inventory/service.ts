// What the wizard needs from the engine: VMs with their disks, clone-name checks, the source VM of a flow.
import type { OvirtClient } from '../../ovirt/client';
import { collection, Vm } from '../../ovirt/representation';
import { attachedDisks, diskSummary, findVm, vmsNamed } from '../../ovirt/vm-queries';
import { HttpProblem } from '../problem';
import { storageInputsFor } from '../vendors/flow-inputs';
import { VmName } from './schemas';

export interface InventoryOptions {
  ovirt: OvirtClient;
}

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

    /** The request's source VM, resolved to exactly one, by id or exact name (else a 400 naming the field). */
    async resolveSource(req: { sourceVm: string }): Promise<{ id: string; name: string }> {
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

    /** What a flow from this VM will send the storage contract's activities (see vendors/flow-inputs.ts). */
    storageInputs: (source: { id: string; name: string }, cloneName?: string) =>
      storageInputsFor(ovirt, source, cloneName),

    /**
     * Names that must all be free (a bulk clone's): a 400 naming each taken one (`field(i)`), looked up a few at a
     * time.
     */
    async requireFreeNames(names: readonly string[], field: (index: number) => string): Promise<void> {
      const taken: { field: string; message: string }[] = [];
      for (let i = 0; i < names.length; i += 10) {
        const checks = await Promise.all(names.slice(i, i + 10).map((name) => checkName(name)));
        checks.forEach((c, j) => {
          if (!c.available) taken.push({ field: field(i + j), message: `${c.name} is taken` });
        });
      }
      if (taken.length)
        throw new HttpProblem({
          status: 400,
          title: 'Clone names taken',
          detail: `${taken.length} of the ${names.length} names are taken: ${taken.map((t) => t.message.split(' ')[0]).join(', ')}`,
          errors: taken,
        });
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
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
