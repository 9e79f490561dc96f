// The flow page while no worker runs, in headless Chromium against the real stack: it shows the flow at once with a
// notice that no worker answers and no engine job yet; once a worker runs, the engine job and its Tasks link appear
// without a reload, and the notice goes.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TEST_TOKEN, startTestStack, type TestStack } from '../helpers/stack';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';

const WAIT = { timeout: 10_000 };
const FLOW_WAIT = { timeout: 30_000 };

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startTestStack('web-no-worker', { mainWorker: false, cloneMs: 1500, flowReads: { queryQuietMs: 1000 } }),
    launchBrowser(),
  ]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the flow page says no worker answers, then shows the engine job and its Tasks link once one runs', async () => {
  const started = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'web-01-page',
  });
  expect(started).toMatchObject({ status: 202, body: { engineJobId: null } });
  await page.goto(stack.apiUrl + `/login#token=${TEST_TOKEN}`);
  await page.waitForURL(/\/flows\/new$/, WAIT);
  await page.goto(stack.apiUrl + `/flows/${encodeURIComponent(started.body.id)}`);
  await page.waitForSelector('#flow-notice:not([hidden])', WAIT);
  expect(await page.textContent('#flow-notice')).toMatch(/No worker answered .* no engine job yet/);
  expect(await page.textContent('#facts')).toContain('not opened yet');
  expect(await page.isHidden('#link-tasks')).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'flow-1280-no-worker.png'), fullPage: true });

  await stack.startMainWorker();
  await page.waitForSelector('#link-tasks:not([hidden])', FLOW_WAIT);
  const flow = await stack.api('GET', `/api/v1/flows/${started.body.id}`);
  expect(await page.textContent('#facts')).toContain(flow.body.engineJobId);
  expect(await page.getAttribute('#link-tasks', 'href')).toContain(`#job-${flow.body.engineJobId}`);
  await page.waitForSelector('body[data-flow-status="completed"]', FLOW_WAIT);
  expect(await page.isHidden('#flow-notice')).toBe(true);
  expect(pageErrors).toEqual([]);
}, 90_000);
