// The inventory in SQLite: clusters, templates, storage domains, VMs, disks, disk attachments, snapshots.
// Read side; the actions (power transitions, merges, attachments, registration) write through their services.
import type { Db } from '../db';

export const VM_STATUSES = [
  'up',
  'powering_down',
  'down',
  'powering_up',
  'image_locked',
  'paused',
  'migrating',
  'unknown',
  'not_responding',
  'wait_for_launch',
  'reboot_in_progress',
  'saving_state',
  'restoring_state',
  'suspended',
  'unassigned',
] as const;
export type VmStatus = (typeof VM_STATUSES)[number];
export const DISK_STATUSES = ['ok', 'locked', 'illegal'] as const;
export type DiskStatus = (typeof DISK_STATUSES)[number];
export const DISK_INTERFACES = ['ide', 'virtio_scsi', 'virtio', 'spapr_vscsi', 'sata'] as const;
export type DiskInterface = (typeof DISK_INTERFACES)[number];

export interface ClusterRow {
  id: string;
  name: string;
  description: string | null;
  cpu_type: string | null;
  version_major: number;
  version_minor: number;
}

export interface TemplateRow {
  id: string;
  name: string;
  description: string | null;
  status: string;
  memory: number;
  cpu_cores: number;
  cpu_sockets: number;
  cpu_threads: number;
  os_type: string;
  cluster_id: string | null;
  creation_time: number;
}

export interface StorageDomainRow {
  id: string;
  name: string;
  description: string | null;
  type: string;
  storage_type: string;
  available: number;
  used: number;
  committed: number;
  master: number;
  storage_format: string;
}

export interface VmRow {
  id: string;
  name: string;
  description: string | null;
  status: VmStatus;
  memory: number;
  cpu_cores: number;
  cpu_sockets: number;
  cpu_threads: number;
  os_type: string;
  type: string;
  stateless: number;
  cluster_id: string;
  template_id: string;
  creation_time: number;
  start_time: number | null;
  stop_time: number | null;
  transition_status: VmStatus | null;
  transition_ends_at: number | null;
  transition_job_id: string | null;
}

export interface DiskRow {
  id: string;
  name: string;
  description: string | null;
  status: DiskStatus;
  provisioned_size: number;
  actual_size: number;
  format: 'cow' | 'raw';
  sparse: number;
  storage_domain_id: string;
  registered: number;
  shareable: number;
  wipe_after_delete: number;
  creation_time: number;
  lock_ends_at: number | null;
  lock_job_id: string | null;
  source_disk_id: string | null;
}

export interface DiskAttachmentRow {
  vm_id: string;
  disk_id: string;
  interface: DiskInterface;
  bootable: number;
  active: number;
  read_only: number;
  pass_discard: number;
}

export interface SnapshotRow {
  id: string;
  vm_id: string;
  description: string;
  type: 'regular' | 'active' | 'stateless' | 'preview';
  status: 'ok' | 'locked' | 'in_preview';
  date: number;
  persist_memorystate: number;
  lock_ends_at: number | null;
  lock_job_id: string | null;
}

export class InventoryStore {
  private readonly s;

  constructor(readonly db: Db) {
    this.s = {
      clusters: db.prepare<[], ClusterRow>('SELECT * FROM clusters ORDER BY name'),
      cluster: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE id = ?'),
      templates: db.prepare<[], TemplateRow>('SELECT * FROM templates ORDER BY name'),
      template: db.prepare<[string], TemplateRow>('SELECT * FROM templates WHERE id = ?'),
      storageDomains: db.prepare<[], StorageDomainRow>('SELECT * FROM storage_domains ORDER BY name'),
      storageDomain: db.prepare<[string], StorageDomainRow>('SELECT * FROM storage_domains WHERE id = ?'),
      vms: db.prepare<[], VmRow>('SELECT * FROM vms ORDER BY name'),
      vmsByName: db.prepare<[string], VmRow>(`SELECT * FROM vms WHERE name LIKE ? ESCAPE '\\' ORDER BY name`),
      vmsByStatus: db.prepare<[string], VmRow>('SELECT * FROM vms WHERE status = ? ORDER BY name'),
      vm: db.prepare<[string], VmRow>('SELECT * FROM vms WHERE id = ?'),
      disks: db.prepare<[], DiskRow>('SELECT * FROM disks WHERE registered = 1 ORDER BY name, id'),
      disksByName: db.prepare<[string], DiskRow>(
        `SELECT * FROM disks WHERE registered = 1 AND name LIKE ? ESCAPE '\\' ORDER BY name, id`,
      ),
      disk: db.prepare<[string], DiskRow>('SELECT * FROM disks WHERE id = ? AND registered = 1'),
      disksOfDomain: db.prepare<[string, number], DiskRow>(
        'SELECT * FROM disks WHERE storage_domain_id = ? AND registered = ? ORDER BY name, id',
      ),
      attachmentsOfVm: db.prepare<[string], DiskAttachmentRow>(
        'SELECT a.* FROM disk_attachments a JOIN disks d ON d.id = a.disk_id WHERE a.vm_id = ? ORDER BY a.bootable DESC, d.name',
      ),
      attachment: db.prepare<[string, string], DiskAttachmentRow>(
        'SELECT * FROM disk_attachments WHERE vm_id = ? AND disk_id = ?',
      ),
      diskAnyRegistration: db.prepare<[string], DiskRow>('SELECT * FROM disks WHERE id = ?'),
      vmByExactName: db.prepare<[string], VmRow>('SELECT * FROM vms WHERE name = ?'),
      clusterByName: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE name = ?'),
      templateByName: db.prepare<[string], TemplateRow>(
        'SELECT * FROM templates WHERE name = ? ORDER BY creation_time LIMIT 1',
      ),
      storageDomainByName: db.prepare<[string], StorageDomainRow>('SELECT * FROM storage_domains WHERE name = ?'),
      disksOfVm: db.prepare<[string], DiskRow>(
        'SELECT d.* FROM disks d JOIN disk_attachments a ON a.disk_id = d.id WHERE a.vm_id = ? ORDER BY d.name, d.id',
      ),
      attachmentsOfDisk: db.prepare<[string], DiskAttachmentRow>('SELECT * FROM disk_attachments WHERE disk_id = ?'),
      snapshotsOfVm: db.prepare<[string], SnapshotRow>('SELECT * FROM snapshots WHERE vm_id = ? ORDER BY date, id'),
      snapshot: db.prepare<[string, string], SnapshotRow>('SELECT * FROM snapshots WHERE vm_id = ? AND id = ?'),
      isEmpty: db.prepare<[], { n: number }>(
        'SELECT (SELECT count(*) FROM clusters) + (SELECT count(*) FROM vms) AS n',
      ),
    };
  }

