// A webhook vendor for bench:flows: receives hybridflow's signed deliveries and completes each at once through
// the vendor API (no steps, no heartbeats: only the hand-off itself is measured), or holds the tasks of chosen
// activities until released. Unlike test/helpers/webhook-vendor.ts it records when it sent each completion.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '../../common/webhook-signature';
import { contractRegistrations } from '../../common/storage-contract';
import { callApi } from '../../test/helpers/external-tasks';
import { createStorageArray } from '../../vendor-demo/storage-array';
import type { Stack } from './stack';
import { fillPath } from '../../common/api-path';
import { apiRoutes } from '../../server/api/routes';

interface Delivery {
  taskId: string;
  activity: string;
  input: Record<string, unknown> & { sourceDisk?: { name: string; sizeBytes: number; id: string } };
  flowId: string;
}

export class BenchVendor {
  readonly id = 'bench-hook';
  /** Activities whose tasks are held (not completed) until release(). */
  hold = new Set<string>();
  readonly held: Delivery[] = [];
  /** Wall-clock ms at which each completion call was sent, by `<flowId> <activity>`. */
  readonly completedAt = new Map<string, number>();
  errors = 0;
  private key = '';
  private secret = '';
  private server?: http.Server;
  private readonly array;

  constructor(private readonly stack: Stack) {
    const engine = new URL(stack.engineUrl);
    // The stack's engine password is the bench's; the array is the engine's storage-side hook.
    this.array = createStorageArray({ engineUrl: engine.origin, user: 'admin@internal', password: stack.password });
  }

  /** Serves the webhook and registers the vendor with the storage contract's activities through the API. */
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const ts = Number(req.headers['x-hybridflow-timestamp']);
        if (req.headers['x-hybridflow-signature'] !== webhookSignature(this.secret, ts, raw))
          return void res.writeHead(401).end();
        res.writeHead(202).end();
        const task = JSON.parse(raw) as Delivery;
        if (this.hold.has(task.activity)) this.held.push(task);
        else void this.complete(task);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tasks`;
    const created = await this.stack.api('POST', apiRoutes.createVendor.path, {
      id: this.id,
      name: 'Bench webhook vendor',
      mode: 'webhook',
      webhook: { url },
    });
    if (created.status !== 201) throw new Error(`vendor registration: ${created.status}`);
    this.key = created.body.apiKey;
    this.secret = created.body.webhookSecret;
    for (const { name, ...registration } of contractRegistrations()) {
      // A held task sends no heartbeat: give it an hour before Temporal would time it out.
      const body = { ...registration, heartbeatTimeout: '1h', startToCloseTimeout: '2h' };
      const path = fillPath(apiRoutes.putVendorActivity.path, { name });
      const put = await callApi(this.stack.apiUrl, this.key, 'PUT', path, body);
      if (put.status !== 201) throw new Error(`activity ${name}: ${put.status} ${JSON.stringify(put.body)}`);
    }
  }

  /** Completes every held task (at most `concurrency` calls at once). */
  async release(concurrency = 50): Promise<void> {
    this.hold.clear();
    const tasks = this.held.splice(0);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let t = tasks.shift(); t; t = tasks.shift()) await this.complete(t);
      }),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Does the task's work on the engine's array (as a real vendor would), then reports it complete. */
  private async complete(task: Delivery): Promise<void> {
    try {
      const { input } = task;
      const [sd, image] = [String(input.storageDomainId), String(input.imageId)];
      let output: unknown = null;
      if (task.activity === 'checkCloneable') {
        const disks = (input.disks ?? []) as { id: string }[];
        output = {
          vendor: this.id,
          volumes: disks.map((d) => ({ diskId: d.id, volume: `v-${d.id}`, cloneable: true })),
        };
      } else if (task.activity === 'cloneDisk') {
        const source = input.sourceDisk!;
        await this.array.putImage(sd, image, {
          name: String(input.name),
          provisioned_size: source.sizeBytes,
          source_disk_id: source.id,
          description: `Cloned by ${this.id} from ${source.name}`,
        });
        output = { imageId: image, storageDomainId: sd };
      } else if (task.activity === 'updateDiskMetadata') {
        await this.array.updateMetadata(sd, image, {
          alias: String(input.alias),
          description: String(input.description),
        });
      } else if (task.activity === 'deleteImage') {
        await this.array.deleteImage(sd, image);
      }
      this.completedAt.set(`${task.flowId} ${task.activity}`, Date.now());
      const path = fillPath(apiRoutes.completeVendorTask.path, { taskId: task.taskId });
      const done = await callApi(this.stack.apiUrl, this.key, 'POST', path, { output });
      if (done.status >= 300) throw new Error(`complete: ${done.status}`);
    } catch {
      this.errors++;
    }
  }
}
