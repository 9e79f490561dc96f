// The invariants every flow must keep whatever went wrong around it, checked once its scenario is over against
// Temporal (the flow's status and history) and the engine (its jobs, steps, VMs and disks), read directly.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { z } from 'zod';
import { correlationIdFor } from '../../common/correlation';
import type { OvirtClient } from '../../ovirt/client';
import { collection, Disk, Job, Step, Vm } from '../../ovirt/representation';
import type { FlowDoc } from './api';
import { sleep } from './stack';

/** What the harness knows of one flow it started. */
export interface FlowRecord {
  sourceVm: string;
  cloneName: string;
  vendor: string;
  idempotencyKey: string;
  sourceWasUp: boolean;
  id?: string;
  startError?: string;
  cancelRequested?: boolean;
  /** The last document the API gave (the final one, when watching ended). */
  final?: FlowDoc;
}

export type Outcome = 'completed' | 'undone' | 'other';

export interface FlowVerdict {
  outcome: Outcome;
  violations: string[];
  /** e.g. "12 engine steps in 1 job(s) for 11 activities" */
  summary?: string;
}

/**
 * Activities that only mirror the flow onto the engine (activities/engine-job.ts, the vendor progress watcher and
 * the check whether a vendor took its task): they have no engine step of their own. A mirroring activity added
 * later and missing here shows up as "... has no engine step".
 */
const MIRRORING = new Set([
  'ensureEngineJob',
  'ensureEngineStep',
  'endEngineStep',
  'endEngineJob',
  'setEngineStepProgress',
  'watchVendorProgress',
  'vendorTookTask',
]);

const StorageDomain = z.object({ id: z.string(), name: z.string().optional() });
const Memo = z
  .object({ engineJobIds: z.array(z.string()).optional(), engineJobId: z.string().nullish() })
  .passthrough();

export class Checker {
  constructor(
    private readonly temporal: Client,
    private readonly ovirt: OvirtClient,
  ) {}

  async check(flow: FlowRecord): Promise<FlowVerdict> {
    const v: string[] = [];
    const say = (text: string) => v.push(`${flow.id ?? flow.sourceVm}: ${text}`);
    if (!flow.id) {
      say(`never started: ${flow.startError ?? 'no answer'}`);
      return { outcome: 'other', violations: v };
    }
    const handle = this.temporal.workflow.getHandle(flow.id);
    const description = await handle.describe();
    const status = description.status.name;
    if (status === 'RUNNING') say('still running when the scenario ended');
    else if (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(status))
      say(`ended ${status}, neither completed nor failed/cancelled with its steps undone`);
    const completed = status === 'COMPLETED';
    const undone = status === 'FAILED' || status === 'CANCELLED';

    // What the flow ran: each non-mirroring activity id once, whatever its retries, with its summary (= step description).
    const expected = new Map<string, string>();
    const history = await handle.fetchHistory();
    for (const event of history.events ?? []) {
      const a = event.activityTaskScheduledEventAttributes;
      if (!a?.activityId || MIRRORING.has(a.activityType?.name ?? '')) continue;
      const summary = event.userMetadata?.summary
        ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary)
        : a.activityType?.name;
      expected.set(a.activityId, summary ?? '?');
    }

    // The flow's jobs: the engine's external jobs under its correlation id, with those the flow itself names.
    const memo = Memo.safeParse(description.memo ?? {});
    const named = new Set([
      ...(memo.success ? (memo.data.engineJobIds ?? []) : []),
      ...(flow.final?.engineJobIds ?? []),
    ]);
    const listed = await this.ovirt.get('/jobs', collection('job', Job), {
      query: { search: `correlation_id=${correlationIdFor(flow.id)}` },
    });
    const jobs = listed.filter((j) => j.external !== false);
    for (const id of named) {
      if (jobs.some((j) => j.id === id)) continue;
      const job = await this.ovirt.get(`/jobs/${id}`, Job).catch(() => undefined);
      if (job) jobs.push(job);
      else say(`engine job ${id} named by the flow does not exist`);
    }
    jobs.sort((a, b) => (a.start_time ?? 0) - (b.start_time ?? 0));
    if (jobs.length === 0) say('no engine job at all');

    const topLevel: { description: string; job: string }[] = [];
    for (const [i, job] of jobs.entries()) {
      const last = i === jobs.length - 1;
      const steps = await this.ovirt.get(`/jobs/${job.id}/steps`, collection('step', Step));
      for (const s of steps) {
        if (s.status === 'started' && status !== 'RUNNING')
          say(`step "${s.description}" of job ${job.id} left started after the flow closed`);
        // An engine restart leaves STARTED steps UNKNOWN in whatever job they are (also one the flow had failed
        // itself); the flow then mirrors them again in a continuation job, so only its last job must have none.
        if (s.status === 'unknown' && last) {
          say(`step "${s.description}" is unknown in job ${job.id}, the flow's last job`);
        }
        if (!s.parent_step && s.status !== 'unknown') topLevel.push({ description: s.description, job: job.id });
      }
      if (status === 'RUNNING') continue;
      if (last) {
        const want = completed ? 'finished' : 'failed';
        if (job.status !== want) say(`its last engine job ${job.id} is ${job.status}, expected ${want}`);
      } else if (job.status === 'started') {
        say(`its earlier engine job ${job.id} is still started`);
      }
    }

