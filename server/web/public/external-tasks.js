// The external tasks page: every vendor's standalone external tasks (jobs a vendor injects through the vendor API with
// its own key), newest first, each with its live step tree and progress. Refreshed every 2 s while the page is
// visible, not at all while it is hidden. Filters (?vendor=&status=) live in the address so links and the back button
// keep them. A task is redrawn only when its data changed, and a folded step tree stays folded.
import { api, clearPageError, el, showPageError, startPage, statusBadge, statusLabel, timeElement } from './common.js';
import { durationBetween } from '/assets/lib/duration.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;
const STATUSES = ['started', 'finished', 'failed'];

let refreshTimer = null;
let loadSeq = 0;
/** Per task id: the JSON it was drawn from, its status and its element. */
const drawn = new Map();
/** Tasks whose step tree the operator folded (trees are shown unfolded). */
const folded = new Set();
/** The filters the drawn tasks were loaded with: a change of filters is not news to announce. */
let drawnFilters = null;

function filters() {
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? '';
  return { vendor: params.get('vendor') ?? '', status: STATUSES.includes(status) ? status : '' };
}

/** Changes a node's text only when it differs, so screen readers do not hear it again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setLive(state, text) {
  $('live').dataset.state = state;
  setText($('live'), text);
}

// ---- rendering ----

const countSteps = (steps) => steps.reduce((n, s) => n + 1 + countSteps(s.children), 0);

function stepNode(step) {
  const started = step.status === 'started';
  const pct = typeof step.progress === 'number' && step.status !== 'finished' ? Math.round(step.progress) : null;
  return el(
    'li',
    { class: `step status-${step.status}`, 'data-id': step.id, 'data-status': step.status },
    el(
      'div',
      { class: 'step-row' },
      statusBadge(step.status),
      el('span', { class: 'desc' }, step.description),
      el('span', { class: 'kind-tag', title: 'Step type' }, step.type.replace(/_/g, ' ')),
      pct === null
        ? null
        : el(
            'span',
            { class: 'progress' },
            el('progress', { max: 100, value: pct, 'aria-label': `Progress of ${step.description}` }, `${pct}%`),
            el('span', { class: 'pct' }, `${pct}%`),
          ),
      el(
        'span',
        {
          class: 'duration',
          title: started ? 'Running for' : 'Duration',
          'data-running-since': started && step.startedAt,
        },
        durationBetween(step.startedAt, step.endedAt),
      ),
    ),
    step.children.length ? el('ol', {}, step.children.map(stepNode)) : null,
  );
}

function engineJob(t) {
  if (!t.engineJobId)
    return el('span', { class: 'muted' }, t.status === 'started' ? 'not opened yet' : 'none was opened');
  const earlier = t.engineJobIds.filter((id) => id !== t.engineJobId);
  return [
    t.links?.engineTasks
      ? el(
          'a',
          { href: t.links.engineTasks, title: "The job in the engine's Tasks page" },
          el('code', { class: 'engine-job' }, t.engineJobId),
        )
      : el('code', { class: 'engine-job' }, t.engineJobId),
    earlier.length
      ? el('span', { class: 'muted small' }, ' (before it: ', el('code', {}, earlier.join(', ')), ')')
      : null,
  ];
}

function stepTree(t) {
  const count = countSteps(t.steps);
  if (!count) return el('p', { class: 'muted task-no-steps' }, 'No steps yet.');
  const tree = el(
    'details',
    { class: 'task-steps', open: !folded.has(t.id) },
    el('summary', { 'data-focus-key': `steps/${t.id}` }, `Steps (${count})`),
    el('ol', { class: 'tree', 'aria-label': `Steps of ${t.description}` }, t.steps.map(stepNode)),
  );
  tree.addEventListener('toggle', () => {
    if (tree.open) folded.delete(t.id);
    else folded.add(t.id);
  });
  return tree;
}

function taskNode(t) {
  const titleId = `task-${t.id}-title`;
  const facts = [
    ['Vendor', el('span', { class: 'task-vendor' }, t.vendor)],
    ['Created', timeElement(t.createdAt)],
    ['Last report', timeElement(t.lastReportAt)],
    t.status === 'started'
      ? ['Deadline', el('span', { class: 'task-deadline' }, timeElement(t.deadline), ' unless the vendor reports')]
      : ['Ended', timeElement(t.endedAt)],
    ['Engine job', engineJob(t)],
  ];
  if (t.correlationId) facts.push(['Correlation id', el('code', {}, t.correlationId)]);
  facts.push(['Task id', el('code', {}, t.id)]);
  return el(
    'li',
    { class: `card ext-task status-${t.status}`, 'data-id': t.id, 'data-status': t.status, 'aria-labelledby': titleId },
    el('div', { class: 'ext-task-head' }, el('h2', { id: titleId }, t.description), statusBadge(t.status)),
    el(
      'dl',
      { class: 'facts' },
      facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
    ),
    t.status === 'failed' && t.reason
      ? el('p', { class: 'error task-reason' }, el('strong', {}, 'Why it failed: '), t.reason)
      : null,
    stepTree(t),
  );
}

/** Tells screen readers what changed since the last refresh (not what a new filter shows). */
function announce(changes) {
  if (changes.length) $('changes').textContent = changes.join(' ');
}

