// A vendor worker that takes cloneDisk and then never heartbeats nor returns: the flow must notice it through the
// heartbeat timeout, try again (HF_VENDOR_MAX_ATTEMPTS), then undo everything and fail. Run as its own process by
// the chaos stack (stack.ts), with the configuration of the other components, on the task queue
// `<HF_TASK_QUEUE>.vendor.hanging-storage`.
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { runComponent } from '../../cli/stack/component';
import { temporalAddress } from '../../cli/stack/temporal-connection';
import { installRuntime } from '../../cli/stack/temporal-runtime';
import { loadConfig } from '../../common/config';
import { vendorTaskQueue, type VendorActivities } from '../../common/vendor-contract';

const HANGING_VENDOR_ID = 'hanging-storage';

const activities: VendorActivities = {
  async checkCloneable(input) {
    return {
      vendor: HANGING_VENDOR_ID,
      volumes: input.disks.map((d) => ({ diskId: d.id, volume: `hang-${d.id}`, cloneable: true })),
    };
  },
  async cloneDisk() {
    // Never a heartbeat, never an answer; only the worker shutting down ends it.
    await Context.current().cancelled;
    throw new Error('unreachable');
  },
  async updateDiskMetadata() {},
  async deleteImage() {}, // it never placed an image
};

void runComponent('hanging-vendor', async () => {
  const config = loadConfig();
  installRuntime('ERROR');
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: vendorTaskQueue(config.HF_TASK_QUEUE, HANGING_VENDOR_ID),
    activities,
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  return {
    urls: [`Vendor (hanging): ${HANGING_VENDOR_ID} polling task queue ${worker.options.taskQueue}`],
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
});
