// Snapshot removal = merge: the snapshot and the VM's disks are locked for transitionMs, then the snapshot is gone
// and the disks are ok again. Live (VM up) or cold (VM down), as oVirt does.
import { cannotDo, conflict, found } from '../faults';
import type { JobRow } from '../jobs/store';
import type { Caller, InventoryContext } from './context';
import { startJob } from './context';
import type { VmStatus } from './store';
import { appErrors, jobDescriptions, subjects } from './messages';

/** VmValidator.vmQualifiedForSnapshotMerge: down, or up / paused (live merge). */
const QUALIFIED: readonly VmStatus[] = ['down', 'up', 'paused'];

export class SnapshotActions {
  private readonly s;

  constructor(private readonly ctx: InventoryContext) {
    const { db } = ctx;
    this.s = {
      lockSnapshot: db.prepare(
        `UPDATE snapshots SET status = 'locked', lock_ends_at = @ends_at, lock_job_id = @job WHERE id = @id`,
      ),
      lockDisksOfVm: db.prepare(
        `UPDATE disks SET status = 'locked', lock_ends_at = @ends_at, lock_job_id = @job
         WHERE id IN (SELECT disk_id FROM disk_attachments WHERE vm_id = @vm_id)`,
      ),
    };
  }

  /** `DELETE /vms/{vm}/snapshots/{sid}`: starts the merge and answers at once. Checks in RemoveSnapshotCommand's order. */
  remove(vmId: string, snapshotId: string, caller: Caller): JobRow {
    const { store } = this.ctx;
    const vm = found(store.vm(vmId), vmId);
    const snapshot = found(store.snapshot(vm.id, snapshotId), snapshotId);
    const s = subjects.removeSnapshot;
    // Any snapshot of the VM being locked (a merge in flight) refuses the next one.
    if (store.snapshotsOfVm(vm.id).some((other) => other.status === 'locked'))
      throw conflict(appErrors.vmIsDuringSnapshot(s));
    if (snapshot.type === 'active') throw cannotDo(appErrors.snapshotNotRegular(s));
    // Down, or up / paused for a live merge (an image-locked VM included in the refusal).
    if (!QUALIFIED.includes(vm.status)) throw conflict(appErrors.vmIsNotDownOrUp(s, vm.name));
    const locked = store
      .disksOfVm(vm.id)
      .filter((d) => d.status === 'locked')
      .map((d) => d.name);
    if (locked.length) throw conflict(appErrors.disksLocked(s, locked));
    const now = this.ctx.jobs.now();
    const endsAt = now + this.ctx.transitionMs;
    return this.ctx.db.transaction(() => {
      const job = startJob(this.ctx, jobDescriptions.removeSnapshot(snapshot.description, vm.name), caller, now);
      this.s.lockSnapshot.run({ id: snapshot.id, ends_at: endsAt, job: job.id });
      this.s.lockDisksOfVm.run({ vm_id: vm.id, ends_at: endsAt, job: job.id });
      this.ctx.work.begin(job.id, 'snapshot_merge', snapshot.id, endsAt);
      return job;
    })();
  }
}
