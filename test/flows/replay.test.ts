// Flows begun by an earlier release must go on on the workers of this one: Temporal replays their histories against
// today's workflow code, and any command it would now issue differently fails the replay (a non-determinism
// error). The histories in test/fixtures/histories were made by commit 6b89d33, before oVirt steps mirrored
// themselves in their own activities (patch 'mirror-steps-in-activities').
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';

const History = temporal.api.history.v1.History;
const FIXTURES = path.join(__dirname, '../fixtures/histories');

function readHistory(file: string) {
  const json = zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, file))).toString('utf8');
  return History.fromObject(JSON.parse(json));
}

test.each([
  ['a completed rapid clone', 'rapid-clone-completed-6b89d33.json.gz'],
  ['a rapid clone undone after its vendor failed for good', 'rapid-clone-undone-6b89d33.json.gz'],
])(
  '%s of the earlier release replays on today’s workflow code',
  async (_name, file) => {
    const history = readHistory(file);
    const types = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(types).toContain('ensureEngineStep'); // made by the earlier shape indeed
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(),
        sinks: { flowMetrics: { flowEnded: { fn: () => undefined } } },
      },
      history,
    );
  },
  120_000,
);
