// The vendors page: the registered storage vendors (mode, task queue or webhook, online state, activities, key ids),
// refreshed every 10 s; registering a vendor, a new key (rotation), revoking a key and removing a vendor.
// A key or signing secret is shown once in a dialog and cleared from the page when it closes: it never goes to the
// address, to storage or to the console.
import { ApiError, api, clearPageError, el, showPageError, startPage, timeElement } from './common.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 10_000;

/** The form's fields by the API's name for them (`body.<name>` in a 400 problem's errors). */
const FIELDS = {
  id: 'vendor-id',
  name: 'vendor-name',
  mode: 'vendor-mode',
  taskQueue: 'vendor-task-queue',
  webhook: 'vendor-webhook',
};

let refreshTimer = null;
let loadSeq = 0;
/** Per vendor id: the JSON it was drawn from, its table row and its card (redrawn only when it changed). */
const drawn = new Map();
/** Which <details> are open (by their data-key), so a redraw keeps them open. */
const openDetails = new Set();

const vendorDomId = (id) => `vendor-${id}`;

function modeWords(mode) {
  return mode === 'webhook' ? 'Webhook' : 'Temporal';
}

/** Online or offline (a webhook vendor: heard from in the last 5 minutes, or not): icon + words + colour. */
function stateBadge(v) {
  const [cls, icon, words] = v.online
    ? ['status-completed', '●', 'Online']
    : v.mode === 'webhook'
      ? ['status-pending', '○', v.lastSeenAt ? 'Not heard from lately' : 'Never heard from']
      : ['status-cancelled', '○', 'Offline'];
  return el(
    'span',
    { class: `badge ${cls}`, 'data-online': String(v.online) },
    el('span', { class: 'icon', 'aria-hidden': 'true' }, icon),
    el('span', { class: 'label' }, words),
  );
}

function target(v) {
  if (v.mode === 'webhook') return el('code', {}, v.webhook?.url ?? '');
  return el('code', {}, v.taskQueue ?? '');
}

/** One key: its id, when it was made, and revoked or active (with the action given for an active key). */
function keyLine(k, action) {
  return el(
    'li',
    { class: k.revokedAt ? 'key revoked' : 'key', 'data-key-id': k.keyId },
    el('code', {}, k.keyId),
    ' ',
    el('span', { class: 'muted small' }, 'created ', timeElement(k.createdAt)),
    k.revokedAt
      ? el('span', { class: 'key-revoked small' }, ' · revoked ', timeElement(k.revokedAt))
      : [el('span', { class: 'key-active small' }, ' · active '), action],
  );
}

function row(v) {
  return el(
    'tr',
    { 'data-id': v.id },
    el(
      'td',
      { 'data-label': 'Vendor' },
      el(
        'div',
        {},
        el('a', { href: `#${vendorDomId(v.id)}`, class: 'vendor-link' }, v.name),
        el('div', { class: 'muted small' }, el('code', {}, v.id)),
      ),
    ),
    el('td', { 'data-label': 'Mode' }, modeWords(v.mode)),
    el('td', { 'data-label': v.mode === 'webhook' ? 'Webhook' : 'Task queue' }, target(v)),
    el('td', { 'data-label': 'State' }, stateBadge(v)),
    el('td', { 'data-label': 'Activities', class: 'activity-count' }, String(v.activities.length)),
    el(
      'td',
      { 'data-label': 'Keys' },
      v.keys.length ? el('ul', { class: 'keys' }, v.keys.map(keyLine)) : el('span', { class: 'muted' }, 'none'),
    ),
  );
}

/** A <details> whose open state survives redraws (remembered by its key). */
function details(key, summary, content, attrs = {}) {
  const node = el(
    'details',
    { ...attrs, 'data-key': key, open: openDetails.has(key) },
    el('summary', {}, summary),
    content,
  );
  node.addEventListener('toggle', () => {
    if (node.open) openDetails.add(key);
    else openDetails.delete(key);
  });
  return node;
}

const schemaBlock = (key, summary, schema) =>
  details(key, summary, el('pre', { tabindex: '0' }, JSON.stringify(schema, null, 2)), { class: 'schema' });

