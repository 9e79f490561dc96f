// The vendors page end to end in headless Chromium against the real stack: the registered vendors with their
// activities, registering a webhook vendor (its key and signing secret shown once, then gone from the page), field
// errors from the API, a new key, revoking a key and removing a vendor; the keys shown are checked against the real
// vendor API. Screenshots at 1280 and 400 px go to test-artifacts/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_TOKEN, TEST_VENDORS, startTestStack, type TestStack } from '../helpers/stack';
import { launchBrowser, overflow, shot } from '../helpers/browser';

const WAIT = { timeout: 10_000 };

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack('web-vendors'), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.apiUrl });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => consoleLines.push(msg.text()));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

const url = (p: string) => stack.apiUrl + p;

/** The vendor API as the vendor calls it, with its key. */
const vendorApi = (key: string) =>
  fetch(url('/api/v1/vendor/activities'), { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.status);

/** Nothing of a secret anywhere the page could leak it: the address, storage, the console, the page itself. */
async function expectNowhere(secret: string) {
  expect(page.url()).not.toContain(secret);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(secret);
  expect(consoleLines.join('\n')).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);
}

let hookKey = '';
let rotatedKey = '';

test('a token link logs in; the list shows the registered vendors with their four activities', async () => {
  await page.goto(url(`/vendors#token=${TEST_TOKEN}`));
  await page.waitForSelector('#vendor-rows tr[data-id="acme-storage"]', WAIT);
  expect(page.url()).toBe(url('/vendors'));
  const ids = await page.$$eval('#vendor-rows tr', (rows) => rows.map((r) => r.getAttribute('data-id')));
  expect(ids).toEqual(expect.arrayContaining(TEST_VENDORS));
  const acme = '#vendor-rows tr[data-id="acme-storage"]';
  expect(await page.textContent(`${acme} td[data-label="Mode"]`)).toBe('Temporal');
  expect(await page.textContent(`${acme} td[data-label="Task queue"]`)).toBe(`${stack.taskQueue}.vendor.acme-storage`);
  expect(await page.textContent(`${acme} td[data-label="Activities"]`)).toBe('4');
  expect(await page.textContent(`${acme} td[data-label="Keys"]`)).toMatch(/[0-9a-f]{16} created .* · active/);
  await page.waitForSelector(`${acme} .badge[data-online="true"]`, { timeout: 25_000 }); // its worker polls
  expect(await page.textContent(`${acme} td[data-label="State"]`)).toContain('Online');
  expect(await page.textContent('#vendor-rows tr[data-id="idle-storage"] td[data-label="State"]')).toContain('Offline');
  expect(await page.textContent('#list-status')).toMatch(/\d+ vendors, \d+ online\./);

  // Its card: the four contract activities, each with its schemas in collapsible blocks.
  const activities = await page.$$eval('#vendor-acme-storage .activity', (items) =>
    items.map((a) => a.getAttribute('data-activity')),
  );
  expect(activities.sort()).toEqual(['checkCloneable', 'cloneDisk', 'deleteImage', 'updateDiskMetadata']);
  const clone = '#vendor-acme-storage .activity[data-activity="cloneDisk"]';
  expect(await page.textContent(`${clone} .facts`)).toContain('Heartbeat timeout');
  expect(await page.isVisible(clone)).toBe(false); // the activities are folded
  await page.click('#vendor-acme-storage .activities-block > summary');
  expect(await page.isVisible(clone)).toBe(true);
  expect(await page.isVisible(`${clone} details pre`)).toBe(false);
  await page.click(`${clone} details summary:has-text("Input JSON Schema")`);
  expect(await page.isVisible(`${clone} details pre`)).toBe(true);
  const schema = JSON.parse((await page.textContent(`${clone} details[open] pre`)) ?? '');
  expect(schema).toMatchObject({ type: 'object' });
  // The 10 s refresh redraws only what changed: the open schema stays open.
  await page.waitForTimeout(10_500);
  expect(await page.isVisible(`${clone} details[open] pre`)).toBe(true);
  await shot(page, 'vendors-1280.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'vendors-400.png');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the API’s field errors are shown next to their fields; a taken id on the id field', async () => {
  await page.goto(url('/vendors'));
  await page.waitForSelector('#vendor-rows tr', WAIT);
  await page.fill('#vendor-id', 'Bad Id!');
  await page.fill('#vendor-name', 'Bad');
  await page.click('#create-submit');
  await page.waitForSelector('#vendor-id-error:not([hidden])', WAIT);
  expect(await page.textContent('#vendor-id-error')).toContain('must be a vendor id');
  expect(await page.getAttribute('#vendor-id', 'aria-invalid')).toBe('true');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('vendor-id');
  expect(await page.isVisible('#create-error')).toBe(false);

  await page.fill('#vendor-id', 'acme-storage');
  await page.click('#create-submit');
  await page.waitForSelector('#vendor-id-error:has-text("exists already")', WAIT);

  await page.fill('#vendor-id', 'hook-one');
  await page.selectOption('#vendor-mode', 'webhook');
  expect(await page.isVisible('#vendor-task-queue')).toBe(false);
  await page.click('#create-submit');
  await page.waitForSelector('#vendor-webhook-error:not([hidden])', WAIT);
  expect(await page.textContent('#vendor-webhook-error')).toBe('is required in webhook mode');
  expect(await page.isVisible('#vendor-id-error')).toBe(false);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('vendor-webhook');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'vendors-400-field-error.png');
  await page.setViewportSize({ width: 1280, height: 900 });
  expect((await stack.api('GET', '/api/v1/vendors/hook-one')).status).toBe(404);
});

test('registering a webhook vendor shows its key and signing secret once; closing the dialog clears them', async () => {
  await page.goto(url('/vendors'));
  await page.waitForSelector('#vendor-rows tr', WAIT);
  await page.fill('#vendor-id', 'hook-one');
  await page.fill('#vendor-name', 'Hook One');
  await page.selectOption('#vendor-mode', 'webhook');
  await page.fill('#vendor-webhook', 'https://storage.example/hybridflow/tasks');
  await page.click('#create-submit');
  await page.waitForSelector('#secret-dialog[open]', WAIT);
  expect(await page.textContent('#secret-warning')).toContain('shown only now: store it safely');
  hookKey = (await page.textContent('#secret-key')) ?? '';
  const secret = (await page.textContent('#secret-webhook')) ?? '';
  expect(hookKey).toMatch(/^hfv_[0-9a-f]{16}_/);
  expect(secret).toMatch(/^whsec_/);
  expect(await page.isVisible('#secret-webhook')).toBe(true);
  await page.click('#copy-key');
  await page.waitForSelector('#copy-status:has-text("copied")', WAIT);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(hookKey);
  await shot(page, 'vendors-1280-secret-dialog.png');
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'vendors-400-secret-dialog.png');
  await page.setViewportSize({ width: 1280, height: 900 });

  expect(await vendorApi(hookKey)).toBe(200); // the key shown works on the vendor API

  await page.click('#secret-close');
  await page.waitForSelector('#secret-dialog:not([open])', { ...WAIT, state: 'attached' });
  // The dialog's close event (which clears the secrets) comes just after it closed.
  await page.waitForFunction(() => document.querySelector('#secret-key')?.textContent === '', undefined, WAIT);
  expect(await page.textContent('#secret-key')).toBe('');
  expect(await page.textContent('#secret-webhook')).toBe('');
  await expectNowhere(hookKey.slice(-43));
  await expectNowhere(secret);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('vendor-hook-one-title');
  const row = '#vendor-rows tr[data-id="hook-one"]';
  expect(await page.textContent(`${row} td[data-label="Mode"]`)).toBe('Webhook');
  expect(await page.textContent(`${row} td[data-label="Webhook"]`)).toBe('https://storage.example/hybridflow/tasks');
  expect(await page.textContent(`${row} td[data-label="Activities"]`)).toBe('0');
  expect(await page.inputValue('#vendor-id')).toBe(''); // the form is ready for the next one
});

