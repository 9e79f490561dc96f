// A simulated storage array writing images into storage domains, out of oVirt's sight: each image is a disk row
// with registered = 0 until someone registers it through oVirt's `disks;unregistered`.
import type { Db } from '../db';
import { ApiFault, entityNotFound } from '../faults';
import type { DiskRow, InventoryStore } from '../inventory/store';
import type { ImageMetadataInput, PutImageInput } from './schemas';

/** An image as the hook lists it: real booleans and numbers (this is not oVirt's representation). */
export interface ImageJson {
  id: string;
  name: string;
  description?: string;
  storage_domain_id: string;
  provisioned_size: number;
  actual_size: number;
  status: string;
  registered: boolean;
  source_disk_id?: string;
  creation_time: number;
}

export const imageJson = (d: DiskRow): ImageJson => ({
  id: d.id,
  name: d.name,
  ...(d.description !== null ? { description: d.description } : {}),
  storage_domain_id: d.storage_domain_id,
  provisioned_size: d.provisioned_size,
  actual_size: d.actual_size,
  status: d.status,
  registered: d.registered === 1,
  ...(d.source_disk_id !== null ? { source_disk_id: d.source_disk_id } : {}),
  creation_time: d.creation_time,
});

const conflict = (detail: string): ApiFault => new ApiFault(409, 'Conflict', detail);

export class StorageArray {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly store: InventoryStore,
    private readonly now: () => number = Date.now,
  ) {
    this.s = {
      images: db.prepare<[string], DiskRow>(
        'SELECT * FROM disks WHERE storage_domain_id = ? ORDER BY creation_time, id',
      ),
      insert: db.prepare(
        `INSERT INTO disks (id, name, description, status, provisioned_size, actual_size, format, sparse, storage_domain_id,
           registered, creation_time, source_disk_id)
         VALUES (@id, @name, @description, 'ok', @size, @actual, 'cow', 1, @domain, 0, @now, @source)`,
      ),
      updateMetadata: db.prepare(
        'UPDATE disks SET name = coalesce(@name, name), description = coalesce(@description, description) WHERE id = @id',
      ),
      remove: db.prepare('DELETE FROM disks WHERE id = ? AND registered = 0'),
    };
  }

  images(domainId: string): DiskRow[] {
    return this.s.images.all(this.domain(domainId));
  }

  /** Places an image; the same id again in the same domain answers the existing one (`created` false). */
  putImage(domainId: string, imageId: string, input: PutImageInput): { image: DiskRow; created: boolean } {
    const domain = this.domain(domainId);
    return this.db.transaction(() => {
      const existing = this.store.diskAnyRegistration(imageId);
      if (existing) {
        if (existing.storage_domain_id !== domain)
          throw conflict(`Image ${imageId} already exists in storage domain ${existing.storage_domain_id}`);
        return { image: existing, created: false };
      }
      this.s.insert.run({
        id: imageId,
        name: input.name,
        description: input.description ?? null,
        size: input.provisioned_size,
        // A fresh clone shares most blocks with its source: thin, a quarter of its size at most.
        actual: Math.round(input.provisioned_size / 4),
        domain,
        now: this.now(),
        source: input.source_disk_id ?? null,
      });
      return { image: this.store.diskAnyRegistration(imageId)!, created: true };
    })();
  }

  /** Updates what oVirt will read at registration; a registered disk's metadata is oVirt's now (409). */
  updateMetadata(domainId: string, imageId: string, input: ImageMetadataInput): DiskRow {
    const image = this.image(domainId, imageId);
    if (image.registered)
      throw conflict(`Image ${imageId} is registered in the engine; change it through the oVirt API`);
    this.s.updateMetadata.run({
      id: image.id,
      name: input.alias ?? input.name ?? null,
      description: input.description ?? null,
    });
    return this.store.diskAnyRegistration(image.id)!;
  }

  /** Deletes an unregistered image; a registered one (a disk oVirt knows, maybe attached) is a 409. */
  deleteImage(domainId: string, imageId: string): void {
    const image = this.image(domainId, imageId);
    if (image.registered)
      throw conflict(
        `Image ${imageId} is registered in the engine as disk ${image.name}; remove the disk through the oVirt API`,
      );
    this.s.remove.run(image.id);
  }

  private domain(id: string): string {
    const domain = this.store.storageDomain(id);
    if (!domain) throw entityNotFound(id);
    return domain.id;
  }

  private image(domainId: string, imageId: string): DiskRow {
    const domain = this.domain(domainId);
    const image = this.store.diskAnyRegistration(imageId);
    if (!image || image.storage_domain_id !== domain) throw entityNotFound(imageId);
    return image;
  }
}
