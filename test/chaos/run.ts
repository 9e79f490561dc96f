// `npm run chaos [-- --scenario <name>]... [--flows N] [--seed S] [--short] [--verbose]`: rapid clones under
// injected faults, then the invariants; exits 0 only with zero violations.
import { parseArgs } from 'node:util';
import { runChaos } from './harness';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true, default: [] },
      flows: { type: 'string' },
      seed: { type: 'string' },
      short: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const flows = values.flows !== undefined ? Number(values.flows) : undefined;
  if (!Number.isInteger(seed) || (flows !== undefined && !(Number.isInteger(flows) && flows > 0))) {
    console.error('--seed and --flows take whole numbers (--flows at least 1)');
    return 2;
  }
  const { text, violations } = await runChaos({
    scenarios: values.scenario,
    flows,
    seed,
    short: values.short,
    verbose: values.verbose,
  });
  console.log(text);
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`chaos: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
