// The flows list: past and running flows, newest first, filtered by status and kind, paged with nextPageToken.
// Filters live in the address (?status=&kind=&pageSize=) so links and the back button keep them. The kinds come from
// the API (GET /api/v1/flow-kinds, the flow catalogue), so a new kind of flow appears here by itself.
import { api, el, startPage, statusBadge, timeElement, clearPageError, showPageError } from './common.js';
import { durationBetween } from '/assets/lib/duration.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

/** Tokens of the pages seen so far: tokens[0] is the first page (no token). */
let tokens = [null];
let page = 0;
let nextToken = null;
let refreshTimer = null;
let loadSeq = 0;

function filters() {
  const params = new URLSearchParams(location.search);
  const size = Number(params.get('pageSize'));
  return {
    status: params.get('status') ?? '',
    kind: params.get('kind') ?? '',
    pageSize: Number.isInteger(size) && size >= 1 && size <= 100 ? size : PAGE_SIZE,
  };
}

function renderRows(items) {
  const rows = items.map((f) => {
    const href = `/flows/${encodeURIComponent(f.id)}`;
    const row = el(
      'tr',
      { class: `status-${f.status}`, 'data-id': f.id },
      el(
        'td',
        { 'data-label': 'Flow' },
        el(
          'div',
          {},
          el('a', { href, class: 'flow-link' }, f.summary || f.id),
          f.summary ? el('div', { class: 'muted small' }, el('code', {}, f.id)) : null,
        ),
      ),
      el('td', { 'data-label': 'Kind' }, f.kind),
      el('td', { 'data-label': 'Status' }, statusBadge(f.status)),
      el('td', { 'data-label': 'Started' }, timeElement(f.startedAt)),
      el(
        'td',
        { 'data-label': 'Duration' },
        durationBetween(f.startedAt, f.closedAt),
        f.closedAt ? '' : el('span', { class: 'muted' }, ' so far'),
      ),
    );
    // The whole row opens the flow for a pointer; the keyboard uses the link in it.
    row.addEventListener('click', (event) => {
      if (event.target.closest('a') || window.getSelection()?.toString()) return;
      location.assign(href);
    });
    return row;
  });
  $('flow-rows').replaceChildren(...rows);
}

async function load() {
  const seq = ++loadSeq;
  clearTimeout(refreshTimer);
  const { status, kind, pageSize } = filters();
  const query = { pageSize, status, kind, pageToken: tokens[page] };
  $('list-status').textContent = 'Loading flows…';
  try {
    const list = await api('listFlows', { query });
    if (seq !== loadSeq) return;
    clearPageError();
    nextToken = list.nextPageToken ?? null;
    renderRows(list.items);
    const described = [status && `status ${status.replace('_', ' ')}`, kind && `kind ${kind}`]
      .filter(Boolean)
      .join(', ');
    $('list-status').textContent = list.items.length
      ? `${list.items.length} flow${list.items.length === 1 ? '' : 's'}${described ? ` with ${described}` : ''} on this page.`
      : `No flows${described ? ` with ${described}` : ''}${page ? ' on this page' : ' yet'}.`;
    if (list.items.some((f) => f.status === 'running')) refreshTimer = setTimeout(() => void load(), REFRESH_MS);
  } catch (err) {
    if (seq !== loadSeq) return;
    $('list-status').textContent = '';
    showPageError(`The flows could not be loaded: ${err.message}`);
  }
  $('prev-page').disabled = page === 0;
  $('next-page').disabled = !nextToken;
  $('page-number').textContent = `Page ${page + 1}`;
  // A pager button that just turned disabled would drop the keyboard focus: move it to the first flow instead.
  if (document.activeElement?.disabled) ($('flow-rows').querySelector('a') ?? $('status-filter')).focus();
}

function applyFilters() {
  const params = new URLSearchParams();
  if ($('status-filter').value) params.set('status', $('status-filter').value);
  if ($('kind-filter').value) params.set('kind', $('kind-filter').value);
  if (filters().pageSize !== PAGE_SIZE) params.set('pageSize', String(filters().pageSize));
  const search = params.toString();
  history.pushState(null, '', `/flows${search ? `?${search}` : ''}`);
  tokens = [null];
  page = 0;
  void load();
}

/** "rapid-clone" -> "Rapid clone" */
const kindTitle = (name) => `${name[0].toUpperCase()}${name.slice(1).replace(/-/g, ' ')}`;

/** The kind filter's options, one per kind the API starts; the list still loads if they cannot be read. */
async function loadKinds() {
  let kinds = [];
  try {
    kinds = (await api('listFlowKinds')).items;
  } catch (err) {
    showPageError(`The kinds of flow could not be loaded: ${err.message}`);
  }
  const options = kinds.map((k) => el('option', { value: k.name, title: k.description }, kindTitle(k.name)));
  $('kind-filter').replaceChildren(el('option', { value: '' }, 'All'), ...options);
}

function showFilters() {
  const { status, kind } = filters();
  $('status-filter').value = status;
  $('kind-filter').value = kind;
}

$('status-filter').addEventListener('change', applyFilters);
$('kind-filter').addEventListener('change', applyFilters);
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters();
});
$('refresh').addEventListener('click', () => void load());
$('next-page').addEventListener('click', () => {
  if (!nextToken) return;
  tokens[page + 1] = nextToken;
  page++;
  void load();
});
$('prev-page').addEventListener('click', () => {
  if (page === 0) return;
  page--;
  void load();
});
window.addEventListener('popstate', () => {
  showFilters();
  tokens = [null];
  page = 0;
  void load();
});

void startPage(async () => {
  await loadKinds();
  showFilters();
  await load();
});
