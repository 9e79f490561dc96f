// VM actions: add, remove, and the power transitions (start -> powering_up -> up, shutdown -> powering_down -> down,
// stop -> down at once), each recorded as an internal job; refusals worded as oVirt's.
import crypto from 'node:crypto';
import { cannotDo, conflict, found, incompleteParameters, linkNotFound } from '../faults';
import type { JobRow } from '../jobs/store';
import type { Caller, InventoryContext } from './context';
import { instantJob, startJob } from './context';
import { appErrors, jobDescriptions, subjects } from './messages';
import type { AddVmInput } from './schemas';
import type { ClusterRow, TemplateRow, VmRow, VmStatus } from './store';

/** Letters, digits, `_`, `-`, `.`; oVirt's limit for VM names is 64 characters. */
const VM_NAME = /^[\p{L}0-9._-]+$/u;
const VM_NAME_MAX = 64;
/** Statuses from which a VM can be shut down or powered off. */
const RUNNING: readonly VmStatus[] = [
  'up',
  'powering_up',
  'paused',
  'wait_for_launch',
  'reboot_in_progress',
  'migrating',
  'not_responding',
  'unknown',
];
/** Statuses from which a VM can be started. */
const STARTABLE: readonly VmStatus[] = ['down', 'suspended', 'paused'];
/** Statuses RunVmValidator refuses as "VM is running" (vmDuringInitialization) rather than by its status matrix. */
const RUNNING_UNSURE: readonly VmStatus[] = ['not_responding', 'unknown'];
/** Statuses RemoveVmCommand lets through (then checks disks and the lock). */
const REMOVABLE: readonly VmStatus[] = ['down', 'image_locked', 'unassigned'];

export interface ActionResult {
  vm: VmRow;
  job: JobRow;
}

export class VmActions {
  private readonly s;

  constructor(private readonly ctx: InventoryContext) {
    const { db } = ctx;
    this.s = {
      insert: db.prepare(
        `INSERT INTO vms (id, name, description, status, memory, cpu_cores, cpu_sockets, cpu_threads, os_type, type, stateless,
           cluster_id, template_id, creation_time, stop_time)
         VALUES (@id, @name, @description, 'down', @memory, @cores, @sockets, @threads, @os_type, @type, @stateless,
           @cluster_id, @template_id, @now, @now)`,
      ),
      remove: db.prepare('DELETE FROM vms WHERE id = ?'),
      removeAttachments: db.prepare('DELETE FROM disk_attachments WHERE vm_id = ?'),
      removeDisk: db.prepare(
        'DELETE FROM disks WHERE id = ? AND NOT EXISTS (SELECT 1 FROM disk_attachments WHERE disk_id = disks.id)',
      ),
      transition: db.prepare(
        `UPDATE vms SET status = @status, transition_status = @target, transition_ends_at = @ends_at, transition_job_id = @job
         WHERE id = @id`,
      ),
      powerOff: db.prepare(
        `UPDATE vms SET status = 'down', stop_time = @now,
           transition_status = NULL, transition_ends_at = NULL, transition_job_id = NULL
         WHERE id = @id`,
      ),
    };
  }

  /** `POST /vms`: a new VM, `down`, with the template's memory, CPU and OS unless the body gives them. */
  add(body: AddVmInput, caller: Caller): VmRow {
    const name = body.name;
    if (name.length > VM_NAME_MAX) throw cannotDo(appErrors.nameTooLong(subjects.addVm));
    if (!VM_NAME.test(name)) throw cannotDo(appErrors.nameSpecialCharacters(subjects.addVm));
    const cluster = this.cluster(body.cluster);
    const template = this.template(body.template);
    const id = crypto.randomUUID();
    const now = this.ctx.jobs.now();
    const { store } = this.ctx;
    this.ctx.db.transaction(() => {
      if (store.vmByName(name)) throw conflict(appErrors.nameAlreadyUsed(subjects.addVm));
      const topology = body.cpu?.topology;
      this.s.insert.run({
        id,
        name,
        description: body.description ?? null,
        memory: body.memory ?? template.memory,
        cores: topology?.cores ?? template.cpu_cores,
        sockets: topology?.sockets ?? template.cpu_sockets,
        threads: topology?.threads ?? template.cpu_threads,
        os_type: body.os?.type ?? template.os_type,
        type: body.type ?? 'server',
        stateless: body.stateless ? 1 : 0,
        cluster_id: cluster.id,
        template_id: template.id,
        now,
      });
      instantJob(this.ctx, jobDescriptions.addVm(name, cluster.name), caller, now);
    })();
    return store.vm(id)!;
  }

