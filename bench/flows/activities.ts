// The benchmark's activity: the work itself costs nothing, so what is measured is the orchestration around it.
export function createBenchActivities() {
  return {
    async noop(): Promise<void> {},
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
