// Server-sent events of the Tasks page. Store changes are gathered for `batchMs` and sent as one `changes` event:
// the changed jobs (whole rows), the changed steps, the jobs whose steps all need reloading, the removed jobs.
// Past `maxBatch` changed jobs the event just says `reset` and pages reload their list.
import type { Request, Response } from 'express';
import type { JobChange } from '../jobs/changes';
import type { JobStore } from '../jobs/store';
import type { TaskJob, TaskStep, TasksView } from './view';

export interface ChangesEvent {
  reset?: true;
  jobs?: TaskJob[];
  steps?: TaskStep[];
  /** Jobs whose steps changed in bulk: pages showing their steps fetch them again. */
  reloadSteps?: string[];
  removed?: string[];
}

export interface FeedOptions {
  /** How long changes are gathered before they are sent, in milliseconds. @default 100 */
  batchMs?: number;
  /** Changed jobs past which a batch is sent as `reset`. @default 500 */
  maxBatch?: number;
  /** Interval of keep-alive comments, in milliseconds. @default 15000 */
  heartbeatMs?: number;
}

export class TasksFeed {
  private readonly clients = new Set<Response>();
  private readonly jobs = new Set<string>();
  private readonly steps = new Map<string, string>();
  private readonly reloadSteps = new Set<string>();
  private readonly removed = new Set<string>();
  private reset = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private readonly batchMs: number;
  private readonly maxBatch: number;
  private readonly heartbeatMs: number;

  constructor(
    private readonly store: JobStore,
    private readonly view: TasksView,
    options: FeedOptions = {},
  ) {
    this.batchMs = options.batchMs ?? 100;
    this.maxBatch = options.maxBatch ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  /** Serves one EventSource connection until the client goes away. */
  attach = (req: Request, res: Response): void => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n: connected\n\n');
    this.clients.add(res);
    if (this.clients.size === 1) this.start();
    req.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
  };

  private start(): void {
    this.unlisten = this.store.changes.listen(this.gather);
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stop(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    clearInterval(this.heartbeat);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.clearPending();
  }

  private readonly gather = (change: JobChange): void => {
    switch (change.kind) {
      case 'job':
        this.jobs.add(change.jobId);
        break;
      case 'step':
        this.jobs.add(change.jobId);
        this.steps.set(change.stepId, change.jobId);
        break;
      case 'steps':
        this.jobs.add(change.jobId);
        this.reloadSteps.add(change.jobId);
        break;
      case 'removed':
        for (const id of change.jobIds) this.removed.add(id);
        break;
      case 'reset':
        this.reset = true;
        break;
    }
    this.flushTimer ??= setTimeout(this.flush, this.batchMs);
  };

  private readonly flush = (): void => {
    this.flushTimer = undefined;
    let event: ChangesEvent;
    if (this.reset || this.jobs.size + this.removed.size > this.maxBatch) {
      event = { reset: true };
    } else {
      const jobs = this.view.jobs([...this.jobs]);
      const removed = new Set(this.removed);
      const present = new Set(jobs.map((job) => job.id));
      for (const id of this.jobs) if (!present.has(id)) removed.add(id);
      const steps: TaskStep[] = [];
      for (const [stepId, jobId] of this.steps) {
        if (this.reloadSteps.has(jobId) || removed.has(jobId)) continue;
        const step = this.view.step(stepId);
        if (step) steps.push(step);
      }
      event = {
        jobs,
        steps,
        reloadSteps: [...this.reloadSteps].filter((id) => !removed.has(id)),
        removed: [...removed],
      };
    }
    this.clearPending();
    this.send(`event: changes\ndata: ${JSON.stringify(event)}\n\n`);
  };

  private clearPending(): void {
    this.jobs.clear();
    this.steps.clear();
    this.reloadSteps.clear();
    this.removed.clear();
    this.reset = false;
  }

  private send(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}
