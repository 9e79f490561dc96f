// The flows `npm run bench:flows` compares: one shape of activities that do no work, run bare (plain Temporal) and
// mirrored (each activity one step of an engine job, by the product's MirroredJob).
import { proxyActivities } from '@temporalio/workflow';
import { MirroredJob } from '../../workflows/mirrored-job';
import type { BenchActivities } from './activities';

const { noop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });

/** `steps` activities one after the other, nothing else. */
export async function bareFlow(steps: number): Promise<void> {
  for (let i = 1; i <= steps; i++) await noop();
}

/** The same activities, each mirrored as a step of one engine job. */
export async function mirroredFlow(steps: number): Promise<void> {
  const job = await MirroredJob.open('Benchmark flow');
  for (let i = 1; i <= steps; i++) await job.step(`Step ${i}`, 'ovirt', noop);
  await job.end(true);
}
