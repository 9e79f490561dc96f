// The external tasks page end to end in headless Chromium against the real stack: a vendor, with its own key and
// through the real vendor API, creates a task with steps nested three deep; the operator's page shows it with its
// tree and progress and follows it live (progress, a step ending, the task ending) without redrawing the tasks that
// did not change; the vendor and status filters live in the address; the error state, and no polling while the page
// is hidden. Then the engine's own Tasks page shows the task as a job with its nested steps. Screenshots at 1280 and
// 400 px go to test-artifacts/.
import type { Browser, Page } from 'playwright-core';
import { fillPath } from '../../common/api-path';
import { apiRoutes, type RouteName } from '../../server/api/routes';
import { eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';
import { launchBrowser, overflow, shot } from '../helpers/browser';
import { callApi, type ApiAnswer } from '../helpers/external-tasks';

const WAIT = { timeout: 15_000 };

let stack: TestStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack('web-external-tasks'), launchBrowser()]);
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

const url = (p: string) => stack.apiUrl + p;

/** The vendor API as a vendor calls it with its own key, route by route. */
async function asVendor(vendorId: string) {
  const { apiKey } = await stack.vendors.newKey(vendorId);
  return (route: RouteName, params?: Record<string, string>, body?: unknown): Promise<ApiAnswer> => {
    const { method, path: template } = apiRoutes[route];
    return callApi(stack.apiUrl, apiKey, method.toUpperCase(), fillPath(template, params), body);
  };
}
type VendorCall = Awaited<ReturnType<typeof asVendor>>;

/** The task as the operator's API shows it. */
const operatorRead = async (id: string) =>
  (await stack.api('GET', fillPath(apiRoutes.getExternalJob.path, { id }))).body;

const task = (id: string) => `#tasks > li.ext-task[data-id="${id}"]`;
const step = (id: string) => `li.step[data-id="${id}"]`;

let acme: VendorCall;
/** The three-deep task: its id, its steps (top, mid, leaf) and what the engine made of them. */
let lun5: { id: string; steps: { id: string; description: string }[] };
let lun9: { id: string; stepId: string };

async function addStep(vendor: VendorCall, id: string, description: string, parentStepId?: string, type?: string) {
  const added = await vendor('addExternalJobStep', { id }, { description, parentStepId, type });
  expect(added.status).toBe(201);
  return added.body as { id: string; description: string };
}
const progress = (vendor: VendorCall, id: string, stepId: string, value: number) =>
  vendor('setExternalJobStepProgress', { id, stepId }, { progress: value });
const endStep = (vendor: VendorCall, id: string, stepId: string, succeeded: boolean) =>
  vendor('endExternalJobStep', { id, stepId }, { succeeded });

