// The inventory created on first start (empty database): the built-in one, or a JSON file of the same shape.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { Db } from './db';
import { DISK_INTERFACES } from './inventory/store';

/** oVirt's fixed id of the Blank template. */
export const BLANK_TEMPLATE_ID = '00000000-0000-0000-0000-000000000000';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const SeedDisk = z.object({
  name: z.string().min(1),
  size_gb: z.number().positive(),
  format: z.enum(['cow', 'raw']).default('cow'),
  storage_domain: z.string().optional(),
  interface: z.enum(DISK_INTERFACES).default('virtio_scsi'),
  bootable: z.boolean().default(true),
});

export const SeedSchema = z.object({
  clusters: z.array(z.object({ name: z.string().min(1), description: z.string().optional() })).min(1),
  storage_domains: z
    .array(
      z.object({
        name: z.string().min(1),
        storage_type: z.string().default('nfs'),
        size_gb: z.number().positive().default(1024),
      }),
    )
    .min(1),
  vms: z.array(
    z.object({
      name: z.string().min(1),
      status: z.enum(['up', 'down']).default('down'),
      cluster: z.string().optional(),
      memory_mb: z.number().int().positive().default(4096),
      cores: z.number().int().positive().default(2),
      sockets: z.number().int().positive().default(1),
      threads: z.number().int().positive().default(1),
      os_type: z.string().default('rhel_9x64'),
      disks: z.array(SeedDisk).default([]),
      snapshots: z.array(z.object({ description: z.string().min(1) })).default([]),
    }),
  ),
});
export type Seed = z.input<typeof SeedSchema>;

export const builtInSeed: Seed = {
  clusters: [{ name: 'Default', description: 'The default server cluster' }],
  storage_domains: [{ name: 'data1', storage_type: 'nfs', size_gb: 2048 }],
  vms: [
    { name: 'web-01', status: 'up', memory_mb: 4096, cores: 2, disks: [{ name: 'web-01_Disk1', size_gb: 20 }] },
    { name: 'web-02', status: 'up', memory_mb: 4096, cores: 2, disks: [{ name: 'web-02_Disk1', size_gb: 20 }] },
    {
      name: 'db-01',
      status: 'up',
      memory_mb: 16384,
      cores: 4,
      disks: [{ name: 'db-01_Disk1', size_gb: 100 }],
      snapshots: [{ description: 'before upgrade' }, { description: 'nightly' }],
    },
    { name: 'build-01', status: 'down', memory_mb: 8192, cores: 4, disks: [{ name: 'build-01_Disk1', size_gb: 50 }] },
    { name: 'test-01', status: 'down', memory_mb: 2048, cores: 1, disks: [{ name: 'test-01_Disk1', size_gb: 10 }] },
  ],
};

