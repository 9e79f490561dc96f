// The demo vendor's "storage array": the built-in engine's storage-side hook (not part of oVirt's API), through
// which a simulated array places cloned images into a storage domain as unregistered disks.
export interface StorageArrayOptions {
  /** Base URL of the built-in engine, e.g. http://127.0.0.1:8070 */
  engineUrl: string;
  user: string;
  password: string;
}

const CALL_ATTEMPTS = 5;

export class StorageArrayError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'StorageArrayError';
  }
}

export function createStorageArray(opts: StorageArrayOptions) {
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  const imagePath = (sd: string, id: string) => `/builtin/storage-array/domains/${sd}/images/${id}`;
  async function callOnce(method: string, path: string, body?: unknown): Promise<number> {
    const res = await fetch(opts.engineUrl + path, {
      method,
      headers: {
        Authorization: auth,
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status >= 400 && res.status !== 404) {
      throw new StorageArrayError(`${method} ${path} -> ${res.status} ${(await res.text()).slice(0, 200)}`, res.status);
    }
    return res.status;
  }
  /**
   * Every call is idempotent (the image id is chosen by the flow), so a dropped connection or a busy array (5xx,
   * 409, 429) is tried again a few times, half a second apart (short enough to heartbeat in between), before the
   * activity fails and Temporal retries it.
   */
  async function call(method: string, path: string, body?: unknown): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await callOnce(method, path, body);
      } catch (err) {
        const transient =
          !(err instanceof StorageArrayError) || err.status >= 500 || err.status === 409 || err.status === 429;
        if (!transient || attempt >= CALL_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  return {
    /** Places an unregistered image (idempotent: the same id again is fine). */
    async putImage(
      sd: string,
      id: string,
      image: { name: string; provisioned_size: number; source_disk_id: string; description?: string },
    ) {
      if ((await call('PUT', imagePath(sd, id), image)) === 404)
        throw new StorageArrayError(`Storage domain ${sd} not found`, 404);
    },
    async updateMetadata(sd: string, id: string, metadata: { alias: string; description: string }) {
      if ((await call('PATCH', `${imagePath(sd, id)}/metadata`, metadata)) === 404) {
        throw new StorageArrayError(`Image ${id} not found in storage domain ${sd}`, 404);
      }
    },
    /** Deletes the image; an image that is gone already is fine. */
    async deleteImage(sd: string, id: string) {
      await call('DELETE', imagePath(sd, id));
    },
  };
}

export type StorageArray = ReturnType<typeof createStorageArray>;
