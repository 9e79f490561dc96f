// The flows list's kind filter in headless Chromium against the real stack: its options are the kinds GET
// /api/v1/flow-kinds lists (the page itself names none), and choosing one filters the list through the address.
import type { Browser, Page } from 'playwright-core';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';
import { launchBrowser } from '../helpers/browser';

const WAIT = { timeout: 10_000 };

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack('web-flow-kinds', { mainWorker: false }), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test("the kind filter's options are the API's flow kinds; the page names none itself", async () => {
  const html = await (await fetch(`${stack.apiUrl}/flows`)).text();
  expect(html).not.toMatch(/rapid-clone|clone-preflight/);

  const kinds = (await stack.api('GET', '/api/v1/flow-kinds')).body.items as { name: string; description: string }[];
  expect(kinds.map((k) => k.name)).toEqual(expect.arrayContaining(['rapid-clone', 'clone-preflight']));
  const kindsAsked = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/flow-kinds', WAIT);
  await page.goto(`${stack.apiUrl}/flows#token=${TEST_TOKEN}`);
  expect((await kindsAsked).status()).toBe(200);
  await page.waitForSelector('#kind-filter option[value="rapid-clone"]', { ...WAIT, state: 'attached' });
  const options = await page.$$eval('#kind-filter option', (all) =>
    all.map((o) => ({ value: o.getAttribute('value'), label: o.textContent, title: o.getAttribute('title') })),
  );
  expect(options).toEqual([
    { value: '', label: 'All', title: null },
    ...kinds.map((k) => ({
      value: k.name,
      label: k.name[0]!.toUpperCase() + k.name.slice(1).replace(/-/g, ' '),
      title: k.description,
    })),
  ]);
  expect(options.map((o) => o.label)).toEqual(expect.arrayContaining(['Rapid clone', 'Clone preflight']));
});

test('choosing a kind filters the list through the address, and the address sets the filter', async () => {
  const started = await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'web-01' });
  expect(started.status).toBe(202);
  await page.selectOption('#kind-filter', 'clone-preflight');
  await page.waitForURL(/\/flows\?kind=clone-preflight$/, WAIT);
  await page.waitForSelector(`#flow-rows tr[data-id="${started.body.id}"]`, WAIT);
  const shownKinds = await page.$$eval('#flow-rows td[data-label="Kind"]', (cells) => cells.map((c) => c.textContent));
  expect(new Set(shownKinds)).toEqual(new Set(['clone-preflight']));
  await page.goto(`${stack.apiUrl}/flows?kind=rapid-clone`);
  await page.waitForSelector('#kind-filter option[value="rapid-clone"]', { ...WAIT, state: 'attached' });
  await page.waitForFunction(
    () => (document.getElementById('kind-filter') as HTMLSelectElement).value === 'rapid-clone',
    undefined,
    WAIT,
  );
  await page.waitForSelector('#list-status:has-text("kind rapid-clone")', WAIT);
});
