// What `hybridflow dev` prints at start: a secret only when it was generated just now, and then once; never a
// secret that came from a variable, and never a file that does not exist.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startText } from '../../cli/commands/dev';
import { loadConfig } from '../../common/config';
import { apiTokenWithSource, enginePasswordWithSource } from '../../common/secrets';

const dirs: string[] = [];
const dataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-start-text-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const count = (text: string, part: string) => text.split(part).length - 1;
const mentionedFiles = (text: string) => [...text.matchAll(/in (\/\S+)/g)].map((m) => m[1]!);

test('a token from HF_API_TOKEN is never printed, and no file is named for it', () => {
  const config = loadConfig({
    HF_DATA_DIR: dataDir(),
    HF_API_TOKEN: 'operator-token-0123456789',
    OVIRT_PASSWORD: 'engine-secret-pw',
  });
  const token = apiTokenWithSource(config);
  const text = startText(config, [], token, enginePasswordWithSource(config).source);
  expect(text).not.toContain('operator-token-0123456789');
  expect(text).not.toContain('engine-secret-pw');
  expect(text).toContain('API token:        from HF_API_TOKEN');
  expect(text).toContain('Engine password:  from OVIRT_PASSWORD');
  expect(text).toContain('Bearer $HF_API_TOKEN');
  expect(fs.readdirSync(config.HF_DATA_DIR)).toEqual([]);
});

test('a generated token is printed once (in the web UI link); on the next start only its file is named', () => {
  const config = loadConfig({ HF_DATA_DIR: dataDir() });
  const first = apiTokenWithSource(config);
  expect(first.source.from).toBe('generated');
  const text = startText(config, [], first, enginePasswordWithSource(config).source);
  expect(count(text, first.secret)).toBe(1);
  expect(text).toContain(`/login#token=${encodeURIComponent(first.secret)}`);
  for (const file of mentionedFiles(text)) expect(fs.existsSync(file.replace(/\)$/, ''))).toBe(true);

  const again = apiTokenWithSource(config);
  expect(again).toEqual({
    secret: first.secret,
    source: { from: 'file', file: path.join(config.HF_DATA_DIR, 'api-token') },
  });
  const later = startText(config, [], again, enginePasswordWithSource(config).source);
  expect(later).not.toContain(first.secret);
  expect(later).toContain(`API token:        in ${path.join(config.HF_DATA_DIR, 'api-token')}`);
  expect(later).toMatch(/Open the web UI: {2}http:\/\/127\.0\.0\.1:8080\/login$/m);
  for (const file of mentionedFiles(later)) expect(fs.existsSync(file.replace(/\)$/, ''))).toBe(true);
});