function retryWords(retry) {
  if (!retry) return el('span', { class: 'muted' }, 'Temporal’s default');
  return `at most ${retry.maximumAttempts} attempt${retry.maximumAttempts === 1 ? '' : 's'}, waiting ${retry.initialInterval} up to ${retry.maximumInterval} between them`;
}

function activity(v, a) {
  const facts = [
    ['Start-to-close timeout', a.startToCloseTimeout ?? el('span', { class: 'muted' }, 'none')],
    ['Heartbeat timeout', a.heartbeatTimeout ?? el('span', { class: 'muted' }, 'none')],
    ['Retry', retryWords(a.retry)],
    ['Registered', timeElement(a.updatedAt)],
  ];
  return el(
    'li',
    { class: 'activity', 'data-activity': a.name },
    el('h4', {}, el('code', {}, a.name)),
    el('p', { class: 'activity-desc' }, a.description),
    el(
      'dl',
      { class: 'facts' },
      facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
    ),
    schemaBlock(`${v.id}/${a.name}/input`, 'Input JSON Schema', a.inputSchema),
    schemaBlock(`${v.id}/${a.name}/output`, 'Output JSON Schema', a.outputSchema),
  );
}

function card(v) {
  const titleId = `${vendorDomId(v.id)}-title`;
  const keys = v.keys.map((k) =>
    keyLine(
      k,
      el(
        'button',
        {
          type: 'button',
          class: 'small-button revoke',
          'data-focus-key': `revoke/${v.id}/${k.keyId}`,
          'aria-label': `Revoke the key ${k.keyId} of ${v.name}`,
          onclick: () => void revokeKey(v, k),
        },
        'Revoke…',
      ),
    ),
  );
  return el(
    'section',
    { class: 'card vendor-card', id: vendorDomId(v.id), 'data-id': v.id, 'aria-labelledby': titleId },
    el(
      'div',
      { class: 'vendor-head' },
      el('h2', { id: titleId, tabindex: '-1' }, v.name, ' ', el('code', { class: 'muted small' }, v.id)),
      stateBadge(v),
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Mode'),
      el('dd', {}, modeWords(v.mode)),
      el('dt', {}, v.mode === 'webhook' ? 'Webhook URL' : 'Task queue'),
      el('dd', {}, target(v)),
      el('dt', {}, 'Registered'),
      el('dd', {}, timeElement(v.createdAt)),
    ),
    el('h3', {}, 'Keys'),
    keys.length ? el('ul', { class: 'keys' }, keys) : el('p', { class: 'muted' }, 'No keys.'),
    v.activities.length
      ? details(
          `${v.id}/activities`,
          `Activities (${v.activities.length})`,
          el(
            'ul',
            { class: 'activities' },
            v.activities.map((a) => activity(v, a)),
          ),
          { class: 'activities-block' },
        )
      : [
          el('h3', {}, 'Activities'),
          el(
            'p',
            { class: 'muted' },
            'None registered yet: the vendor registers them through the vendor API with its key.',
          ),
        ],
    el(
      'div',
      { class: 'actions vendor-actions' },
      el(
        'button',
        {
          type: 'button',
          class: 'rotate',
          'data-focus-key': `rotate/${v.id}`,
          onclick: () => void rotate(v),
        },
        'New key (rotate)',
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'danger remove',
          'data-focus-key': `remove/${v.id}`,
          onclick: () => void removeVendor(v),
        },
        `Remove ${v.name}…`,
      ),
    ),
  );
}

/** Draws the vendors, keeping what did not change (its open details, the keyboard focus in it). */
function render(items) {
  const focused = document.activeElement;
  const focusKey = focused?.closest('[data-focus-key]')?.getAttribute('data-focus-key');
  const seen = new Set();
  for (const v of items) {
    seen.add(v.id);
    const json = JSON.stringify(v);
    if (drawn.get(v.id)?.json === json) continue;
    drawn.set(v.id, { json, row: row(v), card: card(v) });
  }
  for (const id of [...drawn.keys()]) if (!seen.has(id)) drawn.delete(id);
  const rows = items.map((v) => drawn.get(v.id).row);
  const cards = items.map((v) => drawn.get(v.id).card);
  const same = (parent, nodes) =>
    parent.children.length === nodes.length && nodes.every((n, i) => parent.children[i] === n);
  if (!same($('vendor-rows'), rows)) $('vendor-rows').replaceChildren(...rows);
  if (!same($('vendor-cards'), cards)) $('vendor-cards').replaceChildren(...cards);
  if (focusKey && !focused.isConnected) {
    document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }
}

