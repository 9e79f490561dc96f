// oVirt's wording, checked against oVirt's own source (oVirt/ovirt-engine, backend/manager/modules/dal/src/main/
// resources/bundles/): job descriptions from ExecutionMessages.properties, refusals from AppErrors.properties. Each
// entry names its key so it can be checked again. Refusals are whole messages: oVirt's texts do not all have the
// shape `Cannot <action> <type>. <reason>` (some say `Cannot x y: ...`, `Can not x y. ...`, `Cannot x y because ...`).
import type { VmStatus } from './store';

/** Job descriptions: `job.<ActionType>` of ExecutionMessages.properties, `${VM}` etc. filled with entity names. */
export const jobDescriptions = {
  /**
   * job.AddVm=Creating VM ${VM} in Cluster ${Cluster}. The REST layer runs AddVm for a template other than Blank and
   * AddVmFromScratch (same text) for Blank; only a clone (`clone=true`, not supported here) runs AddVmFromTemplate
   * (`Creating VM ${VM} from Template ${VmTemplate} in Cluster ${Cluster}`).
   */
  addVm: (vm: string, cluster: string) => `Creating VM ${vm} in Cluster ${cluster}`,
  /** job.RemoveVm */
  removeVm: (vm: string) => `Removing VM ${vm} from system`,
  /** job.RunVm */
  runVm: (vm: string) => `Launching VM ${vm}`,
  /** job.ShutdownVm */
  shutdownVm: (vm: string) => `Shutting down VM ${vm}`,
  /** job.StopVm */
  stopVm: (vm: string) => `Stopping VM ${vm}`,
  /** job.RemoveSnapshot; `${Snapshot}` is the snapshot's description. */
  removeSnapshot: (snapshot: string, vm: string) => `Removing Snapshot ${snapshot} of VM ${vm}`,
  /** job.MoveOrCopyDisk=${Action} Disk ${DiskAlias} from ${SourceSD} to ${TargetSD}, `${Action}` = `Copying`. */
  copyDisk: (disk: string, from: string, to: string) => `Copying Disk ${disk} from ${from} to ${to}`,
  /** job.RemoveDisk */
  removeDisk: (disk: string) => `Removing Disk ${disk}`,
  /**
   * NOT oVirt: AttachDiskToVm and DetachDiskFromVm are not monitored commands in oVirt (ActionType flag false), so a
   * real engine records no job for them and ExecutionMessages has no text. The built-in engine keeps its job.
   */
  attachDisk: (disk: string, vm: string) => `Attaching Disk ${disk} to VM ${vm}`,
  /** NOT oVirt: see `attachDisk`. */
  detachDisk: (disk: string, vm: string) => `Detaching Disk ${disk} from VM ${vm}`,
  /** job.RegisterDisk=Importing Disk ${DiskAlias} */
  registerDisk: (disk: string) => `Importing Disk ${disk}`,
} as const;

/** The `${action}` and `${type}` of a command's messages: its VAR__ACTION__* and VAR__TYPE__* words. */
export interface Subject {
  action: string;
  type: string;
}

export const subjects = {
  /** VAR__ACTION__ADD, VAR__TYPE__VM (AddVmCommand) */
  addVm: { action: 'add', type: 'VM' },
  /** VAR__ACTION__REMOVE, VAR__TYPE__VM (RemoveVmCommand) */
  removeVm: { action: 'remove', type: 'VM' },
  /** VAR__ACTION__RUN, VAR__TYPE__VM (RunVmCommand) */
  runVm: { action: 'run', type: 'VM' },
  /** VAR__ACTION__SHUTDOWN, VAR__TYPE__VM (ShutdownVmCommand) */
  shutdownVm: { action: 'shutdown', type: 'VM' },
  /** VAR__ACTION__STOP, VAR__TYPE__VM (StopVmCommand) */
  stopVm: { action: 'stop', type: 'VM' },
  /** VAR__ACTION__REMOVE, VAR__TYPE__SNAPSHOT (RemoveSnapshotCommand) */
  removeSnapshot: { action: 'remove', type: 'Snapshot' },
  /** VAR__ACTION__REMOVE, VAR__TYPE__DISK (RemoveDiskCommand) */
  removeDisk: { action: 'remove', type: 'Virtual Disk' },
  /** VAR__ACTION__COPY, VAR__TYPE__DISK (MoveOrCopyDiskCommand) */
  copyDisk: { action: 'copy', type: 'Virtual Disk' },
  /** VAR__ACTION__ATTACH_ACTION_TO, VAR__TYPE__DISK (AttachDiskToVmCommand) */
  attachDisk: { action: 'attach', type: 'Virtual Disk' },
  /** VAR__ACTION__DETACH_ACTION_TO, VAR__TYPE__DISK (DetachDiskFromVmCommand) */
  detachDisk: { action: 'detach', type: 'Virtual Disk' },
  /** VAR__ACTION__IMPORT, VAR__TYPE__DISK (RegisterDiskCommand: registering says "import") */
  registerDisk: { action: 'import', type: 'Virtual Disk' },
} as const satisfies Record<string, Subject>;

/** VAR__VM_STATUS__*: how oVirt names a VM status in messages (`${vmStatus}`). */
const VM_STATUS_NAMES: Record<VmStatus, string> = {
  up: 'Up',
  down: 'Down',
  powering_up: 'Powering Up',
  powering_down: 'Powering Down',
  paused: 'Paused',
  suspended: 'Suspended',
  image_locked: 'Image Locked',
  migrating: 'Migrating',
  unknown: 'Unknown',
  not_responding: 'Not Responding',
  wait_for_launch: 'Wait for Launch',
  reboot_in_progress: 'Reboot in Progress',
  saving_state: 'Saving State',
  restoring_state: 'Restoring State',
  unassigned: 'Unassigned',
};

