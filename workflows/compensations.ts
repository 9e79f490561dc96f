// The saga's undo list: after each step that changed something, its undo is added; on failure or cancellation they
// run last-in-first-out, each mirrored as its own engine step, best effort (one failing undo does not stop the rest).
import { log, type ActivityFunction, type ActivityFunctionWithOptions } from '@temporalio/workflow';
import type { MirroredJob } from './mirrored-job';

type Undo = (job: MirroredJob) => Promise<unknown>;

export class Compensations {
  private readonly undos: { description: string; run: Undo }[] = [];

  add<F extends ActivityFunction>(
    description: string,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): void {
    this.undos.push({ description, run: (job) => job.step(`Undo: ${description}`, 'compensation', activity, ...args) });
  }

  /** An undo that runs only if `needed()` says so when the undos run (e.g. only if the step it undoes ever ran). */
  addIf<F extends ActivityFunction>(
    needed: () => Promise<boolean>,
    description: string,
    activity: ActivityFunctionWithOptions<F>,
    ...args: Parameters<F>
  ): void {
    this.undos.push({
      description,
      run: async (job) => {
        if (await needed()) await job.step(`Undo: ${description}`, 'compensation', activity, ...args);
      },
    });
  }

  /** Runs every undo, newest first; returns the descriptions of those that failed. */
  async runAll(job: MirroredJob): Promise<string[]> {
    const failed: string[] = [];
    for (const undo of [...this.undos].reverse()) {
      try {
        await undo.run(job);
      } catch (err) {
        log.error(`Undo failed: ${undo.description}`, { error: (err as Error).message });
        failed.push(undo.description);
      }
    }
    return failed;
  }
}
