// A webhook vendor for tests: an HTTP server that receives hybridflow's signed deliveries (refusing a bad
// signature) and works each task through the vendor API with nothing but fetch, placing clones through the built-in
// engine's storage-array hook like acme-storage. Knobs make it go down, go silent or misreport.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StorageArray } from '../../vendor-demo/storage-array';

export interface Delivery {
  taskId: string;
  activity: string;
  input: Record<string, unknown> & { sourceDisk?: { name: string; sizeBytes: number; id: string } };
  attempt: number;
  deadline: string;
  flowId: string;
  engine: { jobId: string | null; stepId: string | null };
}

export interface WebhookVendorOptions {
  apiUrl: string;
  array: StorageArray;
  /** How long a clone takes. @default 1500 */
  cloneMs?: number;
}

export class WebhookVendor {
  readonly deliveries: Delivery[] = [];
  readonly badSignatures: number[] = [];
  /** Answer 503 to this many more deliveries. */
  failNext = 0;
  /** Take tasks of these activities but never report (so their heartbeat timeout fires). */
  silentFor = new Set<string>();
  /** Seen `cancelRequested` on these task ids. */
  readonly cancelled = new Set<string>();
  /** For each cancelled task: the status of its `fail` report, and how many deliveries had come by then. */
  readonly cancelReports = new Map<string, { status: number; deliveriesBefore: number }>();
  key = '';
  secret = '';
  private server?: http.Server;
  url = '';

  constructor(private readonly opts: WebhookVendorOptions) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (!this.signed(req, raw)) {
          this.badSignatures.push(Date.now());
          return void res.writeHead(401).end();
        }
        if (this.failNext > 0) {
          this.failNext--;
          return void res.writeHead(503).end();
        }
        const task = JSON.parse(raw) as Delivery;
        this.deliveries.push(task);
        res.writeHead(202).end();
        if (!this.silentFor.has(task.activity)) void this.work(task).catch(() => undefined);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tasks`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Checks X-Hybridflow-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">, and a fresh timestamp. */
  private signed(req: http.IncomingMessage, raw: string): boolean {
    const timestamp = Number(req.headers['x-hybridflow-timestamp']);
    const given = String(req.headers['x-hybridflow-signature'] ?? '');
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
    const want = `v1=${createHmac('sha256', this.secret).update(`${timestamp}.${raw}`).digest('hex')}`;
    return given.length === want.length && timingSafeEqual(Buffer.from(given), Buffer.from(want));
  }

  /** Calls the vendor API with this vendor's key. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async call(path: string, body?: unknown, key = this.key): Promise<{ status: number; body: any }> {
    const res = await fetch(this.opts.apiUrl + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  private task = (id: string, what: string) => `/api/v1/vendor/tasks/${id}/${what}`;

  private async work(task: Delivery): Promise<void> {
    const { input } = task;
    const sd = String(input.storageDomainId);
    const image = String(input.imageId);
    let output: unknown = null;
    if (task.activity === 'checkCloneable') {
      const disks = (input.disks ?? []) as { id: string }[];
      output = {
        vendor: 'hook-storage',
        volumes: disks.map((d) => ({ diskId: d.id, volume: `v-${d.id}`, cloneable: true })),
      };
    } else if (task.activity === 'cloneDisk') {
      const cloneMs = this.opts.cloneMs ?? 1500;
      for (const [key, description, share] of [
        ['snapshot', 'Snapshot the volume', 0.2],
        ['copy', 'Copy to a new volume', 0.8],
      ] as const) {
        await this.call(this.task(task.taskId, 'steps'), { key, description });
        for (let i = 1; i <= 4; i++) {
          const beat = await this.call(this.task(task.taskId, 'heartbeat'), {
            progress: Math.round(i * 20 * share + (key === 'copy' ? 20 : 0)),
            message: description,
          });
          if (beat.body?.cancelRequested) {
            this.cancelled.add(task.taskId);
            await this.opts.array.deleteImage(sd, image);
            const deliveriesBefore = this.deliveries.length;
            const { status } = await this.call(this.task(task.taskId, 'fail'), {
              message: 'cancelled by the flow',
              retryable: false,
            });
            this.cancelReports.set(task.taskId, { status, deliveriesBefore });
            return;
          }
          await new Promise((r) => setTimeout(r, (cloneMs * share) / 4));
        }
        await this.call(this.task(task.taskId, `steps/${key}/end`), { succeeded: true });
      }
      const source = input.sourceDisk!;
      await this.opts.array.putImage(sd, image, {
        name: String(input.name),
        provisioned_size: source.sizeBytes,
        source_disk_id: source.id,
        description: `Cloned by hook-storage from ${source.name}`,
      });
      output = { imageId: image, storageDomainId: sd };
    } else if (task.activity === 'updateDiskMetadata') {
      await this.opts.array.updateMetadata(sd, image, {
        alias: String(input.alias),
        description: String(input.description),
      });
    } else if (task.activity === 'deleteImage') {
      await this.opts.array.deleteImage(sd, image);
    }
    await this.call(this.task(task.taskId, 'complete'), { output });
  }
}
