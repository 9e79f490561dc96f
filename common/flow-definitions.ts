// Queries, signals and status types of hybridflow workflows, shared with the API server and the activities.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { VendorProgress } from './vendor-contract';

export type StepKind = 'ovirt' | 'external' | 'compensation';
/** `unknown` appears only in a step tree read from the engine (its step was left UNKNOWN by an engine restart). */
export type StepStatus = 'pending' | 'running' | 'finished' | 'failed' | 'unknown';

export interface FlowStep {
  key: string;
  description: string;
  kind: StepKind;
  status: StepStatus;
  progress?: number;
  startedAt?: string;
  endedAt?: string;
  engineStepId?: string;
  /** The engine job that holds `engineStepId` (a continuation job after an engine restart). */
  engineJobId?: string;
  /** What happened to the step's mirroring when it did not go as planned, e.g. its first engine step left unknown. */
  engineNote?: string;
  children: FlowStep[];
}

export interface FlowProgress {
  /** The engine job in use: the latest continuation once there is one. */
  engineJobId?: string;
  /** Every engine job the flow used, oldest first. */
  engineJobIds: string[];
  steps: FlowStep[];
}

/** What a flow keeps in its memo: readable by the API server without a worker. */
export interface FlowMemo {
  summary?: string;
  request?: unknown;
  /** Every engine job the flow used so far, oldest first (updated as each is opened). */
  engineJobIds?: string[];
  /** Set once the flow ends: its final step tree and the job it ended. */
  steps?: FlowStep[];
  engineJobId?: string | null;
}

/** Vendor progress reaches the engine (and the flow's history) in steps of this many percent. */
export const PROGRESS_GRANULARITY = 10;

/** Whether progress `now` is worth relaying after `before`: a new PROGRESS_GRANULARITY step, or the end. */
export const progressStepChanged = (before: number | null | undefined, now: number): boolean =>
  Math.floor((before ?? 0) / PROGRESS_GRANULARITY) !== Math.floor(now / PROGRESS_GRANULARITY) ||
  (now === 100 && before !== 100);

/** The step tree of a flow, for the API server. */
export const progressQuery = defineQuery<FlowProgress>('progress');

/**
 * A vendor activity's latest heartbeat details: relayed by the vendor API as a webhook vendor reports them, and by the
 * watchVendorProgress activity for a temporal-mode vendor (whose heartbeats go straight to Temporal).
 */
export const vendorProgressSignal = defineSignal<[{ activityId: string } & VendorProgress]>('vendorProgress');

/** The engine job and step mirroring a vendor activity (by its activity id), once the step exists. */
export const vendorStepQuery = defineQuery<
  { engineJobId: string | null; engineStepId: string | null } | null,
  [string]
>('vendorStep');

/**
 * Every engine job a flow used, as Temporal knows it without a worker: those in its memo, oldest first, and the job
 * in use (its `EngineJobId` search attribute) if the memo does not list it yet.
 */
export function knownEngineJobIds(memo: FlowMemo, inUse: string | undefined): string[] {
  const ids = [...(memo.engineJobIds ?? [])];
  if (inUse && !ids.includes(inUse)) ids.push(inUse);
  return ids;
}
