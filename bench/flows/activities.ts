// The benchmark's activities: the work itself costs nothing, so what is measured is the orchestration around it.
export const benchActivities = {
  async noop(): Promise<void> {},
};

export type BenchActivities = typeof benchActivities;