  isEmpty(): boolean {
    return this.s.isEmpty.get()!.n === 0;
  }

  clusters(): ClusterRow[] {
    return this.s.clusters.all();
  }
  cluster(id: string): ClusterRow | undefined {
    return this.s.cluster.get(id);
  }
  templates(): TemplateRow[] {
    return this.s.templates.all();
  }
  template(id: string): TemplateRow | undefined {
    return this.s.template.get(id);
  }
  storageDomains(): StorageDomainRow[] {
    return this.s.storageDomains.all();
  }
  storageDomain(id: string): StorageDomainRow | undefined {
    return this.s.storageDomain.get(id);
  }

  /** `namePattern` is a LIKE pattern (case-insensitive for ASCII). */
  vms(filter: { namePattern?: string; status?: string } = {}): VmRow[] {
    if (filter.namePattern !== undefined) return this.s.vmsByName.all(filter.namePattern);
    if (filter.status !== undefined) return this.s.vmsByStatus.all(filter.status);
    return this.s.vms.all();
  }
  vm(id: string): VmRow | undefined {
    return this.s.vm.get(id);
  }

  /** Registered disks only; unregistered ones are listed per storage domain. */
  disks(filter: { namePattern?: string } = {}): DiskRow[] {
    return filter.namePattern === undefined ? this.s.disks.all() : this.s.disksByName.all(filter.namePattern);
  }
  disk(id: string): DiskRow | undefined {
    return this.s.disk.get(id);
  }
  disksOfDomain(storageDomainId: string, registered: boolean): DiskRow[] {
    return this.s.disksOfDomain.all(storageDomainId, registered ? 1 : 0);
  }

  attachmentsOfVm(vmId: string): DiskAttachmentRow[] {
    return this.s.attachmentsOfVm.all(vmId);
  }
  attachment(vmId: string, diskId: string): DiskAttachmentRow | undefined {
    return this.s.attachment.get(vmId, diskId);
  }

  /** A disk whether registered or not (storage-side view). */
  diskAnyRegistration(id: string): DiskRow | undefined {
    return this.s.diskAnyRegistration.get(id);
  }
  vmByName(name: string): VmRow | undefined {
    return this.s.vmByExactName.get(name);
  }
  clusterByName(name: string): ClusterRow | undefined {
    return this.s.clusterByName.get(name);
  }
  templateByName(name: string): TemplateRow | undefined {
    return this.s.templateByName.get(name);
  }
  storageDomainByName(name: string): StorageDomainRow | undefined {
    return this.s.storageDomainByName.get(name);
  }
  /** The disks attached to a VM. */
  disksOfVm(vmId: string): DiskRow[] {
    return this.s.disksOfVm.all(vmId);
  }
  attachmentsOfDisk(diskId: string): DiskAttachmentRow[] {
    return this.s.attachmentsOfDisk.all(diskId);
  }

  snapshotsOfVm(vmId: string): SnapshotRow[] {
    return this.s.snapshotsOfVm.all(vmId);
  }
  snapshot(vmId: string, snapshotId: string): SnapshotRow | undefined {
    return this.s.snapshot.get(vmId, snapshotId);
  }
}
