// A pool of clones through the pages, in headless Chromium against the real stack: the wizard's pool choice (prefix
// and count, the names previewed and checked live, a taken one flagged), review and start; then the flow page's grid
// of VMs with its counts reaching done, and a cell opened to show that VM's own steps (its child workflow, read
// through GET /api/v1/flows/<flow id>-<vm name>). Screenshots at 1280 and 400 px go to test-artifacts/.
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { openApiChecker } from '../helpers/openapi';
import { TEST_TOKEN, startTestStack, type TestStack } from '../helpers/stack';
import { launchBrowser, overflow, shot } from '../helpers/browser';

const WAIT = { timeout: 10_000 };
const FLOW_WAIT = { timeout: 60_000 };

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack('web-bulk-clone', { cloneMs: 3000 }), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  // Errors the pages log (the browser's own favicon request, which the pages do not make, aside).
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico'))
      pageErrors.push(`${msg.text()} (${msg.location().url})`);
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

const url = (p: string) => stack.apiUrl + p;
const previewed = () =>
  page.$$eval('#pool-preview li', (items) =>
    items.map((li) => [li.getAttribute('data-name'), li.getAttribute('data-state')]),
  );

test('the wizard builds a pool: prefix and count previewed and checked, start; the grid reaches done, a cell shows its steps', async () => {
  await page.goto(url(`/flows/new?vm=web-01#token=${TEST_TOKEN}`));
  await page.waitForSelector('tr[data-vm="web-01"].selected', WAIT);
  await page.click('#source-next');
  await page.waitForSelector('#step-clone:not([hidden])', WAIT);

  // One clone is the default; a pool swaps the name for a prefix and a count, with a prefix suggested.
  expect(await page.isChecked('#how-many-one')).toBe(true);
  expect(await page.isVisible('#pool-fields')).toBe(false);
  await page.check('#how-many-pool');
  expect(await page.isVisible('#clone-name')).toBe(false);
  expect(await page.inputValue('#pool-prefix')).toBe('web-01-pool-');
  expect(await page.inputValue('#pool-count')).toBe('3');
  expect(await page.inputValue('#max-parallel')).toBe('4');
  expect(await page.inputValue('#on-failure')).toBe('keep-completed');

  // Names that exist are flagged in the preview, and the wizard does not go on.
  await page.fill('#pool-prefix', 'web-0');
  await page.waitForSelector('#pool-check[data-state="bad"]', WAIT);
  expect(await previewed()).toEqual([
    ['web-01', 'bad'],
    ['web-02', 'bad'],
    ['web-03', 'ok'],
  ]);
  expect(await page.textContent('#pool-check')).toContain('web-01, web-02');
  expect(await page.getAttribute('#pool-prefix', 'aria-invalid')).toBe('true');
  await page.click('#clone-next');
  expect(await page.isVisible('#step-review')).toBe(false);

  // A large pool previews the first few and the last; a count out of range is refused in words.
  const prefix = `wp-${randomUUID().slice(0, 4)}-`;
  await page.fill('#pool-prefix', prefix);
  await page.fill('#pool-count', '12');
  await page.waitForSelector(`#pool-preview li[data-name="${prefix}12"][data-state="ok"]`, WAIT);
  await page.waitForSelector('#pool-check[data-state="ok"]', WAIT);
  expect(await previewed()).toEqual([
    [`${prefix}01`, 'ok'],
    [`${prefix}02`, 'ok'],
    [`${prefix}03`, 'ok'],
    [null, null],
    [`${prefix}12`, 'ok'],
  ]);
  await page.fill('#pool-count', '101');
  await page.waitForSelector('#pool-check[data-state="bad"]:has-text("1 to 100")', WAIT);
  await page.fill('#pool-count', '3');
  await page.waitForSelector(`#pool-preview li[data-name="${prefix}1"][data-state="ok"]`, WAIT);
  await page.waitForSelector('#pool-check[data-state="ok"]', WAIT);
  expect((await previewed()).map(([name]) => name)).toEqual([`${prefix}1`, `${prefix}2`, `${prefix}3`]);
  await page.fill('#max-parallel', '2');
  await shot(page, 'wizard-pool-1280.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('#clone-next');

  await page.waitForSelector('#step-review:not([hidden])', WAIT);
  const review = await page.textContent('#review');
  expect(review).toContain(`3 VMs: ${prefix}1 … ${prefix}3`);
  expect(review).toContain('Keep the VMs built');
  expect(await page.textContent('#start')).toBe('Start the pool');
  await page.click('#start');

  // The flow page: a cell per VM, the counts, the flow's own steps in the tree.
  await page.waitForURL(/\/flows\/bulk-clone-web-01-/, WAIT);
  const flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  await page.waitForSelector('#pool-card:not([hidden])', WAIT);
  expect(await page.textContent('#flow-title')).toBe('Bulk clone of web-01');
  expect(await page.$$eval('.pool-cell', (cells) => cells.map((c) => c.getAttribute('data-vm')))).toEqual([
    `${prefix}1`,
    `${prefix}2`,
    `${prefix}3`,
  ]);
  // A VM not begun yet (two are built at once, each clone takes 3 s) says so when opened; its flow is not asked for
  // before it exists.
  const last = `.pool-cell[data-vm="${prefix}3"]`;
  expect(await page.getAttribute(last, 'data-status')).toBe('waiting');
  await page.click(last);
  await page.waitForSelector('#pool-detail-note:has-text("has not begun yet")', WAIT);
  await page.click(last);
  await page.waitForSelector('#pool-detail', { ...WAIT, state: 'hidden' });
  const running = await page.waitForSelector('.pool-cell[data-status="running"]', FLOW_WAIT);
  expect(await page.textContent('[data-count="running"]')).not.toMatch(/^0 /);
  await shot(page, 'flow-pool-1280-running.png');

  // Opening a running VM's cell reads its own steps, kept live while it runs.
  const vm = (await running.getAttribute('data-vm'))!;
  await running.click();
  await page.waitForSelector(`#pool-detail[data-vm="${vm}"]:not([hidden])`, WAIT);
  expect(await running.getAttribute('aria-expanded')).toBe('true');
  await page.waitForSelector('#pool-detail-steps .step', WAIT);

  await page.waitForSelector('body[data-flow-status="completed"]', FLOW_WAIT);
  await page.waitForSelector('[data-count="completed"] strong:text-is("3")', WAIT);
  expect(await page.textContent('[data-count="failed"]')).toMatch(/^0 failed/);
  expect(await page.textContent('#flow-outcome')).toContain('3 of 3 VMs built');
  await page.waitForFunction(
    () => {
      const steps = Array.from(document.querySelectorAll('#pool-detail-steps .step'));
      return steps.length > 0 && steps.every((s) => s.getAttribute('data-status') === 'finished');
    },
    undefined,
    WAIT,
  );
  const vmSteps = await page.$$eval('#pool-detail-steps .step .desc', (d) => d.map((x) => x.textContent));
  expect(vmSteps.some((d) => d?.startsWith(`Create VM ${vm} from`))).toBe(true);
  expect(vmSteps.some((d) => /clone disk/i.test(d ?? ''))).toBe(true);
  const ownSteps = await page.$$eval('#steps > .step .desc', (d) => d.map((x) => x.textContent));
  expect(ownSteps.some((d) => d?.startsWith('Merge the snapshots of web-01'))).toBe(true);
  expect(ownSteps.some((d) => d?.startsWith('Clone web-01 as'))).toBe(false);
  await shot(page, 'flow-pool-1280-completed.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'flow-pool-400-completed.png');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Another cell opens in its place; the same cell again closes it.
  const other = vm === `${prefix}1` ? `${prefix}2` : `${prefix}1`;
  await page.click(`.pool-cell[data-vm="${other}"]`);
  await page.waitForSelector(`#pool-detail[data-vm="${other}"] #pool-detail-steps .step`, WAIT);
  expect(await running.getAttribute('aria-expanded')).toBe('false');
  await page.click(`.pool-cell[data-vm="${other}"]`);
  await page.waitForSelector('#pool-detail', { ...WAIT, state: 'hidden' });

  // The VM as the API reads it: a flow of its own kind, never listed, not to be cancelled alone.
  const memberId = `${flowId}-${prefix}1`;
  const member = await stack.api('GET', `/api/v1/flows/${memberId}`);
  expect(member).toMatchObject({ status: 200, body: { id: memberId, kind: 'bulk-clone-member', status: 'completed' } });
  const doc = await (await fetch(url('/api/openapi.json'))).json();
  openApiChecker(doc).check('GET', '/api/v1/flows/{id}', 200, 'application/json', member.body);
  const listed = await stack.api('GET', '/api/v1/flows?pageSize=100');
  const ids = listed.body.items.map((f: { id: string }) => f.id);
  expect(ids).toContain(flowId);
  expect(ids.filter((id: string) => id.startsWith(`${flowId}-`))).toEqual([]);
  const byKind = await stack.api('GET', '/api/v1/flows?kind=bulk-clone');
  expect(byKind.body.items.map((f: { id: string }) => f.id)).toEqual([flowId]);
  expect((await stack.api('GET', '/api/v1/flows?kind=bulk-clone-member')).status).toBe(400);
  const cancel = await stack.api('POST', `/api/v1/flows/${memberId}/cancel`);
  expect(cancel).toMatchObject({ status: 409, body: { title: 'Part of another flow' } });
});
