// Disk actions: remove, copy (both disks locked for transitionMs), attach / detach to VMs, and registration of
// images a storage array placed in a domain.
import crypto from 'node:crypto';
import {
  cannotDo,
  conflict,
  entityNotFound,
  found,
  incompleteParameters,
  invalidEnumValue,
  linkNotFound,
} from '../faults';
import type { JobRow } from '../jobs/store';
import type { Caller, InventoryContext } from './context';
import { instantJob, startJob } from './context';
import { appErrors, jobDescriptions, subjects } from './messages';
import { DISK_INTERFACES } from './store';
import type { DiskAttachmentRow, DiskInterface, DiskRow, StorageDomainRow, VmRow } from './store';

export interface NewAttachment {
  diskId: string;
  interface: string;
  bootable?: boolean;
  active?: boolean;
  readOnly?: boolean;
  passDiscard?: boolean;
}

export class DiskActions {
  private readonly s;

  constructor(private readonly ctx: InventoryContext) {
    const { db } = ctx;
    this.s = {
      remove: db.prepare('DELETE FROM disks WHERE id = ?'),
      removeAttachmentsOfDisk: db.prepare('DELETE FROM disk_attachments WHERE disk_id = ?'),
      lock: db.prepare(
        `UPDATE disks SET status = 'locked', lock_ends_at = @ends_at, lock_job_id = @job WHERE id = @id`,
      ),
      insertCopy: db.prepare(
        `INSERT INTO disks (id, name, description, status, provisioned_size, actual_size, format, sparse, storage_domain_id,
           registered, shareable, wipe_after_delete, creation_time, lock_ends_at, lock_job_id, source_disk_id)
         SELECT @id, @name, description, 'locked', provisioned_size, actual_size, format, sparse, @domain,
           1, shareable, wipe_after_delete, @now, @ends_at, @job, id
         FROM disks WHERE id = @source`,
      ),
      attach: db.prepare(
        `INSERT INTO disk_attachments (vm_id, disk_id, interface, bootable, active, read_only, pass_discard)
         VALUES (@vm_id, @disk_id, @interface, @bootable, @active, @read_only, @pass_discard)`,
      ),
      detach: db.prepare('DELETE FROM disk_attachments WHERE vm_id = ? AND disk_id = ?'),
      register: db.prepare(`UPDATE disks SET registered = 1, status = 'ok' WHERE id = ?`),
    };
  }

  /** `DELETE /disks/{id}`: not while locked or plugged into a VM that is not down; its attachments go too. */
  remove(diskId: string, caller: Caller): void {
    const disk = found(this.ctx.store.disk(diskId), diskId);
    if (disk.status === 'locked') throw conflict(appErrors.disksLocked(subjects.removeDisk, [disk.name]));
    if (this.pluggedIntoVmNotDown(disk)) throw conflict(appErrors.vmIsNotDown(subjects.removeDisk));
    this.ctx.db.transaction(() => {
      this.s.removeAttachmentsOfDisk.run(disk.id);
      this.s.remove.run(disk.id);
      instantJob(this.ctx, jobDescriptions.removeDisk(disk.name), caller);
    })();
  }

  /** `POST /disks/{id}/copy`: a new disk in the target domain; source and copy are locked for transitionMs. */
  copy(
    diskId: string,
    target: { id?: string; name?: string },
    name: string | undefined,
    caller: Caller,
  ): { copy: DiskRow; job: JobRow } {
    const disk = found(this.ctx.store.disk(diskId), diskId);
    const domain = this.domain(target);
    if (disk.status === 'locked') throw conflict(appErrors.disksLocked(subjects.copyDisk, [disk.name]));
    if (this.pluggedIntoVmNotDown(disk)) throw conflict(appErrors.vmIsNotDown(subjects.copyDisk));
    const source = this.ctx.store.storageDomain(disk.storage_domain_id)!;
    const now = this.ctx.jobs.now();
    const endsAt = now + this.ctx.transitionMs;
    const copyId = crypto.randomUUID();
    const job = this.ctx.db.transaction(() => {
      const started = startJob(this.ctx, jobDescriptions.copyDisk(disk.name, source.name, domain.name), caller, now);
      this.s.lock.run({ id: disk.id, ends_at: endsAt, job: started.id });
      this.s.insertCopy.run({
        id: copyId,
        name: name ?? disk.name,
        domain: domain.id,
        now,
        ends_at: endsAt,
        job: started.id,
        source: disk.id,
      });
      this.ctx.work.begin(started.id, 'disk_copy', copyId, endsAt);
      return started;
    })();
    return { copy: this.ctx.store.disk(copyId)!, job };
  }