/** Reads and validates a seed file; the error names the file and the offending field. */
export function readSeedFile(file: string): Seed {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`seed file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = SeedSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`seed file ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Writes the seed into an empty inventory, in one transaction. */
export function plantSeed(db: Db, input: Seed, now = Date.now()): void {
  const seed = SeedSchema.parse(input);
  const id = (): string => crypto.randomUUID();
  db.transaction(() => {
    const clusterIds = new Map<string, string>();
    const insertCluster = db.prepare(
      'INSERT INTO clusters (id, name, description, cpu_type, version_major, version_minor) VALUES (?, ?, ?, ?, 4, 7)',
    );
    for (const c of seed.clusters) {
      const cid = id();
      clusterIds.set(c.name, cid);
      insertCluster.run(cid, c.name, c.description ?? null, 'Intel Cascadelake Server Family');
    }
    db.prepare(
      `INSERT INTO templates (id, name, description, status, memory, cpu_cores, cpu_sockets, cpu_threads, os_type, creation_time)
       VALUES (?, 'Blank', 'Blank template', 'ok', ?, 1, 1, 1, 'other', ?)`,
    ).run(BLANK_TEMPLATE_ID, 1024 * MiB, now);

    const domainIds = new Map<string, string>();
    const insertDomain = db.prepare(
      `INSERT INTO storage_domains (id, name, type, storage_type, available, used, committed, master, storage_format)
       VALUES (?, ?, 'data', ?, ?, 0, 0, ?, 'v5')`,
    );
    seed.storage_domains.forEach((sd, index) => {
      const sid = id();
      domainIds.set(sd.name, sid);
      insertDomain.run(sid, sd.name, sd.storage_type, Math.round(sd.size_gb * GiB), index === 0 ? 1 : 0);
    });
    const firstDomain = seed.storage_domains[0]!.name;
    const defaultCluster = seed.clusters[0]!.name;

    const insertVm = db.prepare(
      `INSERT INTO vms (id, name, status, memory, cpu_cores, cpu_sockets, cpu_threads, os_type, type, stateless,
         cluster_id, template_id, creation_time, start_time, stop_time)
       VALUES (@id, @name, @status, @memory, @cores, @sockets, @threads, @os_type, 'server', 0,
         @cluster_id, @template_id, @now, @start_time, @stop_time)`,
    );
    const insertDisk = db.prepare(
      `INSERT INTO disks (id, name, status, provisioned_size, actual_size, format, sparse, storage_domain_id, creation_time)
       VALUES (?, ?, 'ok', ?, ?, ?, ?, ?, ?)`,
    );
    const insertAttachment = db.prepare(
      'INSERT INTO disk_attachments (vm_id, disk_id, interface, bootable, active) VALUES (?, ?, ?, ?, 1)',
    );
    const insertSnapshot = db.prepare(
      "INSERT INTO snapshots (id, vm_id, description, type, status, date) VALUES (?, ?, ?, ?, 'ok', ?)",
    );
    const usage = new Map<string, number>();
    for (const vm of seed.vms) {
      const clusterName = vm.cluster ?? defaultCluster;
      const clusterId = clusterIds.get(clusterName);
      if (!clusterId) throw new Error(`seed: VM ${vm.name} names unknown cluster ${clusterName}`);
      const vmId = id();
      insertVm.run({
        id: vmId,
        name: vm.name,
        status: vm.status,
        memory: vm.memory_mb * MiB,
        cores: vm.cores,
        sockets: vm.sockets,
        threads: vm.threads,
        os_type: vm.os_type,
        cluster_id: clusterId,
        template_id: BLANK_TEMPLATE_ID,
        now,
        start_time: vm.status === 'up' ? now : null,
        stop_time: vm.status === 'down' ? now : null,
      });
      for (const disk of vm.disks) {
        const domainName = disk.storage_domain ?? firstDomain;
        const domainId = domainIds.get(domainName);
        if (!domainId) throw new Error(`seed: disk ${disk.name} names unknown storage domain ${domainName}`);
        const size = Math.round(disk.size_gb * GiB);
        const actual = disk.format === 'cow' ? Math.round(size / 4) : size;
        const diskId = id();
        insertDisk.run(diskId, disk.name, size, actual, disk.format, disk.format === 'cow' ? 1 : 0, domainId, now);
        insertAttachment.run(vmId, diskId, disk.interface, disk.bootable ? 1 : 0);
        usage.set(domainId, (usage.get(domainId) ?? 0) + actual);
      }
      vm.snapshots.forEach((s, index) =>
        insertSnapshot.run(id(), vmId, s.description, 'regular', now - (vm.snapshots.length - index) * 3_600_000),
      );
      insertSnapshot.run(id(), vmId, 'Active VM', 'active', now);
    }
    const updateUsage = db.prepare(
      'UPDATE storage_domains SET used = ?, committed = ?, available = available - ? WHERE id = ?',
    );
    for (const [domainId, used] of usage) updateUsage.run(used, used, used, domainId);
  })();
}