function setText(id, text) {
  if ($(id).textContent !== text) $(id).textContent = text;
}

async function load() {
  const seq = ++loadSeq;
  clearTimeout(refreshTimer);
  try {
    const list = await api('listVendors');
    if (seq !== loadSeq) return;
    clearPageError();
    render(list.items);
    const online = list.items.filter((v) => v.online).length;
    setText(
      'list-status',
      list.items.length
        ? `${list.items.length} vendor${list.items.length === 1 ? '' : 's'}, ${online} online.`
        : 'No vendors yet: register one below.',
    );
  } catch (err) {
    if (seq !== loadSeq) return;
    setText('list-status', '');
    showPageError(`The vendors could not be loaded: ${err.message}`);
  }
  refreshTimer = setTimeout(() => void load(), REFRESH_MS);
}

function announce(text) {
  $('action-status').textContent = text;
}

// --- the secret dialog: a key (and a signing secret) shown once ---

let afterSecret = null;

function showSecrets({ title, note, apiKey, webhookSecret, then }) {
  $('secret-title').textContent = title;
  $('secret-note').textContent = note;
  $('secret-key').textContent = apiKey;
  $('secret-webhook').textContent = webhookSecret ?? '';
  $('secret-webhook-row').hidden = !webhookSecret;
  $('copy-status').textContent = '';
  afterSecret = then;
  $('secret-dialog').showModal();
}

$('secret-dialog').addEventListener('close', () => {
  // Nothing of the secrets stays in the page once the dialog is closed.
  $('secret-key').textContent = '';
  $('secret-webhook').textContent = '';
  $('secret-webhook-row').hidden = true;
  $('copy-status').textContent = '';
  const then = afterSecret;
  afterSecret = null;
  then?.();
});

async function copy(codeId, words) {
  const text = $(codeId).textContent;
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
    $('copy-status').textContent = `${words} copied to the clipboard.`;
  } catch {
    // No clipboard access (e.g. a browser policy): select it so that it can be copied by hand.
    const range = document.createRange();
    range.selectNodeContents($(codeId));
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    $('copy-status').textContent =
      `The browser refused the clipboard: ${words.toLowerCase()} is selected, copy it by hand.`;
  }
}

$('copy-key').addEventListener('click', () => void copy('secret-key', 'The API key'));
$('copy-webhook').addEventListener('click', () => void copy('secret-webhook', 'The signing secret'));

// --- confirmations ---

/** Asks in a modal dialog; resolves true when confirmed. The safe choice has the focus. */
function confirmAction({ title, text, yes }) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = yes;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}

function focusVendor(id, what) {
  const node = $(vendorDomId(id));
  (node?.querySelector(what) ?? node?.querySelector('h2') ?? $('page-title')).focus();
}

// --- actions ---

async function rotate(v) {
  announce('');
  try {
    const created = await api('createVendorKey', { params: { id: v.id } });
    await load();
    showSecrets({
      title: `A new key for ${v.name}`,
      note: `Key ${created.keyId}. Switch the vendor to it, then revoke its old key.`,
      apiKey: created.apiKey,
      then: () => focusVendor(v.id, '.rotate'),
    });
    announce(`A new key ${created.keyId} was made for ${v.name}.`);
  } catch (err) {
    showPageError(`No new key was made for ${v.name}: ${err.message}`);
  }
}

async function revokeKey(v, k) {
  announce('');
  const yes = await confirmAction({
    title: `Revoke the key ${k.keyId}?`,
    text: `From now on ${v.name} gets 401 with this key. This cannot be undone; its other keys keep working.`,
    yes: 'Revoke the key',
  });
  if (!yes) return;
  try {
    await api('revokeVendorKey', { params: { id: v.id, keyId: k.keyId } });
    await load();
    announce(`The key ${k.keyId} of ${v.name} is revoked.`);
    focusVendor(v.id, '.rotate');
  } catch (err) {
    showPageError(`The key ${k.keyId} was not revoked: ${err.message}`);
  }
}

