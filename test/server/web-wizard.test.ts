// The web pages end to end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against the
// real stack (engine, worker, demo vendor, API server, Temporal): log in with a token link, clone a VM through the
// wizard and watch its step tree reach finished live; a failing flow shows its error in plain words; cancel with
// confirmation; the flows list filters and links. Screenshots at 1280 and 400 px go to test-artifacts/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_TOKEN, startTestStack, type TestStack } from '../helpers/stack';
import { launchBrowser, overflow, shot } from '../helpers/browser';

const WAIT = { timeout: 10_000 };
const FLOW_WAIT = { timeout: 30_000 };

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack('web-wizard', { cloneMs: 3000 }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

const url = (p: string) => stack.apiUrl + p;
const flowPath = (id: string) => `/flows/${encodeURIComponent(id)}`;

test('a token link logs in and never stays in the address bar; the API refuses a browser without the session', async () => {
  await page.goto(url(`/login#token=${TEST_TOKEN}`));
  await page.waitForURL(url('/flows/new'), WAIT);
  expect(page.url()).not.toContain(TEST_TOKEN);
  expect(await page.evaluate(() => document.cookie)).not.toContain('hf_session'); // HttpOnly
  const cookies = await context.cookies(stack.apiUrl);
  expect(cookies.find((c) => c.name === 'hf_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

  // Another browser without the cookie is sent to the login page, which returns it where it was going.
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const guest = await other.newPage();
  await guest.goto(url('/flows?status=failed'));
  await guest.waitForURL(/\/login\?next=/, WAIT);
  await guest.fill('#token', 'wrong-token');
  await guest.press('#token', 'Enter');
  await guest.waitForSelector('#page-error:not([hidden])', WAIT);
  expect(await guest.textContent('#page-error')).toContain('not accepted');
  await guest.fill('#token', TEST_TOKEN);
  await guest.click('#login-submit');
  await guest.waitForURL(url('/flows?status=failed'), WAIT);
  await other.close();
});

test('the wizard: search and pick web-01, the name checked live, review, start; the tree reaches finished live', async () => {
  await page.goto(url('/flows/new'));
  await page.waitForSelector('tr[data-vm="web-02"]', WAIT);

  // (1) Search, then pick the VM with the keyboard.
  await page.fill('#vm-search', 'web-01');
  await page.waitForSelector('tr[data-vm="web-02"]', { ...WAIT, state: 'detached' });
  const row = 'tr[data-vm="web-01"]';
  expect(await page.textContent(`${row} td[data-label="Status"]`)).toBe('up');
  expect(await page.textContent(`${row} td[data-label="Disks"]`)).toContain('web-01_Disk1');
  expect(await page.textContent(`${row} td[data-label="Disks"]`)).toContain('20 GiB');
  await page.focus(`${row} input[type="radio"]`);
  await page.keyboard.press('Space');
  await page.waitForSelector(`${row}.selected`, WAIT);
  expect(await page.textContent('#vm-chosen')).toBe('Source: web-01');
  await shot(page, 'wizard-1280-source.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'wizard-400-source.png');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.focus(`${row} input[type="radio"]`);
  await page.keyboard.press('Enter'); // submits the step's form

  // (2) The clone name, checked live while typing.
  await page.waitForSelector('#step-clone:not([hidden])', WAIT);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('clone-title');
  await page.fill('#clone-name', 'web-02');
  await page.waitForSelector('#name-check[data-state="bad"]', WAIT);
  expect(await page.textContent('#name-check')).toContain('A VM named web-02 already exists');
  expect(await page.getAttribute('#clone-name', 'aria-invalid')).toBe('true');
  await page.click('#clone-next'); // refused while the name is taken
  expect(await page.isVisible('#step-review')).toBe(false);
  await page.fill('#clone-name', 'bad name!');
  await page.waitForSelector('#name-check[data-state="bad"]:has-text("may contain only")', WAIT);
  await page.fill('#clone-name', '');
  await page.type('#clone-name', 'web-01-wiz', { delay: 20 });
  await page.waitForSelector('#name-check[data-state="ok"]', WAIT);
  expect(await page.textContent('#name-check')).toContain('web-01-wiz');
  expect(await page.inputValue('#vendor')).toBe('acme-storage');
  expect(await page.textContent('#vendor option[value="acme-storage"]')).toContain('online');
  expect(await page.isChecked('#restart-source')).toBe(true);
  expect(await page.isChecked('#start-clone')).toBe(false);
  await shot(page, 'wizard-1280-clone.png');
  await page.click('#clone-next');

  // (3) Review and start.
  await page.waitForSelector('#step-review:not([hidden])', WAIT);
  const review = await page.textContent('#review');
  expect(review).toContain('web-01');
  expect(review).toContain('web-01-wiz');
  expect(review).toContain('Yes, if it was up');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'wizard-400-review.png');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('#start');

  // The flow page: the tree appears, runs, and reaches finished without a reload.
  await page.waitForURL(/\/flows\/rapid-clone-/, WAIT);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  await page.waitForSelector('.step', WAIT);
  await page.waitForSelector('#live[data-state="live"], body[data-flow-status="completed"]', WAIT);
  expect(await page.textContent('#flow-title')).toBe('Rapid clone of web-01 as web-01-wiz');
  await page.waitForSelector('.step[data-status="running"] progress', WAIT); // the vendor's clone reports progress
  await shot(page, 'flow-1280-running.png');
  await page.waitForSelector('body[data-flow-status="completed"]', FLOW_WAIT);
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  const statuses = await page.$$eval('.step', (steps) => steps.map((s) => s.getAttribute('data-status')));
  expect(statuses.length).toBeGreaterThan(3);
  expect(new Set(statuses)).toEqual(new Set(['finished']));
  expect(await page.$$('.tree ol .step')).not.toHaveLength(0); // nested steps, indented under their parent
  expect(await page.textContent('#flow-status')).toContain('Completed');
  expect(await page.textContent('#flow-outcome')).toContain('the clone web-01-wiz is ready');
  expect(await page.getAttribute('#live', 'data-state')).toBe('closed');
  expect(await page.isDisabled('#cancel')).toBe(true);
  expect(await page.getAttribute('#link-tasks', 'href')).toMatch(/\/tasks#job-/);
  expect(await page.$$eval('.step .duration', (d) => d.every((x) => /\d/.test(x.textContent ?? '')))).toBe(true);
  await shot(page, 'flow-1280-completed.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'flow-400-completed.png');
  await page.setViewportSize({ width: 1280, height: 900 });
  const vm = await stack.api('GET', '/api/v1/vms?search=web-01-wiz');
  expect(vm.body.items.map((v: { name: string }) => v.name)).toContain('web-01-wiz');
});

test('a failing flow shows its error in plain words and its undo steps', async () => {
  const started = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-02',
    cloneName: 'web-02-broken',
    vendor: 'broken-storage',
  });
  expect(started.status).toBe(202);
  await page.goto(url(flowPath(started.body.id)));
  await page.waitForSelector('body[data-flow-status="failed"]', FLOW_WAIT);
  await page.waitForSelector('#flow-error:not([hidden])', WAIT);
  expect(await page.textContent('#flow-error-text')).toContain('the array rejected the metadata (volume is read-only)');
  expect(await page.textContent('#flow-status')).toContain('Failed');
  expect(await page.$$('.step[data-status="failed"]')).not.toHaveLength(0);
  expect(await page.isDisabled('#cancel')).toBe(true);
  await shot(page, 'flow-1280-failed.png');
});

test('cancel asks for confirmation in a dialog; Escape keeps the flow, confirming cancels it', async () => {
  const started = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-02',
    cloneName: 'web-02-cancelled',
  });
  expect(started.status).toBe(202);
  await page.goto(url(flowPath(started.body.id)));
  await page.waitForSelector('#cancel:not([disabled])', WAIT);
  await page.focus('#cancel');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#cancel-dialog[open]', WAIT);
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep it running'); // the safe choice
  await shot(page, 'flow-1280-cancel-dialog.png');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#cancel-dialog:not([open])', { ...WAIT, state: 'attached' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('cancel');
  expect((await stack.api('GET', `/api/v1/flows/${started.body.id}`)).body.status).toBe('running');

  await page.click('#cancel');
  await page.click('#cancel-confirm');
  await page.waitForSelector('body[data-flow-status="cancelled"]', FLOW_WAIT);
  expect(await page.isDisabled('#cancel')).toBe(true);
  expect(await page.textContent('#flow-status')).toContain('Cancelled');
  expect(await page.textContent('#flow-error-text')).toContain('cancelled');
});

test('when the event stream is refused, the flow page polls and still follows the flow to its end', async () => {
  const polled = await context.newPage();
  polled.on('pageerror', (err) => pageErrors.push(String(err)));
  // The browser is the only thing changed: its event stream answers 503 (e.g. a proxy that drops SSE).
  await polled.route('**/api/v1/flows/*/events', (route) => route.fulfill({ status: 503, body: 'no streams here' }));
  const started = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-02',
    cloneName: 'web-02-polled',
  });
  expect(started.status).toBe(202);
  await polled.goto(url(flowPath(started.body.id)));
  await polled.waitForSelector('#live[data-state="polling"]', WAIT);
  await polled.waitForSelector('body[data-flow-status="completed"]', FLOW_WAIT);
  expect(
    await polled.$$eval('.step', (steps) => steps.every((s) => s.getAttribute('data-status') === 'finished')),
  ).toBe(true);
  await polled.close();
});

