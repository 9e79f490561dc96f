// The flows `npm run bench:flows` compares: one shape of activities that do no work, run bare (plain Temporal) and
// mirrored (each activity one step of an engine job, as hybridflow's flows are), plus candidate shapes of mirroring
// to weigh by measurement.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { EngineJobActivities } from '../../activities/engine-job';
import { MirroredJob } from '../../workflows/mirrored-job';
import type { BenchActivities } from './activities';

const { noop, mirroredNoop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30 seconds' });
const engineLocal = proxyLocalActivities<EngineJobActivities>({ startToCloseTimeout: '30 seconds' });

/** `steps` activities one after the other, nothing else. */
export async function bareFlow(steps: number): Promise<void> {
  for (let i = 1; i <= steps; i++) await noop();
}

/** The same activities, each mirrored as a step of one engine job by the product's MirroredJob (today's shape). */
export async function mirroredFlow(steps: number): Promise<void> {
  const job = await MirroredJob.open('Benchmark flow');
  for (let i = 1; i <= steps; i++) await job.step(`Step ${i}`, 'ovirt', noop);
  await job.end(true);
}

/** Candidate: the engine writes as local activities (no task-queue round trip, markers instead of three events). */
export async function localMirroredFlow(steps: number): Promise<void> {
  const { jobId } = await engineLocal.ensureEngineJob({ description: 'Benchmark flow' });
  if (!jobId) throw new Error('no engine job');
  for (let i = 1; i <= steps; i++) {
    const [{ stepId }] = await Promise.all([engineLocal.ensureEngineStep({ jobId, description: `Step ${i}` }), noop()]);
    if (stepId) await engineLocal.endEngineStep({ jobId, stepId, succeeded: true });
  }
  await engineLocal.endEngineJob({ jobId, succeeded: true });
}

/** Candidate: each step begun and ended by its own activity; the job opened and ended by local activities. */
export async function inActivityMirroredFlow(steps: number): Promise<void> {
  const { jobId } = await engineLocal.ensureEngineJob({ description: 'Benchmark flow' });
  if (!jobId) throw new Error('no engine job');
  for (let i = 1; i <= steps; i++) await mirroredNoop({ jobId, description: `Step ${i}` });
  await engineLocal.endEngineJob({ jobId, succeeded: true });
}
