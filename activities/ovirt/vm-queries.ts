// Reads about VMs that both the activities and the API server's inventory need.
import type { OvirtClient } from './client';
import { OvirtNotFoundError } from './errors';
import { collection, Disk, DiskAttachment, Vm } from './representation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A VM by id (when `ref` is a UUID) or by name; undefined when there is none. */
export async function findVm(ovirt: OvirtClient, ref: string): Promise<Vm | undefined> {
  if (UUID.test(ref)) {
    return ovirt.get(`/vms/${ref}`, Vm).catch((err: unknown) => {
      if (err instanceof OvirtNotFoundError) return undefined;
      throw err;
    });
  }
  return (await ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${ref}` } }))[0];
}

/** The VM's disks, each with its attachment (interface, bootable, active). */
export async function attachedDisks(ovirt: OvirtClient, vmId: string): Promise<{ attachment: DiskAttachment; disk: Disk }[]> {
  const attachments = await ovirt.get(`/vms/${vmId}/diskattachments`, collection('disk_attachment', DiskAttachment));
  return Promise.all(attachments.map(async (attachment) => ({ attachment, disk: await ovirt.get(`/disks/${attachment.disk.id}`, Disk) })));
}
