// VM activities over oVirt REST.
import type { OvirtClient } from './ovirt/client';
import { OvirtNotFoundError } from './ovirt/errors';
import { collection, Disk, DiskAttachment, Vm } from './ovirt/representation';

export interface VmDisk {
  id: string;
  name: string;
  status: string;
  sizeBytes: number;
  storageDomainId?: string;
}
export interface VmSummary {
  id: string;
  name: string;
  status: string;
  disks: VmDisk[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createVmActivities(ovirt: OvirtClient) {
  async function findVm(vm: string) {
    if (UUID.test(vm)) return ovirt.get(`/vms/${vm}`, Vm);
    const [found] = await ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${vm}` } });
    if (!found) throw new OvirtNotFoundError(`No VM named "${vm}"`, 404, 'GET', '/vms');
    return found;
  }

  return {
    /** Reads a VM (by name or id) with its disks. */
    async readVm({ vm }: { vm: string }): Promise<VmSummary> {
      const found = await findVm(vm);
      const attachments = await ovirt.get(`/vms/${found.id}/diskattachments`, collection('disk_attachment', DiskAttachment));
      const disks = await Promise.all(attachments.map((a) => ovirt.get(`/disks/${a.disk.id}`, Disk)));
      return {
        id: found.id,
        name: found.name,
        status: found.status,
        disks: disks.map((d) => ({
          id: d.id,
          name: d.name ?? d.alias ?? d.id,
          status: d.status ?? 'ok',
          sizeBytes: d.provisioned_size ?? 0,
          storageDomainId: d.storage_domains?.storage_domain[0]?.id,
        })),
      };
    },
  };
}