  /** `DELETE /vms/{id}`: only a down VM; its disks go too unless `detachOnly`. Checks in RemoveVmCommand's order. */
  remove(vmId: string, detachOnly: boolean, caller: Caller): void {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    const { store } = this.ctx;
    const s = subjects.removeVm;
    if (vm.status === 'suspended') throw conflict(appErrors.suspendedVmNotRemovable());
    if (!REMOVABLE.includes(vm.status)) throw conflict(appErrors.vmIsRunning(s));
    const disks = store.disksOfVm(vm.id);
    const locked = disks.filter((d) => d.status === 'locked').map((d) => d.name);
    if (locked.length) throw conflict(appErrors.disksLocked(s, locked));
    if (vm.status === 'image_locked') throw conflict(appErrors.vmIsLocked(s));
    this.ctx.db.transaction(() => {
      this.s.removeAttachments.run(vm.id);
      this.s.remove.run(vm.id);
      // A shareable disk still attached elsewhere stays.
      if (!detachOnly) for (const disk of disks) this.s.removeDisk.run(disk.id);
      instantJob(this.ctx, jobDescriptions.removeVm(vm.name), caller);
    })();
  }

  /** `POST /vms/{id}/start`: down -> powering_up -> up after transitionMs. Checks in RunVmValidator's order. */
  start(vmId: string, caller: Caller): ActionResult {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    const s = subjects.runVm;
    if (vm.status === 'image_locked') throw conflict(appErrors.vmIsLocked(s));
    if (RUNNING_UNSURE.includes(vm.status)) throw conflict(appErrors.vmIsRunning(s));
    if (!STARTABLE.includes(vm.status)) throw conflict(appErrors.vmStatusIllegal(s, vm.status));
    const locked = this.ctx.store
      .disksOfVm(vm.id)
      .filter((d) => d.status === 'locked')
      .map((d) => d.name);
    if (locked.length) throw conflict(appErrors.disksLocked(s, locked));
    return this.transition(vm, 'powering_up', 'up', jobDescriptions.runVm(vm.name), caller);
  }

  /**
   * `POST /vms/{id}/shutdown`: a running VM -> powering_down -> down after transitionMs. As in StopVmCommandBase, a
   * VM that is not running (an image-locked one included) is "not running".
   */
  shutdown(vmId: string, caller: Caller): ActionResult {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    const s = subjects.shutdownVm;
    if (vm.status === 'powering_down') throw conflict(appErrors.vmPoweringDown(s));
    if (!RUNNING.includes(vm.status)) throw conflict(appErrors.vmIsNotRunning(s));
    return this.transition(vm, 'powering_down', 'down', jobDescriptions.shutdownVm(vm.name), caller);
  }

  /** `POST /vms/{id}/stop`: power off, `down` at once; a transition in flight is abandoned (its job FAILED). */
  stop(vmId: string, caller: Caller): ActionResult {
    const vm = found(this.ctx.store.vm(vmId), vmId);
    if (vm.status !== 'powering_down' && !RUNNING.includes(vm.status))
      throw conflict(appErrors.vmIsNotRunning(subjects.stopVm));
    const now = this.ctx.jobs.now();
    const job = this.ctx.db.transaction(() => {
      if (vm.transition_job_id) this.ctx.work.cancel(vm.transition_job_id, now);
      this.s.powerOff.run({ id: vm.id, now });
      return instantJob(this.ctx, jobDescriptions.stopVm(vm.name), caller, now);
    })();
    return { vm: this.ctx.store.vm(vm.id)!, job };
  }

  private transition(vm: VmRow, status: VmStatus, target: VmStatus, description: string, caller: Caller): ActionResult {
    const now = this.ctx.jobs.now();
    const endsAt = now + this.ctx.transitionMs;
    const job = this.ctx.db.transaction(() => {
      if (vm.transition_job_id) this.ctx.work.cancel(vm.transition_job_id, now);
      const started = startJob(this.ctx, description, caller, now);
      this.s.transition.run({ id: vm.id, status, target, ends_at: endsAt, job: started.id });
      this.ctx.work.begin(started.id, 'vm_power', vm.id, endsAt);
      return started;
    })();
    return { vm: this.ctx.store.vm(vm.id)!, job };
  }

  private cluster(ref: { id?: string; name?: string }): ClusterRow {
    const { store } = this.ctx;
    if (ref.id) return store.cluster(ref.id) ?? notFound('Cluster', `id=${ref.id}`);
    if (ref.name) return store.clusterByName(ref.name) ?? notFound('Cluster', `name=${ref.name}`);
    throw incompleteParameters('Vm', ['cluster.id|name'], 'add');
  }

  private template(ref: { id?: string; name?: string }): TemplateRow {
    const { store } = this.ctx;
    if (ref.id) return store.template(ref.id) ?? notFound('Template', `id=${ref.id}`);
    if (ref.name) return store.templateByName(ref.name) ?? notFound('Template', `name=${ref.name}`);
    throw incompleteParameters('Vm', ['template.id|name'], 'add');
  }
}

function notFound(type: string, what: string): never {
  throw linkNotFound(type, what);
}
