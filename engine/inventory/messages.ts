// oVirt's wording: job descriptions (ExecutionMessages) and the reasons of refused actions (AppErrors).
export const jobDescriptions = {
  addVm: (vm: string, template: string, cluster: string) => `Creating VM ${vm} from Template ${template} in Cluster ${cluster}`,
  removeVm: (vm: string) => `Removing VM ${vm} from system`,
  runVm: (vm: string) => `Launching VM ${vm}`,
  shutdownVm: (vm: string) => `Shutting down VM ${vm}`,
  stopVm: (vm: string) => `Stopping VM ${vm}`,
  removeSnapshot: (snapshot: string, vm: string) => `Removing Snapshot ${snapshot} of VM ${vm}`,
  copyDisk: (disk: string, from: string, to: string) => `Copying Disk ${disk} from ${from} to ${to}`,
  removeDisk: (disk: string) => `Removing Disk ${disk}`,
  attachDisk: (disk: string, vm: string) => `Attaching Disk ${disk} to VM ${vm}`,
  detachDisk: (disk: string, vm: string) => `Detaching Disk ${disk} from VM ${vm}`,
  registerDisk: (disk: string) => `Registering Disk ${disk}`,
} as const;

export const reasons = {
  vmRunning: 'VM is running.',
  vmNotRunning: 'VM is not running.',
  vmLocked: 'VM is locked. Please try again in a few minutes.',
  vmPoweringDown: 'VM is powering down.',
  vmNameInUse: 'VM name is already in use.',
  nameSpecialCharacters:
    "The given name contains special characters. Only lower-case and upper-case letters, numbers, '_', '-', '.' are allowed.",
  nameTooLong: 'The given name is too long. The maximum length is 64.',
  disksLocked: (names: string[]) => `The following disks are locked: ${names.join(', ')}. Please try again in a few minutes.`,
  diskPluggedToRunningVm: (vm: string) => `Disk is plugged into VM ${vm}, which is not down.`,
  diskAlreadyAttached: (vm: string) => `The disk is already attached to VM ${vm}.`,
  bootDiskInUse: (vm: string) => `VM ${vm} already has a bootable disk.`,
  diskNotRegistered: 'The disk is not registered. Register it from the unregistered disks of its storage domain first.',
  diskAlreadyRegistered: 'The disk is already registered.',
  activeSnapshot: 'The active VM snapshot cannot be removed.',
  snapshotLocked: 'The snapshot is locked. Please try again in a few minutes.',
  vmNotUpOrDown: 'The VM must be up or down.',
} as const;
