// The chaos suite in short mode (`npm run chaos -- --short`): a few scenarios with one or two flows each, every
// component a real process, faults at random moments; any violated invariant fails the test with the report.
import { runChaos } from './harness';

test('rapid clones keep their invariants under injected faults (short chaos run)', async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const lines: string[] = [];
  const { text, violations } = await runChaos({ scenarios: [], seed, short: true, log: (l) => lines.push(l) });
  if (violations) throw new Error(`${lines.join('\n')}\n${text}`);
  console.log(text); // the table, for the record
  expect(violations).toBe(0);
}, 300_000);
