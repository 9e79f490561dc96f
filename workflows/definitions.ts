// Queries, signals and status types of hybridflow workflows, shared with the API server and the activities.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { VendorProgress } from '../common/vendor-contract';

export type StepKind = 'ovirt' | 'external' | 'compensation';
export type StepStatus = 'pending' | 'running' | 'finished' | 'failed';

export interface FlowStep {
  key: string;
  description: string;
  kind: StepKind;
  status: StepStatus;
  progress?: number;
  startedAt?: string;
  endedAt?: string;
  engineStepId?: string;
  children: FlowStep[];
}

export interface FlowProgress {
  engineJobId?: string;
  steps: FlowStep[];
}

/** The step tree of a flow, for the API server. */
export const progressQuery = defineQuery<FlowProgress>('progress');

/** A vendor activity's latest heartbeat details, relayed by the watchVendorProgress activity. */
export const vendorProgressSignal = defineSignal<[{ activityId: string } & VendorProgress]>('vendorProgress');