/** Draws the tasks, keeping the elements of those that did not change (and the keyboard focus). */
function render(items, news) {
  const focusKey = document.activeElement?.closest('[data-focus-key]')?.dataset.focusKey;
  const changes = [];
  const seen = new Set();
  for (const t of items) {
    seen.add(t.id);
    const json = JSON.stringify(t);
    const before = drawn.get(t.id);
    if (before?.json === json) continue;
    if (news && !before) changes.push(`New task from ${t.vendor}: ${t.description}.`);
    else if (news && before.status !== t.status) changes.push(`${t.description}: ${statusLabel(t.status)}.`);
    drawn.set(t.id, { json, status: t.status, node: taskNode(t) });
  }
  for (const id of [...drawn.keys()]) if (!seen.has(id)) drawn.delete(id);
  const nodes = items.map((t) => drawn.get(t.id).node);
  const list = $('tasks');
  if (list.children.length !== nodes.length || nodes.some((n, i) => list.children[i] !== n))
    list.replaceChildren(...nodes);
  if (focusKey && !document.activeElement?.closest('[data-focus-key]'))
    document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  announce(changes);
}

function describe({ vendor, status }) {
  return [vendor && `vendor ${vendor}`, status && `status ${statusLabel(status).toLowerCase()}`]
    .filter(Boolean)
    .join(' and ');
}

function listStatus(items, filter) {
  const described = describe(filter);
  if (!items.length)
    return described
      ? `No external tasks with ${described}.`
      : 'No external tasks yet: a vendor creates one with its key through the vendor API (POST /api/v1/vendor/jobs).';
  const started = items.filter((t) => t.status === 'started').length;
  return (
    `${items.length} task${items.length === 1 ? '' : 's'}${described ? ` with ${described}` : ''}` +
    `${started && filter.status !== 'started' ? `, ${started} started` : ''}.`
  );
}

// ---- live data ----

async function load() {
  const seq = ++loadSeq;
  clearTimeout(refreshTimer);
  refreshTimer = null;
  const filter = filters();
  try {
    const list = await api('listExternalJobs', { query: filter });
    if (seq !== loadSeq) return;
    clearPageError();
    const key = JSON.stringify(filter);
    const items = [...list.items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    render(items, drawnFilters === key);
    drawnFilters = key;
    setText($('list-status'), listStatus(items, filter));
    setLive('live', 'Live');
  } catch (err) {
    if (seq !== loadSeq) return;
    showPageError(`The external tasks could not be loaded: ${err.message}`);
    setText($('list-status'), drawn.size ? 'Showing the tasks as last loaded.' : '');
    setLive('down', 'Retrying…');
  }
  schedule();
}

/** The next refresh, only while the page is visible. */
function schedule() {
  clearTimeout(refreshTimer);
  refreshTimer = document.visibilityState === 'hidden' ? null : setTimeout(() => void load(), REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    clearTimeout(refreshTimer);
    refreshTimer = null;
    loadSeq++; // an answer still on its way schedules nothing
    setLive('paused', 'Paused while the page is hidden');
  } else {
    void load();
  }
});

// Running durations tick without redrawing the tasks.
setInterval(() => {
  for (const node of document.querySelectorAll('[data-running-since]'))
    setText(node, durationBetween(node.dataset.runningSince));
}, 1000);

// ---- filters ----

async function loadVendors() {
  const help = $('vendor-filter-help');
  try {
    const { items } = await api('listVendors');
    const options = items.map((v) => el('option', { value: v.id }, v.name === v.id ? v.id : `${v.name} (${v.id})`));
    $('vendor-filter').replaceChildren(el('option', { value: '' }, 'All'), ...options);
    help.hidden = true;
  } catch (err) {
    help.textContent = `The vendors could not be listed (${err.message}); the filter shows the one in the address.`;
    help.hidden = false;
  }
}

function showFilters() {
  const { vendor, status } = filters();
  const select = $('vendor-filter');
  // A vendor in the address that is no longer registered still filters: keep it choosable.
  if (vendor && ![...select.options].some((o) => o.value === vendor))
    select.append(el('option', { value: vendor }, vendor));
  select.value = vendor;
  $('status-filter').value = status;
}

function applyFilters() {
  const params = new URLSearchParams();
  if ($('vendor-filter').value) params.set('vendor', $('vendor-filter').value);
  if ($('status-filter').value) params.set('status', $('status-filter').value);
  const search = params.toString();
  history.pushState(null, '', `/external-tasks${search ? `?${search}` : ''}`);
  setText($('list-status'), 'Loading external tasks…');
  void load();
}

$('vendor-filter').addEventListener('change', applyFilters);
$('status-filter').addEventListener('change', applyFilters);
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters();
});
window.addEventListener('popstate', () => {
  showFilters();
  void load();
});

void startPage(async () => {
  await loadVendors();
  showFilters();
  await load();
});