    // Exactly one engine step per activity (plus the "Failed: <reason>" step of a flow that failed or was cancelled).
    const seen = new Map<string, number>();
    topLevel.forEach((s) => seen.set(s.description, (seen.get(s.description) ?? 0) + 1));
    for (const [d, n] of seen) if (n > 1) say(`engine step "${d}" appears ${n} times`);
    const failedSteps = topLevel.filter((s) => s.description.startsWith('Failed: '));
    const wantCount = expected.size + (undone ? 1 : 0);
    if (topLevel.length !== wantCount)
      say(`${topLevel.length} engine steps for ${expected.size} activities${undone ? ' + 1 failure step' : ''}`);
    const descriptions = new Set(topLevel.map((s) => s.description));
    for (const d of new Set(expected.values())) if (!descriptions.has(d)) say(`activity "${d}" has no engine step`);
    const activitySummaries = new Set(expected.values());
    for (const s of topLevel) {
      if (!activitySummaries.has(s.description) && !s.description.startsWith('Failed: '))
        say(`engine step "${s.description}" matches no activity`);
    }
    if (undone && failedSteps.length !== 1) say(`${failedSteps.length} "Failed: ..." steps, expected 1`);
    if (completed && failedSteps.length) say('a completed flow has a "Failed: ..." step');

    if (status !== 'RUNNING') v.push(...(await this.inventory(flow, completed, undone)).map((t) => `${flow.id}: ${t}`));
    const summary = `${topLevel.length} engine steps in ${jobs.length} job(s) for ${expected.size} activities`;
    return { outcome: completed ? 'completed' : undone ? 'undone' : 'other', violations: v, summary };
  }

  /** The clone exists after a completed flow, nothing of it after an undone one; the source as it was. */
  private async inventory(flow: FlowRecord, completed: boolean, undone: boolean): Promise<string[]> {
    const v: string[] = [];
    const vms = await this.ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${flow.cloneName}` } });
    const disks = await this.ovirt.get('/disks', collection('disk', Disk), {
      query: { search: `name=${flow.cloneName}_Disk*` },
    });
    const unregistered: string[] = [];
    for (const sd of await this.ovirt.get('/storagedomains', collection('storage_domain', StorageDomain))) {
      const images = await this.ovirt.get(`/storagedomains/${sd.id}/disks;unregistered`, collection('disk', Disk));
      unregistered.push(
        ...images.map((d) => d.name ?? d.alias ?? d.id).filter((n) => n.startsWith(`${flow.cloneName}_Disk`)),
      );
    }
    if (completed) {
      if (vms.length !== 1) v.push(`completed but ${vms.length} VMs are named ${flow.cloneName}`);
      if (disks.length !== 1) v.push(`completed but ${disks.length} disks are named ${flow.cloneName}_Disk*`);
    }
    if (undone) {
      if (vms.length) v.push(`undone but VM ${flow.cloneName} is left behind`);
      if (disks.length) v.push(`undone but disk(s) ${disks.map((d) => d.name).join(', ')} left behind`);
      if (unregistered.length) v.push(`undone but unregistered image(s) ${unregistered.join(', ')} left on the array`);
    }
    // The source VM as it was (up again if it was up): give a start in flight a moment.
    const want = flow.sourceWasUp ? 'up' : 'down';
    let state = '';
    for (let i = 0; i < 20; i++) {
      const [vm] = await this.ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${flow.sourceVm}` } });
      state = vm?.status ?? 'missing';
      if (state === want) break;
      await sleep(500);
    }
    if (state !== want) v.push(`source VM ${flow.sourceVm} is ${state}, it was ${want}`);
    return v;
  }

  /** Workflows per source VM (their ids are `rapid-clone-<vm>-<short id>`): never two for one requested clone. */
  async workflowsPerVm(taskQueue: string, vms: string[]): Promise<string[]> {
    const count = new Map<string, string[]>();
    for await (const wf of this.temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      const vm = /^rapid-clone-(.+)-[0-9a-f]{8}$/.exec(wf.workflowId)?.[1];
      if (vm && vms.includes(vm)) count.set(vm, [...(count.get(vm) ?? []), wf.workflowId]);
    }
    return [...count]
      .filter(([, ids]) => ids.length > 1)
      .map(([vm, ids]) => `${ids.length} workflows for source VM ${vm}: ${ids.join(', ')}`);
  }
}