/** Refusals: AppErrors.properties, `${action} ${type}` from the command's subject. */
export const appErrors = {
  /** ACTION_TYPE_FAILED_VM_IS_LOCKED */
  vmIsLocked: (s: Subject) => `Cannot ${s.action} ${s.type}: VM is locked. Please try again in a few minutes.`,
  /** ACTION_TYPE_FAILED_VM_IS_RUNNING */
  vmIsRunning: (s: Subject) => `Cannot ${s.action} ${s.type}. VM is running.`,
  /** ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING */
  vmIsNotRunning: (s: Subject) => `Cannot ${s.action} ${s.type}. VM is not running.`,
  /** ACTION_TYPE_FAILED_VM_IS_NOT_DOWN (DiskValidator: a disk plugged into a VM that is not down) */
  vmIsNotDown: (s: Subject) => `Cannot ${s.action} ${s.type}. At least one of the VMs is not down.`,
  /** ACTION_TYPE_FAILED_VM_IS_NOT_DOWN_OR_UP (VmValidator.vmQualifiedForSnapshotMerge) */
  vmIsNotDownOrUp: (s: Subject, vm: string) =>
    `Cannot ${s.action} ${s.type}. VM ${vm} must be in status Down, Up or Paused.`,
  /** ACTION_TYPE_FAILED_VM_STATUS_ILLEGAL, `${vmStatus}` from VAR__VM_STATUS__* */
  vmStatusIllegal: (s: Subject, status: VmStatus) =>
    `Cannot ${s.action} ${s.type} because the VM is in ${VM_STATUS_NAMES[status]} status.`,
  /**
   * VM_CANNOT_REMOVE_VM_WHEN_STATUS_IS_NOT_DOWN (RemoveVmCommand, for a suspended VM). The properties value has an
   * escaped `\\n`, so the text carries a literal backslash-n, as oVirt's REST answer does.
   */
  suspendedVmNotRemovable: () => 'Cannot remove VM that its state is not down.\\n-Please stop the VM first.',
  /** ACTION_TYPE_FAILED_VM_IS_DURING_SNAPSHOT (SnapshotsValidator.vmNotDuringSnapshot: a snapshot of the VM is locked) */
  vmIsDuringSnapshot: (s: Subject) =>
    `Cannot ${s.action} ${s.type}. The VM is performing an operation on a Snapshot. Please wait for the operation to finish, and try again.`,
  /** ACTION_TYPE_FAILED_VM_SNAPSHOT_TYPE_NOT_REGULAR (SnapshotsValidator.isRegularSnapshot: the active snapshot) */
  snapshotNotRegular: (s: Subject) =>
    `Cannot ${s.action} ${s.type}. The operation is only allowed for regular snapshots.`,
  /** ACTION_TYPE_FAILED_NAME_ALREADY_USED (AddVmCommand) */
  nameAlreadyUsed: (s: Subject) =>
    `Cannot ${s.action} ${s.type}. The ${s.type} name is already in use, please choose a unique name and try again.`,
  /** ACTION_TYPE_FAILED_NAME_LENGTH_IS_TOO_LONG (AddVmCommand) */
  nameTooLong: (s: Subject) => `Cannot ${s.action} ${s.type}. The given name is too long.`,
  /** ACTION_TYPE_FAILED_NAME_MAY_NOT_CONTAIN_SPECIAL_CHARS: oVirt's text says "Can not". */
  nameSpecialCharacters: (s: Subject) =>
    `Can not ${s.action} ${s.type}. The given name contains special characters. Only lower-case and upper-case letters, numbers, '_', '-', '.' are allowed.`,
  /** ACTION_TYPE_FAILED_DISKS_LOCKED, `${diskAliases}` joined with ", " */
  disksLocked: (s: Subject, disks: string[]) =>
    `Cannot ${s.action} ${s.type}: The following disks are locked: ${disks.join(', ')}. Please try again in a few minutes.`,
  /** ACTION_TYPE_FAILED_VM_IMAGE_DOES_NOT_EXIST (AttachDiskToVmCommand, no such disk in the engine: an unregistered image) */
  vmImageDoesNotExist: (s: Subject) => `Cannot ${s.action} ${s.type}. VM's Image does not exist.`,
  /** ACTION_TYPE_FAILED_DISK_ALREADY_ATTACHED (attached to this VM already) */
  diskAlreadyAttached: (s: Subject) => `Cannot ${s.action} ${s.type}. The disk is already attached to VM.`,
  /** ACTION_TYPE_FAILED_NOT_SHAREABLE_DISK_ALREADY_ATTACHED (attached to another VM) */
  notShareableDiskAlreadyAttached: (s: Subject) =>
    `Cannot ${s.action} ${s.type}. The disk is not shareable and is already attached to a VM.`,
  /** ACTION_TYPE_FAILED_DISK_BOOT_IN_USE: `${DiskName}` is the VM's current boot disk. */
  diskBootInUse: (s: Subject, disk: string, vm: string) =>
    `Cannot ${s.action} ${s.type}. Disk ${disk} in VM ${vm} is already marked as boot.`,
  /** NOT oVirt: oVirt's shutdown accepts a VM that is powering down (VMStatus.isRunning); the built-in engine refuses. */
  vmPoweringDown: (s: Subject) => `Cannot ${s.action} ${s.type}. VM is powering down.`,
} as const;
