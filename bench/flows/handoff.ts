// bench:flows, section `handoff`: how long a flow takes to move on once a webhook vendor reports its task done.
// Rapid clones through the API on a bench webhook vendor that completes each delivery at once (each clone hands
// off its vendor activities: check, clone, metadata); for each completion, from the wall-clock moment the vendor
// sent it to the start of the next activity the flow schedules (its ActivityTaskStarted time in the history).
import { Client, Connection } from '@temporalio/client';
import { lanes, percentile, round, type Section } from './report';
import { flowClosed, startStack } from './stack';
import { BenchVendor } from './webhook';
import { apiRoutes } from '../../server/api/routes';

const CONCURRENCY = 10;

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** Where a hand-off's time goes, each from the end of the one before (the first from the vendor's call). */
const SEGMENTS = {
  recorded: 'vendor API and Temporal record the completion',
  taskStarted: 'the workflow task reaches the worker',
  taskCompleted: 'the worker runs the workflow task',
  nextStarted: 'the next activity reaches a worker',
} as const;
type Segment = keyof typeof SEGMENTS;

interface HandOff {
  activity: string;
  /** Event times (ms) of the completion, the workflow task that followed it, and the next activity's start. */
  at: Record<Segment, number>;
}

/** For each vendor task the flow completed: its activity name and the times of what followed, up to the next start. */
function nextStarts(history: History): HandOff[] {
  const events = history.events ?? [];
  const ms = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
  const scheduled = new Map<number, (typeof events)[number]>();
  for (const e of events) if (e.activityTaskScheduledEventAttributes) scheduled.set(Number(e.eventId), e);
  const out: HandOff[] = [];
  for (const done of events) {
    const attrs = done.activityTaskCompletedEventAttributes;
    const sched = attrs && scheduled.get(Number(attrs.scheduledEventId));
    if (sched?.activityTaskScheduledEventAttributes?.activityType?.name !== 'deliverVendorTask') continue;
    const payload = sched.activityTaskScheduledEventAttributes.input?.payloads?.[0]?.data;
    const activity = (JSON.parse(Buffer.from(payload ?? []).toString()) as { activity: string }).activity;
    // The next activity is one scheduled after the completion; its started event may be written later.
    const next = events.find((e) => {
      const id = Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? 0);
      return id > Number(done.eventId);
    });
    const after = events.filter((e) => Number(e.eventId) > Number(done.eventId));
    const taskStarted = after.find((e) => e.workflowTaskStartedEventAttributes);
    const taskCompleted = after.find((e) => e.workflowTaskCompletedEventAttributes);
    if (next && taskStarted && taskCompleted)
      out.push({
        activity,
        at: {
          recorded: ms(done),
          taskStarted: ms(taskStarted),
          taskCompleted: ms(taskCompleted),
          nextStarted: ms(next),
        },
      });
  }
  return out;
}

/** 1,000 x scale hand-offs (rapid clones at CONCURRENCY at once until there are enough). */
export const handoff: Section = async ({ temporalAddress, scale, log }) => {
  const target = Math.max(10, Math.round(1000 * scale));
  const maxClones = target; // at least one hand-off per clone
  const stack = await startStack({ temporalAddress, vms: maxClones + 1, log });
  const vendor = new BenchVendor(stack);
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  try {
    await vendor.start();
    const warm = await stack.api('POST', apiRoutes.startRapidClone.path, {
      sourceVm: stack.vm(maxClones),
      cloneName: 'handoff-warm',
      vendor: vendor.id,
    });
    await flowClosed(stack, warm.body.id);
    log(`handoff: rapid clones on a webhook vendor, ${CONCURRENCY} at once, until ${target} hand-offs ...`);
    const latencies: number[] = [];
    const byActivity = new Map<string, number[]>();
    const bySegment = new Map<Segment, number[]>();
    let failed = 0;
    await lanes(maxClones, CONCURRENCY, async (n) => {
      if (latencies.length >= target) return;
      const started = await stack.api('POST', apiRoutes.startRapidClone.path, {
        sourceVm: stack.vm(n),
        cloneName: `handoff-${n}`,
        vendor: vendor.id,
      });
      const id = started.body.id as string;
      if ((await flowClosed(stack, id)).status !== 'completed') failed++;
      for (const { activity, at } of nextStarts(await client.workflow.getHandle(id).fetchHistory())) {
        const sent = vendor.completedAt.get(`${id} ${activity}`);
        if (sent === undefined) continue;
        latencies.push(at.nextStarted - sent);
        byActivity.set(activity, [...(byActivity.get(activity) ?? []), at.nextStarted - sent]);
        let from = sent;
        for (const segment of Object.keys(SEGMENTS) as Segment[]) {
          bySegment.set(segment, [...(bySegment.get(segment) ?? []), at[segment] - from]);
          from = at[segment];
        }
      }
    });
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const all = sorted(latencies);
    const segments = Object.fromEntries(
      [...bySegment].map(([segment, xs]) => [segment, { p50Ms: round(percentile(sorted(xs), 0.5)) }]),
    );
    const figures = {
      p50Ms: round(percentile(all, 0.5)),
      p99Ms: round(percentile(all, 0.99)),
      handoffs: all.length,
      failedFlows: failed,
      segments,
    };
    return {
      figures,
      title: `handoff: webhook vendor completion -> next activity started, ${all.length} hand-offs, ${CONCURRENCY} flows at once`,
      table: {
        header: ['vendor activity', 'hand-offs', 'p50 ms', 'p99 ms'],
        rows: [
          ...[...byActivity].map(([a, xs]) => {
            const s = sorted(xs);
            return [a, String(s.length), String(round(percentile(s, 0.5))), String(round(percentile(s, 0.99)))];
          }),
          ['all', String(all.length), String(figures.p50Ms), String(figures.p99Ms)],
        ],
      },
      notes: [
        `From the vendor sending its completion (wall clock) to the history's ActivityTaskStarted of the next activity.`,
        `Where it goes (p50 of each part): ${(Object.keys(SEGMENTS) as Segment[])
          .map((k) => `${SEGMENTS[k]} ${segments[k]?.p50Ms ?? '?'} ms`)
          .join('; ')}.`,
        `${failed} flows not completed; vendor errors ${vendor.errors}`,
      ],
    };
  } finally {
    await connection.close();
    await vendor.stop();
    await stack.stop();
  }
};