  /** `POST /vms/{id}/diskattachments`: `active` left out means false, as in oVirt. Checks in AttachDiskToVmCommand's order. */
  attach(vmId: string, input: NewAttachment, caller: Caller): DiskAttachmentRow {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    const iface = input.interface.toLowerCase();
    if (!(DISK_INTERFACES as readonly string[]).includes(iface))
      throw invalidEnumValue(input.interface, 'DiskInterface', DISK_INTERFACES);
    const { store } = this.ctx;
    const disk = store.diskAnyRegistration(input.diskId);
    if (!disk) throw entityNotFound(input.diskId);
    const s = subjects.attachDisk;
    // An image nobody registered is no disk to oVirt: the command finds none.
    if (!disk.registered) throw cannotDo(appErrors.vmImageDoesNotExist(s));
    if (disk.status === 'locked') throw conflict(appErrors.disksLocked(s, [disk.name]));
    // oVirt refuses every status but Up, Paused and Down (AbstractDiskVmCommand.isVmInUpPausedDownStatus); the
    // built-in engine only an image-locked VM.
    if (vm.status === 'image_locked') throw conflict(appErrors.vmStatusIllegal(s, vm.status));
    const bootable = input.bootable ?? false;
    const boot = bootable ? store.attachmentsOfVm(vm.id).find((a) => a.bootable) : undefined;
    if (boot) throw conflict(appErrors.diskBootInUse(s, store.diskAnyRegistration(boot.disk_id)!.name, vm.name));
    const holders = this.vmsOf(disk);
    if (holders.some((other) => other.id === vm.id)) throw conflict(appErrors.diskAlreadyAttached(s));
    if (!disk.shareable && holders.length) throw conflict(appErrors.notShareableDiskAlreadyAttached(s));
    this.ctx.db.transaction(() => {
      this.s.attach.run({
        vm_id: vm.id,
        disk_id: disk.id,
        interface: iface as DiskInterface,
        bootable: bootable ? 1 : 0,
        active: input.active ? 1 : 0,
        read_only: input.readOnly ? 1 : 0,
        pass_discard: input.passDiscard ? 1 : 0,
      });
      instantJob(this.ctx, jobDescriptions.attachDisk(disk.name, vm.name), caller);
    })();
    return store.attachment(vm.id, disk.id)!;
  }

  /** `DELETE /vms/{vm}/diskattachments/{id}`: the disk stays; an active disk of a VM that is not down is refused. */
  detach(vmId: string, diskId: string, caller: Caller): void {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    const attachment = this.ctx.store.attachment(vm.id, diskId);
    if (!attachment) throw entityNotFound(diskId);
    const disk = this.ctx.store.diskAnyRegistration(diskId)!;
    if (disk.status === 'locked') throw conflict(appErrors.disksLocked(subjects.detachDisk, [disk.name]));
    // A real engine unplugs an active disk of a running VM first (hot unplug); the built-in engine refuses, worded as
    // oVirt refuses to act on a disk plugged into a VM that is not down.
    if (attachment.active && vm.status !== 'down') throw conflict(appErrors.vmIsNotDown(subjects.detachDisk));
    this.ctx.db.transaction(() => {
      this.s.detach.run(vm.id, disk.id);
      instantJob(this.ctx, jobDescriptions.detachDisk(disk.name, vm.name), caller);
    })();
  }

  /** `GET /storagedomains/{sd}/disks;unregistered`. */
  unregistered(domainId: string): DiskRow[] {
    const domain = this.ctx.store.storageDomain(domainId);
    if (!domain) throw entityNotFound(domainId);
    return this.ctx.store.disksOfDomain(domain.id, false);
  }

  /** `POST /storagedomains/{sd}/disks;unregistered` `{disk: {id}}`: the image becomes a disk, status ok. */
  register(domainId: string, diskId: string, caller: Caller): DiskRow {
    const domain = this.ctx.store.storageDomain(domainId);
    if (!domain) throw entityNotFound(domainId);
    const disk = this.ctx.store.diskAnyRegistration(diskId);
    if (!disk || disk.storage_domain_id !== domain.id) throw entityNotFound(diskId);
    // RegisterDiskCommand refuses a disk the engine has already with ACTION_TYPE_FAILED_DISKS_LOCKED, naming it.
    if (disk.registered) throw conflict(appErrors.disksLocked(subjects.registerDisk, [disk.name]));
    this.ctx.db.transaction(() => {
      this.s.register.run(disk.id);
      instantJob(this.ctx, jobDescriptions.registerDisk(disk.name), caller);
    })();
    return this.ctx.store.disk(disk.id)!;
  }

  /**
   * Attached to a VM that is not down (oVirt's DiskValidator.isDiskPluggedToVmsThatAreNotDown looks at plugged,
   * i.e. active, attachments only; the built-in engine has always counted every attachment).
   */
  private pluggedIntoVmNotDown(disk: DiskRow): boolean {
    return this.vmsOf(disk).some((vm) => vm.status !== 'down');
  }

  private vmsOf(disk: DiskRow): VmRow[] {
    return this.ctx.store.attachmentsOfDisk(disk.id).map((a) => this.ctx.store.vm(a.vm_id)!);
  }

  private domain(ref: { id?: string; name?: string }): StorageDomainRow {
    const { store } = this.ctx;
    const found = ref.id ? store.storageDomain(ref.id) : ref.name ? store.storageDomainByName(ref.name) : undefined;
    if (found) return found;
    if (!ref.id && !ref.name) throw incompleteParameters('Action', ['storageDomain.id|name'], 'copy');
    throw linkNotFound('StorageDomain', ref.id ? `id=${ref.id}` : `name=${ref.name}`);
  }
}
