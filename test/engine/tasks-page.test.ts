// The Tasks page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): jobs and nested steps
// created over the API appear live, change status live, show progress; the status filter and `#job-<id>` work.
// Screenshots at 1280 and 400 px go to test-artifacts/.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestEngine } from './engine-harness';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';

const WAIT = { timeout: 5000 };

let e: TestEngine;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [e, browser] = await Promise.all([TestEngine.start(), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => console.error('page error:', err));
});
afterAll(async () => {
  await browser?.close();
  await e?.close();
});

const progressPut = async (jobId: string, stepId: string, progress: number): Promise<number> => {
  const res = await fetch(`${e.engine.url}/builtin/jobs/${jobId}/steps/${stepId}/progress`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${await e.token('admin')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ progress }),
  });
  return res.status;
};
const job = (id: string): string => `#job-${id}`;
const step = (id: string): string => `.step[data-id="${id}"]`;

test('jobs and nested steps appear and change live; progress, failure, filter, fragment; screenshots', async () => {
  const done = await e.addJob({ description: 'an earlier finished job' });
  await e.post(`/jobs/${done.id}/end`, { succeeded: true });

  await page.goto(`${e.engine.url}/tasks`);
  await page.waitForSelector('#live[data-state="live"]', WAIT);
  await page.waitForSelector(job(done.id), WAIT);
  // Durations as the CLI prints them (common/duration.ts, imported as /assets/lib/duration.js): "0.0s", not "0s".
  expect(await page.textContent(`${job(done.id)} .duration .value`)).toMatch(/^\d\.\ds$/);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  // A job created over the API appears without a reload.
  const clone = await e.addJob({ description: 'rapid clone web-01' });
  await page.waitForSelector(`${job(clone.id)}.status-started`, WAIT);
  expect(await page.textContent(`${job(clone.id)} .desc`)).toBe('rapid clone web-01');
  expect(await page.textContent(`${job(clone.id)} .owner .value`)).toBe('admin@internal');

  // Opened with the keyboard, it shows its steps as they come, the nested one under its parent.
  await page.focus(`${job(clone.id)} .job-toggle`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${job(clone.id)} .job-toggle[aria-expanded="true"]`, WAIT);
  const parent = await e.addStep(clone.id, { description: 'vendor clone' });
  const child = await e.addStep(clone.id, { description: 'copy LUN', parent_step: { id: parent.id } });
  await page.waitForSelector(`${step(parent.id)} > ol > ${step(child.id)}.status-started`, WAIT);
  expect(await page.textContent(`${step(child.id)} > .step-row .num`)).toBe('0.0');

  // Progress through the extension shows as a bar.
  expect(await progressPut(clone.id, child.id, 40)).toBe(200);
  await page.waitForSelector(`${step(child.id)} progress[value="40"]`, WAIT);
  expect(await page.textContent(`${step(child.id)} .pct`)).toBe('40%');
  await page.screenshot({ path: path.join(ARTIFACTS, 'tasks-1280-progress.png'), fullPage: true });

  // The nested step fails: the step and the whole job turn FAILED, live.
  await e.post(`/jobs/${clone.id}/steps/${child.id}/end`, { succeeded: false });
  await page.waitForSelector(`${job(clone.id)}.status-failed`, WAIT);
  await page.waitForSelector(`${step(child.id)}.status-failed`, WAIT);
  await page.waitForSelector(`${step(parent.id)}.status-failed`, WAIT);
  expect(await page.textContent(`${job(clone.id)} .badge`)).toBe('failed');
  expect(await page.textContent(`${job(clone.id)} .failed-steps`)).toContain('2 failed');
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'tasks-1280.png'), fullPage: true });

  // The status filter.
  await page.click('#filters [data-status="failed"]');
  await page.waitForSelector(job(done.id), { ...WAIT, state: 'detached' });
  expect(await page.isVisible(job(clone.id))).toBe(true);
  await page.click('#filters [data-status="finished"]');
  await page.waitForSelector(job(clone.id), { ...WAIT, state: 'detached' });
  expect(await page.isVisible(job(done.id))).toBe(true);
  await page.click('#filters [data-status="all"]');
  await page.waitForSelector(job(clone.id), WAIT);

  // Narrow screens.
  await page.setViewportSize({ width: 400, height: 900 });
  await page.click(`${job(clone.id)} .job-toggle`);
  await page.waitForSelector(`${job(clone.id)} ${step(child.id)}`, WAIT);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'tasks-400.png'), fullPage: true });

  // A link to /tasks#job-<id> opens and highlights that job.
  const linked = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await linked.goto(`${e.engine.url}/tasks#job-${done.id}`);
  await linked.waitForSelector(`${job(done.id)}.highlight .job-toggle[aria-expanded="true"]`, WAIT);
  expect(await linked.evaluate(() => document.activeElement?.closest('.job')?.id)).toBe(`job-${done.id}`);
  await linked.close();
});

test('the page and its data need no credentials from loopback, and are read-only', async () => {
  const list = await fetch(`${e.engine.url}/tasks/api/jobs?status=failed&limit=5`);
  expect(list.status).toBe(200);
  const body = (await list.json()) as { jobs: { status: string }[]; limit: number };
  expect(body.limit).toBe(5);
  expect(body.jobs.length).toBeGreaterThanOrEqual(1);
  expect(body.jobs.every((j) => j.status === 'failed')).toBe(true);
  const counts = (await (await fetch(`${e.engine.url}/tasks/api/counts`)).json()) as { counts: Record<string, number> };
  expect(counts.counts).toEqual({
    started: expect.any(Number),
    finished: expect.any(Number),
    failed: expect.any(Number),
    aborted: 0,
    unknown: 0,
  });
  expect(counts.counts.failed).toBeGreaterThanOrEqual(1);
  expect((await fetch(`${e.engine.url}/tasks/api/jobs?status=bogus`)).status).toBe(400);
  expect((await fetch(`${e.engine.url}/tasks/api/jobs/nope`)).status).toBe(404);
  expect((await fetch(`${e.engine.url}/tasks/api/jobs`, { method: 'POST' })).status).toBe(404);
});

test('the shared modules under /assets/lib are served as ES modules, with the page headers; others are a 404 fault', async () => {
  const res = await fetch(`${e.engine.url}/assets/lib/duration.js`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await res.text()).toMatch(/export \{[^}]*durationBetween/);
  const missing = await fetch(`${e.engine.url}/assets/lib/poll.js`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ reason: 'Not Found' });
});