test('a new key is shown once; revoking the old one (confirmed) marks it revoked and the vendor API refuses it', async () => {
  const card = '#vendor-hook-one';
  await page.click(`${card} .rotate`);
  await page.waitForSelector('#secret-dialog[open]', WAIT);
  rotatedKey = (await page.textContent('#secret-key')) ?? '';
  expect(rotatedKey).toMatch(/^hfv_[0-9a-f]{16}_/);
  expect(rotatedKey).not.toBe(hookKey);
  expect(await page.isVisible('#secret-webhook-row')).toBe(false);
  expect(await page.textContent('#secret-dialog')).toContain('shown only now: store it safely');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#secret-dialog:not([open])', { ...WAIT, state: 'attached' });
  // The dialog's close event (which clears the secrets) comes just after it closed.
  await page.waitForFunction(() => document.querySelector('#secret-key')?.textContent === '', undefined, WAIT);
  expect(await page.textContent('#secret-key')).toBe('');
  await expectNowhere(rotatedKey.slice(-43));
  expect(await page.$$(`${card} .keys .key`)).toHaveLength(2);
  expect(await vendorApi(rotatedKey)).toBe(200);

  const oldKeyId = hookKey.split('_')[1]!;
  const revoke = `${card} li[data-key-id="${oldKeyId}"] button.revoke`;
  await page.focus(revoke);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#confirm-dialog[open]', WAIT);
  expect(await page.textContent('#confirm-title')).toBe(`Revoke the key ${oldKeyId}?`);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('confirm-keep'); // the safe choice
  await page.keyboard.press('Escape');
  await page.waitForSelector('#confirm-dialog:not([open])', { ...WAIT, state: 'attached' });
  expect(await vendorApi(hookKey)).toBe(200); // kept

  await page.click(revoke);
  await shot(page, 'vendors-1280-revoke-dialog.png');
  await page.click('#confirm-yes');
  await page.waitForSelector(`${card} li.revoked[data-key-id="${oldKeyId}"]`, WAIT);
  expect(await page.textContent(`${card} li[data-key-id="${oldKeyId}"]`)).toContain('revoked');
  expect(await page.textContent(`#vendor-rows tr[data-id="hook-one"] li[data-key-id="${oldKeyId}"]`)).toContain(
    'revoked',
  );
  expect(await page.textContent('#action-status')).toContain(`The key ${oldKeyId} of Hook One is revoked`);
  expect(await vendorApi(hookKey)).toBe(401);
  expect(await vendorApi(rotatedKey)).toBe(200);
});

test('removing a vendor asks first, naming it; then it is gone and its keys stop working', async () => {
  await page.click('#vendor-hook-one .remove');
  await page.waitForSelector('#confirm-dialog[open]', WAIT);
  expect(await page.textContent('#confirm-title')).toBe('Remove the vendor Hook One (hook-one)?');
  expect(await page.textContent('#confirm-yes')).toBe('Remove Hook One');
  await shot(page, 'vendors-1280-remove-dialog.png');
  await page.click('#confirm-yes');
  await page.waitForSelector('#vendor-rows tr[data-id="hook-one"]', { ...WAIT, state: 'detached' });
  expect(await page.$('#vendor-hook-one')).toBeNull();
  expect(await page.textContent('#action-status')).toContain('The vendor Hook One (hook-one) was removed');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');
  expect((await stack.api('GET', '/api/v1/vendors/hook-one')).status).toBe(404);
  expect(await vendorApi(rotatedKey)).toBe(401);
  expect(await page.$('#vendor-rows tr[data-id="acme-storage"]')).not.toBeNull();
});
