// VM activities over oVirt REST. Each one is safe to run again (a retry, a restarted worker): it looks at the
// current state before acting, and waits for oVirt's asynchronous work to end before it returns.
import { ApplicationFailure } from '@temporalio/activity';
import type { OvirtClient } from '../ovirt/client';
import { OvirtNotFoundError } from '../ovirt/errors';
import { collection, DiskAttachment, Vm } from '../ovirt/representation';
import { attachedDisks, diskSummary, findVm, vmsNamed, type DiskSummary } from '../ovirt/vm-queries';
import { waitForEngineJobs } from './engine-work';
import { flowCorrelationId, waitUntil } from './flow-context';

export interface VmDisk extends DiskSummary {
  storageDomainId?: string;
  interface: string;
  bootable: boolean;
}
export interface VmSummary {
  id: string;
  name: string;
  status: string;
  disks: VmDisk[];
}
/** What a clone copies of its source. */
export interface VmDetails extends VmSummary {
  clusterId?: string;
  memory?: number;
  cpu?: { cores?: number; sockets?: number; threads?: number };
  osType?: string;
  type?: string;
}

export interface VmActivityDeps {
  ovirt: OvirtClient;
  /** How often waits poll the engine. @default 1000 */
  pollIntervalMs?: number;
}

/** Whether this flow made the VM: createVm writes the flow's marker into its description. */
const madeBy = (vm: Vm, marker: string) => vm.description?.endsWith(`(${marker})`) === true;

export function createVmActivities(deps: VmActivityDeps) {
  const engine = () => deps.ovirt.withCorrelationId(flowCorrelationId());
  const wait = { intervalMs: deps.pollIntervalMs ?? 1000 };

  const vmStatus = async (ovirt: OvirtClient, vmId: string) => (await ovirt.get(`/vms/${vmId}`, Vm)).status;

  /** Waits until the VM reaches `status`. */
  const reach = (ovirt: OvirtClient, vmId: string, name: string, status: string) =>
    waitUntil(
      `VM ${name} to be ${status}`,
      async () => ((await vmStatus(ovirt, vmId)) === status ? true : undefined),
      wait,
    );

  /** Removes the VM (powering it off first), keeping its disks for their own undo; done if it is gone already. */
  const removeVmNow = async (ovirt: OvirtClient, vmId: string, name: string) => {
    let status: string;
    try {
      status = await vmStatus(ovirt, vmId);
    } catch (err) {
      if (err instanceof OvirtNotFoundError) return;
      throw err;
    }
    if (status !== 'down') {
      if (status !== 'powering_down') await ovirt.action(`/vms/${vmId}/stop`, {});
      await reach(ovirt, vmId, name, 'down');
    }
    await ovirt.delete(`/vms/${vmId}`, { query: { detach_only: 'true' } }).catch((err) => {
      if (!(err instanceof OvirtNotFoundError)) throw err;
    });
  };

  return {
    /** Reads a VM (by name or id) with its disks and the configuration a clone copies. */
    async readVm({ vm }: { vm: string }): Promise<VmDetails> {
      const ovirt = engine();
      const found = await findVm(ovirt, vm);
      if (!found) throw new OvirtNotFoundError(`No VM named "${vm}"`, 404, 'GET', '/vms');
      const disks = await attachedDisks(ovirt, found.id);
      return {
        id: found.id,
        name: found.name,
        status: found.status,
        clusterId: found.cluster?.id,
        memory: found.memory,
        cpu: found.cpu?.topology,
        osType: found.os?.type,
        type: found.type,
        disks: disks.map(({ attachment, disk }) => ({
          ...diskSummary(disk),
          storageDomainId: disk.storage_domains?.storage_domain[0]?.id,
          interface: attachment.interface ?? 'virtio_scsi',
          bootable: attachment.bootable ?? false,
        })),
      };
    },

    /** Shuts the VM down (guest shutdown) and waits until it is down. */
    async shutdownVm({ vmId, name }: { vmId: string; name: string }): Promise<void> {
      const ovirt = engine();
      const status = await vmStatus(ovirt, vmId);
      if (status === 'down') return;
      if (status !== 'powering_down') await ovirt.action(`/vms/${vmId}/shutdown`, {});
      await reach(ovirt, vmId, name, 'down');
      await waitForEngineJobs(ovirt, `shutting down ${name}`, wait.intervalMs);
    },

    /** Starts the VM and waits until it is up. */
    async startVm({ vmId, name }: { vmId: string; name: string }): Promise<void> {
      const ovirt = engine();
      const status = await vmStatus(ovirt, vmId);
      if (status === 'up') return;
      if (status !== 'powering_up') await ovirt.action(`/vms/${vmId}/start`, {});
      await reach(ovirt, vmId, name, 'up');
      await waitForEngineJobs(ovirt, `starting ${name}`, wait.intervalMs);
    },

    /**
     * Creates a VM named `name` with the source's configuration, and waits until it is down (created).
     * `marker` (the flow id) goes into its description, so a retry recognises the VM it made earlier, while
     * a VM of that name made by anyone else is a clear, final error.
     */
    async createVm({
      name,
      source,
      marker,
    }: {
      name: string;
      source: VmDetails;
      marker: string;
    }): Promise<{ vmId: string }> {
      const ovirt = engine();
      const description = `Rapid clone of ${source.name} (${marker})`;
      const [existing] = await vmsNamed(ovirt, name);
      if (existing && !madeBy(existing, marker)) {
        throw ApplicationFailure.nonRetryable(`A VM named "${name}" already exists`, 'VmNameTaken');
      }
      const vm =
        existing ??
        (await ovirt.post(
          '/vms',
          {
            name,
            description,
            cluster: { id: source.clusterId },
            template: { name: 'Blank' },
            ...(source.memory ? { memory: source.memory } : {}),
            ...(source.cpu ? { cpu: { topology: source.cpu } } : {}),
            ...(source.osType ? { os: { type: source.osType } } : {}),
            ...(source.type ? { type: source.type } : {}),
          },
          Vm,
        ));
      await reach(ovirt, vm.id, name, 'down');
      return { vmId: vm.id };
    },

    /** Attaches a disk (active) unless it is attached already. */
    async attachDisk(input: { vmId: string; diskId: string; interface: string; bootable: boolean }): Promise<void> {
      const ovirt = engine();
      const attached = await ovirt.get(
        `/vms/${input.vmId}/diskattachments`,
        collection('disk_attachment', DiskAttachment),
      );
      if (attached.some((a) => a.disk.id === input.diskId)) return;
      // oVirt leaves a disk inactive unless `active` is sent.
      await ovirt.post(
        `/vms/${input.vmId}/diskattachments`,
        { disk: { id: input.diskId }, interface: input.interface, bootable: input.bootable, active: true },
        DiskAttachment,
      );
    },

    /**
     * Undo of createVm: removes the VM named `name` that this flow made (its description carries `marker`), if
     * there is one; a VM of that name made by anyone else is left alone.
     */
    async removeVmMade({ name, marker }: { name: string; marker: string }): Promise<void> {
      const ovirt = engine();
      for (const vm of await vmsNamed(ovirt, name)) if (madeBy(vm, marker)) await removeVmNow(ovirt, vm.id, name);
    },
  };
}
