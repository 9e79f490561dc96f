// A standalone external task's record in the server database, written by its workflow: ended when the vendor fell
// silent for too long, and, as the task ends, the engine job and steps that mirrored it.
import { ApplicationFailure } from '@temporalio/activity';
import type { ExternalTaskMirror, ExternalTaskStore } from '../db/external-tasks';
import type { ExternalTaskStatus } from '../db/tables';

export function createExternalTaskActivities(store: ExternalTaskStore | undefined) {
  const tasks = (): ExternalTaskStore => {
    if (!store) throw ApplicationFailure.nonRetryable('This worker has no server database', 'NoServerDatabase');
    return store;
  };
  return {
    /** Ends the task's record unless the API ended it first; answers whether this did. */
    async closeExternalTask(input: { taskId: string; status: ExternalTaskStatus; reason: string }): Promise<boolean> {
      return tasks().end(input.taskId, input.status, input.reason, new Date().toISOString());
    },

    async recordExternalTaskMirror(input: { taskId: string } & ExternalTaskMirror): Promise<void> {
      const { taskId, ...mirror } = input;
      await tasks().recordMirror(taskId, mirror);
    },
  };
}

export type ExternalTaskActivities = ReturnType<typeof createExternalTaskActivities>;