test('the flows list shows past flows, filters by status and links each row to its page', async () => {
  await page.goto(url('/flows'));
  await page.waitForSelector('#flow-rows tr', WAIT);
  const kinds = await page.$$eval('#flow-rows tr', (rows) => rows.map((r) => r.className));
  expect(kinds).toEqual(expect.arrayContaining(['status-completed', 'status-failed', 'status-cancelled']));
  await shot(page, 'flows-1280.png');

  await page.selectOption('#status-filter', 'failed');
  await page.waitForURL(url('/flows?status=failed'), WAIT);
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll('#flow-rows tr')).every((r) => r.className === 'status-failed'),
    undefined,
    WAIT,
  );
  const link = page.locator('#flow-rows tr.status-failed a.flow-link').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/flows\/rapid-clone-web-02/, WAIT);
  await page.waitForSelector('body[data-flow-status="failed"]', WAIT);

  await page.goBack();
  await page.waitForURL(url('/flows?status=failed'), WAIT);
  await page.waitForSelector('#flow-rows tr', WAIT);
  expect(await page.inputValue('#status-filter')).toBe('failed');
  await page.setViewportSize({ width: 400, height: 900 });
  await page.selectOption('#status-filter', '');
  await page.waitForFunction(() => document.querySelectorAll('#flow-rows tr').length >= 3, undefined, WAIT);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'flows-400.png');

  // Paging with nextPageToken: two flows a page.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url('/flows?pageSize=2'));
  await page.waitForSelector('#flow-rows tr', WAIT);
  const ids = async () => page.$$eval('#flow-rows tr', (rows) => rows.map((r) => r.getAttribute('data-id')));
  const first = await ids();
  expect(first).toHaveLength(2);
  expect(await page.isDisabled('#prev-page')).toBe(true);
  await page.click('#next-page');
  await page.waitForSelector('#page-number:has-text("Page 2")', WAIT);
  const second = await ids();
  expect(second.length).toBeGreaterThan(0);
  expect(second.filter((id) => first.includes(id))).toEqual([]);
  await page.click('#prev-page');
  await page.waitForSelector('#page-number:has-text("Page 1")', WAIT);
  expect(await ids()).toEqual(first);

  // An unknown flow says so in plain words.
  await page.goto(url('/flows/no-such-flow'));
  await page.waitForSelector('#page-error:not([hidden])', WAIT);
  expect(await page.textContent('#page-error')).toBe('There is no flow with the id no-such-flow.');
});
