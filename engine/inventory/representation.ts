// Inventory entities in oVirt's representation (see ../representation.ts).
import { actions, bool, compact, date, href, int, links, ref } from '../representation';
import type { Entity } from '../representation';
import type {
  ClusterRow,
  DiskAttachmentRow,
  DiskRow,
  SnapshotRow,
  StorageDomainRow,
  TemplateRow,
  VmRow,
} from './store';

export const vmPath = (id: string): string => `/vms/${id}`;
export const diskPath = (id: string): string => `/disks/${id}`;
export const clusterPath = (id: string): string => `/clusters/${id}`;
export const templatePath = (id: string): string => `/templates/${id}`;
export const storageDomainPath = (id: string): string => `/storagedomains/${id}`;

const cpu = (row: { cpu_cores: number; cpu_sockets: number; cpu_threads: number }): Entity => ({
  architecture: 'x86_64',
  topology: { cores: int(row.cpu_cores), sockets: int(row.cpu_sockets), threads: int(row.cpu_threads) },
});

export function clusterModel(c: ClusterRow): Entity {
  return compact({
    name: c.name,
    description: c.description ?? undefined,
    cpu: compact({ architecture: 'x86_64', type: c.cpu_type ?? undefined }),
    version: { major: int(c.version_major), minor: int(c.version_minor) },
    href: href(clusterPath(c.id)),
    id: c.id,
  });
}

export function templateModel(t: TemplateRow): Entity {
  return compact({
    name: t.name,
    description: t.description ?? undefined,
    status: t.status,
    memory: int(t.memory),
    cpu: cpu(t),
    os: { type: t.os_type },
    type: 'server',
    stateless: bool(false),
    creation_time: date(t.creation_time),
    version: { version_name: 'base version', version_number: int(1) },
    cluster: t.cluster_id ? ref(clusterPath(t.cluster_id), t.cluster_id) : undefined,
    href: href(templatePath(t.id)),
    id: t.id,
  });
}

export function storageDomainModel(sd: StorageDomainRow): Entity {
  const path = storageDomainPath(sd.id);
  return compact({
    name: sd.name,
    description: sd.description ?? undefined,
    type: sd.type,
    storage: { type: sd.storage_type },
    available: int(sd.available),
    used: int(sd.used),
    committed: int(sd.committed),
    master: bool(sd.master),
    storage_format: sd.storage_format,
    external_status: 'ok',
    backup: bool(false),
    wipe_after_delete: bool(false),
    discard_after_delete: bool(false),
    link: links(path, ['disks']),
    href: href(path),
    id: sd.id,
  });
}

export function vmModel(vm: VmRow): Entity {
  const path = vmPath(vm.id);
  return compact({
    actions: actions(path, ['shutdown', 'start', 'stop']),
    name: vm.name,
    description: vm.description ?? undefined,
    status: vm.status,
    memory: int(vm.memory),
    memory_policy: { guaranteed: int(vm.memory), max: int(vm.memory * 4) },
    cpu: cpu(vm),
    os: { type: vm.os_type },
    type: vm.type,
    stateless: bool(vm.stateless),
    origin: 'ovirt',
    creation_time: date(vm.creation_time),
    start_time: date(vm.start_time),
    stop_time: date(vm.stop_time),
    cluster: ref(clusterPath(vm.cluster_id), vm.cluster_id),
    template: ref(templatePath(vm.template_id), vm.template_id),
    link: links(path, ['diskattachments', 'snapshots']),
    href: href(path),
    id: vm.id,
  });
}

export function diskModel(d: DiskRow): Entity {
  return compact({
    actions: actions(diskPath(d.id), ['copy']),
    name: d.name,
    alias: d.name,
    description: d.description ?? undefined,
    status: d.status,
    provisioned_size: int(d.provisioned_size),
    actual_size: int(d.actual_size),
    total_size: int(d.actual_size),
    format: d.format,
    qcow_version: d.format === 'cow' ? 'qcow2_v3' : undefined,
    sparse: bool(d.sparse),
    content_type: 'data',
    storage_type: 'image',
    shareable: bool(d.shareable),
    wipe_after_delete: bool(d.wipe_after_delete),
    propagate_errors: bool(false),
    storage_domains: { storage_domain: [ref(storageDomainPath(d.storage_domain_id), d.storage_domain_id)] },
    href: href(diskPath(d.id)),
    id: d.id,
  });
}

export function diskAttachmentModel(a: DiskAttachmentRow): Entity {
  return compact({
    active: bool(a.active),
    bootable: bool(a.bootable),
    interface: a.interface,
    pass_discard: bool(a.pass_discard),
    read_only: bool(a.read_only),
    uses_scsi_reservation: bool(false),
    disk: ref(diskPath(a.disk_id), a.disk_id),
    vm: ref(vmPath(a.vm_id), a.vm_id),
    href: href(`${vmPath(a.vm_id)}/diskattachments/${a.disk_id}`),
    id: a.disk_id,
  });
}

export function snapshotModel(s: SnapshotRow): Entity {
  return compact({
    description: s.description,
    date: date(s.date),
    snapshot_type: s.type,
    snapshot_status: s.status,
    persist_memorystate: bool(s.persist_memorystate),
    vm: ref(vmPath(s.vm_id), s.vm_id),
    href: href(`${vmPath(s.vm_id)}/snapshots/${s.id}`),
    id: s.id,
  });
}