async function removeVendor(v) {
  announce('');
  const yes = await confirmAction({
    title: `Remove the vendor ${v.name} (${v.id})?`,
    text: `Its keys stop working and its activity registrations are deleted. Flows that name ${v.id} can no longer use it.`,
    yes: `Remove ${v.name}`,
  });
  if (!yes) return;
  try {
    await api('deleteVendor', { params: { id: v.id } });
    await load();
    announce(`The vendor ${v.name} (${v.id}) was removed.`);
    $('page-title').focus();
  } catch (err) {
    showPageError(`The vendor ${v.name} was not removed: ${err.message}`);
  }
}

// --- registering ---

function showMode() {
  const webhook = $('vendor-mode').value === 'webhook';
  $('webhook-field').hidden = !webhook;
  $('task-queue-field').hidden = webhook;
}

function clearFieldErrors() {
  for (const input of Object.values(FIELDS)) {
    $(input).setAttribute('aria-invalid', 'false');
    $(`${input}-error`).hidden = true;
    $(`${input}-error`).textContent = '';
  }
  $('create-error').hidden = true;
}

function fieldError(field, message) {
  const input = FIELDS[field];
  if (!input) return false;
  $(input).setAttribute('aria-invalid', 'true');
  const box = $(`${input}-error`);
  box.textContent = box.textContent ? `${box.textContent}; ${message}` : message;
  box.hidden = false;
  return true;
}

function request() {
  const mode = $('vendor-mode').value;
  const body = { id: $('vendor-id').value.trim(), name: $('vendor-name').value.trim(), mode };
  if (mode === 'temporal' && $('vendor-task-queue').value.trim()) body.taskQueue = $('vendor-task-queue').value.trim();
  if (mode === 'webhook') {
    const url = $('vendor-webhook').value.trim();
    if (url) body.webhook = { url };
  }
  return body;
}

$('vendor-mode').addEventListener('change', showMode);

$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = $('create-submit');
  if (button.disabled) return;
  clearFieldErrors();
  announce('');
  const body = request();
  button.disabled = true;
  button.textContent = 'Registering…';
  try {
    const created = await api('createVendor', { body });
    $('create-form').reset();
    showMode();
    await load();
    showSecrets({
      title: `${created.vendor.name} is registered`,
      note:
        created.vendor.mode === 'webhook'
          ? 'The vendor calls the vendor API with this key and checks the signature of each task posted to it with this secret.'
          : `Its worker polls the task queue ${created.vendor.taskQueue}; it registers its activities through the vendor API with this key.`,
      apiKey: created.apiKey,
      webhookSecret: created.webhookSecret,
      then: () => focusVendor(created.vendor.id, 'h2'),
    });
    announce(`The vendor ${created.vendor.name} (${created.vendor.id}) was registered.`);
  } catch (err) {
    const errors = err instanceof ApiError && Array.isArray(err.problem?.errors) ? err.problem.errors : [];
    let placed = false;
    const unplaced = [];
    if (err instanceof ApiError && err.status === 409) placed = fieldError('id', err.message);
    else {
      for (const e of errors) {
        const field = String(e.field ?? '')
          .replace(/^body\.?/, '')
          .split('.')[0];
        if (fieldError(field, e.message)) placed = true;
        else unplaced.push(`${e.field}: ${e.message}`);
      }
    }
    if (!placed || unplaced.length) {
      $('create-error').textContent =
        `The vendor was not registered: ${unplaced.length ? unplaced.join('; ') : err.message}`;
      $('create-error').hidden = false;
    }
    const first = Object.values(FIELDS).find((id) => $(id).getAttribute('aria-invalid') === 'true');
    (first ? $(first) : $('vendor-id')).focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Register the vendor';
  }
});

$('to-create').addEventListener('click', (event) => {
  event.preventDefault();
  $('create-title').scrollIntoView();
  $('vendor-id').focus();
});

void startPage(async () => {
  showMode();
  await load();
});