test('a vendor’s task shows with its three-deep step tree and progress, and follows it live', async () => {
  acme = await asVendor('acme-storage');
  const created = await acme('createExternalJob', undefined, {
    description: 'Replicate LUN 5 to the DR site',
    correlationId: 'lun-5',
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const top = await addStep(acme, id, 'Replicate volumes');
  const mid = await addStep(acme, id, 'Replicate volume 1', top.id);
  const leaf = await addStep(acme, id, 'Copy extent 1', mid.id, 'validating');
  expect((await progress(acme, id, leaf.id, 40)).status).toBe(200);
  lun5 = { id, steps: [top, mid, leaf] };

  await page.goto(url(`/external-tasks#token=${TEST_TOKEN}`));
  await page.waitForSelector(task(id), WAIT);
  expect(page.url()).toBe(url('/external-tasks'));
  expect(await page.textContent(`${task(id)} h2`)).toBe('Replicate LUN 5 to the DR site');
  expect(await page.textContent(`${task(id)} .ext-task-head .badge`)).toContain('Started');
  expect(await page.textContent(`${task(id)} .task-vendor`)).toBe('acme-storage');
  expect(await page.textContent(`${task(id)} .facts`)).toContain('lun-5');
  expect(await page.textContent(`${task(id)} .task-deadline`)).toContain('unless the vendor reports');
  // The create answers the engine job id only if the workflow opened it within its wait: read it when it is there.
  const engineJobId = await eventually(
    async () => (await operatorRead(id)).engineJobId as string | null,
    15_000,
    'the engine job of the task',
  );
  await page.waitForSelector(`${task(id)} .engine-job:text-is("${engineJobId}")`, WAIT);
  // It links the job on the engine's Tasks page.
  expect(await page.getAttribute(`${task(id)} a:has(.engine-job)`, 'href')).toBe(
    `${stack.engine.url}/tasks#job-${engineJobId}`,
  );
  const leafRow = `${task(id)} ${step(top.id)} > ol > ${step(mid.id)} > ol > ${step(leaf.id)}`;
  await page.waitForSelector(`${leafRow} progress[value="40"]`, WAIT);
  expect(await page.textContent(`${leafRow} .pct`)).toBe('40%');
  expect(await page.textContent(`${leafRow} .kind-tag`)).toBe('validating');
  expect(await page.textContent(`${task(id)} .task-steps > summary`)).toBe('Steps (3)');
  expect(await page.textContent('#list-status')).toMatch(/^1 task, 1 started\.$/);

  // A second task, newer, so listed first; its tree folded by the operator stays folded, and its element is never
  // redrawn while only the first task changes.
  const second = await acme('createExternalJob', undefined, { description: 'Snapshot LUN 9' });
  const snap = await addStep(acme, second.body.id, 'Snapshot volume 3');
  expect((await progress(acme, second.body.id, snap.id, 30)).status).toBe(200);
  lun9 = { id: second.body.id, stepId: snap.id };
  await page.waitForSelector(`${task(lun9.id)} ${step(snap.id)} progress[value="30"]`, WAIT);
  expect(await page.$$eval('#tasks > li', (items) => items.map((n) => n.getAttribute('data-id')))).toEqual([
    lun9.id,
    id,
  ]);
  expect(await page.textContent('#changes')).toContain('New task from acme-storage: Snapshot LUN 9.');
  await page.click(`${task(lun9.id)} .task-steps > summary`);
  expect(await page.isVisible(`${task(lun9.id)} ${step(snap.id)}`)).toBe(false);
  await page.$eval(task(lun9.id), (node) => Object.assign(node, { __kept: true }));
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  // Live: progress, then the leaf step ends, then the whole task.
  expect((await progress(acme, id, leaf.id, 75)).status).toBe(200);
  await page.waitForSelector(`${leafRow} progress[value="75"]`, WAIT);
  expect((await endStep(acme, id, leaf.id, true)).status).toBe(200);
  await page.waitForSelector(`${leafRow}.status-finished`, WAIT);
  expect(await page.$(`${leafRow} progress`)).toBeNull();
  expect(await page.textContent(`${leafRow} .badge`)).toContain('Finished');
  expect(await page.getAttribute(`${task(id)} ${step(mid.id)}`, 'data-status')).toBe('started');
  await shot(page, 'external-tasks-1280.png');

  for (const s of [mid, top]) expect((await endStep(acme, id, s.id, true)).status).toBe(200);
  expect((await acme('endExternalJob', { id }, { succeeded: true })).status).toBe(200);
  await page.waitForSelector(`${task(id)}.status-finished`, WAIT);
  expect(await page.textContent(`${task(id)} .ext-task-head .badge`)).toContain('Finished');
  expect(await page.textContent(`${task(id)} .facts`)).toContain('Ended');
  expect(await page.$(`${task(id)} .task-deadline`)).toBeNull();
  expect(await page.$$(`${task(id)} li.step.status-finished`)).toHaveLength(3);
  await page.waitForSelector('#changes:has-text("Replicate LUN 5 to the DR site: Finished.")', WAIT);
  expect(await page.textContent('#list-status')).toBe('2 tasks, 1 started.');

  expect(await page.$eval(task(lun9.id), (node) => (node as unknown as { __kept?: boolean }).__kept)).toBe(true);
  expect(await page.getAttribute(`${task(lun9.id)} .task-steps`, 'open')).toBeNull();
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await page.setViewportSize({ width: 400, height: 900 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'external-tasks-400.png');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('a failed task shows why, its text as text; the vendor and status filters narrow the list, kept in the address', async () => {
  const broken = await asVendor('broken-storage');
  const created = await broken('createExternalJob', undefined, { description: '<b>Resync</b> LUN 2' });
  const copy = await addStep(broken, created.body.id, 'Copy <img src=x> extent 3');
  expect((await progress(broken, created.body.id, copy.id, 60)).status).toBe(200);
  expect((await endStep(broken, created.body.id, copy.id, false)).status).toBe(200);
  expect((await broken('endExternalJob', { id: created.body.id }, { succeeded: true })).status).toBe(200);
  const failed = task(created.body.id);
  await page.waitForSelector(`${failed}.status-failed`, WAIT);
  expect(await page.textContent(`${failed} .task-reason`)).toBe(
    'Why it failed: step "Copy <img src=x> extent 3" failed',
  );
  // What a vendor wrote is shown as it wrote it, never as markup.
  expect(await page.textContent(`${failed} h2`)).toBe('<b>Resync</b> LUN 2');
  expect(await page.$$(`${failed} b, ${failed} img`)).toHaveLength(0);
  expect(await page.textContent(`${failed} ${step(copy.id)} .pct`)).toBe('60%'); // where it stopped

  // The vendors to filter by come from the registry.
  const vendors = await page.$$eval('#vendor-filter option', (options) =>
    options.map((o) => (o as HTMLOptionElement).value),
  );
  expect(vendors).toEqual(expect.arrayContaining(['', 'acme-storage', 'broken-storage', 'idle-storage']));

  await page.selectOption('#vendor-filter', 'broken-storage');
  await page.waitForSelector(task(lun5.id), { ...WAIT, state: 'detached' });
  expect(page.url()).toBe(url('/external-tasks?vendor=broken-storage'));
  expect(await page.$$eval('#tasks > li', (items) => items.map((n) => n.getAttribute('data-id')))).toEqual([
    created.body.id,
  ]);
  await page.waitForSelector('#list-status:text-is("1 task with vendor broken-storage.")', WAIT);

  await page.selectOption('#status-filter', 'finished');
  await page.waitForSelector(failed, { ...WAIT, state: 'detached' });
  expect(page.url()).toBe(url('/external-tasks?vendor=broken-storage&status=finished'));
  await page.waitForSelector(
    '#list-status:text-is("No external tasks with vendor broken-storage and status finished.")',
    WAIT,
  );
  expect(await page.$$('#tasks > li')).toHaveLength(0);

  await page.selectOption('#vendor-filter', 'acme-storage');
  await page.waitForSelector(task(lun5.id), WAIT);
  expect(await page.$(task(lun9.id))).toBeNull(); // still started
  expect(page.url()).toBe(url('/external-tasks?vendor=acme-storage&status=finished'));

  // Back: the previous filters, in the selects and in the list.
  await page.goBack();
  await page.waitForSelector('#list-status:has-text("No external tasks with vendor broken-storage")', WAIT);
  expect(await page.inputValue('#vendor-filter')).toBe('broken-storage');
  expect(await page.inputValue('#status-filter')).toBe('finished');

  // An address with filters opens filtered (a link someone shared).
  await page.goto(url('/external-tasks?status=started'));
  await page.waitForSelector(task(lun9.id), WAIT);
  expect(await page.inputValue('#status-filter')).toBe('started');
  expect(await page.inputValue('#vendor-filter')).toBe('');
  expect(await page.$(task(lun5.id))).toBeNull();
  expect(await page.$(failed)).toBeNull();

  await page.goto(url('/external-tasks?vendor=idle-storage'));
  await page.waitForSelector('#list-status:text-is("No external tasks with vendor idle-storage.")', WAIT);
  expect(await page.$$('#tasks > li')).toHaveLength(0);
});

test('an API failure is shown in words and clears when the API answers again; no polling while hidden', async () => {
  await page.goto(url('/external-tasks'));
  await page.waitForSelector(task(lun5.id), WAIT);
  const listPath = apiRoutes.listExternalJobs.path;
  await page.route(`**${listPath}*`, (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ status: 503, title: 'Unavailable', detail: 'Temporal cannot be reached.' }),
    }),
  );
  await page.waitForSelector('#page-error:not([hidden])', WAIT);
  expect(await page.textContent('#page-error')).toBe(
    'The external tasks could not be loaded: Temporal cannot be reached.',
  );
  expect(await page.getAttribute('#live', 'data-state')).toBe('down');
  expect(await page.isVisible(task(lun5.id))).toBe(true); // the last known list stays
  await page.unroute(`**${listPath}*`);
  await page.waitForSelector('#page-error', { ...WAIT, state: 'hidden' });
  await page.waitForSelector('#live[data-state="live"]', WAIT);

  // Hidden: the timer stops; shown again: one refresh at once brings what happened meanwhile.
  const polled: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === listPath) polled.push(req.url());
  });
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility('hidden');
  await page.waitForSelector('#live[data-state="paused"]', { ...WAIT, state: 'attached' });
  polled.length = 0;
  expect((await endStep(acme, lun9.id, lun9.stepId, true)).status).toBe(200);
  expect((await acme('endExternalJob', { id: lun9.id }, { succeeded: false })).status).toBe(200);
  expect(polled).toEqual([]);
  expect(await page.getAttribute(task(lun9.id), 'data-status')).toBe('started');
  await setVisibility('visible');
  await page.waitForSelector(`${task(lun9.id)}.status-failed`, WAIT);
  expect(await page.textContent(`${task(lun9.id)} .task-reason`)).toBe(
    'Why it failed: acme-storage ended it as failed',
  );
  await page.waitForSelector('#live[data-state="live"]', WAIT);
});

