// Reads about VMs that both the activities and the API server's inventory need.
import type { OvirtClient } from './client';
import { OvirtNotFoundError } from './errors';
import { collection, Disk, DiskAttachment, Vm } from './representation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** oVirt's rule for VM names: letters, digits, '_', '-' and '.', at most 64 characters (no search wildcard). */
export const VM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The VMs named exactly `name`. oVirt's search treats `*` as a wildcard (and its SQL LIKE may match more), so the
 * value is quoted, must be a valid VM name, and the answer is filtered for the exact name: a search never picks a
 * VM by pattern.
 */
export async function vmsNamed(ovirt: OvirtClient, name: string): Promise<Vm[]> {
  if (!VM_NAME.test(name)) return [];
  const vms = await ovirt.get('/vms', collection('vm', Vm), { query: { search: `name="${name}"` } });
  return vms.filter((vm) => vm.name === name);
}

/** Exactly one VM: by id when `ref` is a UUID, else by exact name; undefined when there is none. */
export async function findVm(ovirt: OvirtClient, ref: string): Promise<Vm | undefined> {
  if (UUID.test(ref)) {
    const id = ref.toLowerCase();
    const vm = await ovirt.get(`/vms/${id}`, Vm).catch((err: unknown) => {
      if (err instanceof OvirtNotFoundError) return undefined;
      throw err;
    });
    return vm?.id.toLowerCase() === id ? vm : undefined;
  }
  const named = await vmsNamed(ovirt, ref);
  return named.length === 1 ? named[0] : undefined;
}

/** The VM's disks, each with its attachment (interface, bootable, active). */
export async function attachedDisks(
  ovirt: OvirtClient,
  vmId: string,
): Promise<{ attachment: DiskAttachment; disk: Disk }[]> {
  const attachments = await ovirt.get(`/vms/${vmId}/diskattachments`, collection('disk_attachment', DiskAttachment));
  return Promise.all(
    attachments.map(async (attachment) => ({
      attachment,
      disk: await ovirt.get(`/disks/${attachment.disk.id}`, Disk),
    })),
  );
}

/** A disk as hybridflow shows it (to the flows and to the wizard). */
export interface DiskSummary {
  id: string;
  /** Its name, else its alias, else its id. */
  name: string;
  status: string;
  sizeBytes: number;
}

export function diskSummary(disk: Disk): DiskSummary {
  return {
    id: disk.id,
    name: disk.name ?? disk.alias ?? disk.id,
    status: disk.status ?? 'ok',
    sizeBytes: disk.provisioned_size ?? 0,
  };
}