test('the engine’s own Tasks page shows the task as one job with its steps nested three deep', async () => {
  // The engine ids of the task's steps, once its workflow has made them all.
  const shown = await eventually(
    async () => {
      const r = { body: await operatorRead(lun5.id) };
      const ids: (string | null)[] = [];
      const walk = (steps: { engineStepId: string | null; children: unknown[] }[]) =>
        steps.forEach((s) => {
          ids.push(s.engineStepId);
          walk(s.children as typeof steps);
        });
      walk(r.body.steps);
      return r.body.engineJobId && ids.length === 3 && ids.every(Boolean) ? { job: r.body, ids } : undefined;
    },
    15_000,
    'the engine ids of the task and its steps',
  );
  const [topId, midId, leafId] = shown.ids as string[];
  const engine = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  engine.on('pageerror', (err) => pageErrors.push(String(err)));
  try {
    await engine.goto(`${stack.engine.url}/tasks#job-${shown.job.engineJobId}`);
    const job = `#job-${shown.job.engineJobId}`;
    await engine.waitForSelector(`${job}.highlight .job-toggle[aria-expanded="true"]`, WAIT);
    await engine.waitForSelector(`${job}.status-finished`, WAIT);
    expect(await engine.textContent(`${job} .desc`)).toBe('Replicate LUN 5 to the DR site');
    const chain = `${job} .step[data-id="${topId}"] > ol > .step[data-id="${midId}"] > ol > .step[data-id="${leafId}"]`;
    await engine.waitForSelector(`${chain}.status-finished`, WAIT);
    const descriptions = await engine.$$eval(`${job} .step > .step-row .desc`, (nodes) =>
      nodes.map((n) => n.textContent),
    );
    expect(descriptions).toEqual(lun5.steps.map((s) => s.description));
    await shot(engine, 'external-tasks-engine-1280.png');
  } finally {
    await engine.close();
  }
});
