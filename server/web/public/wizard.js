// The rapid clone wizard: (1) pick the source VM, (2) name the clone (checked live), or a pool of clones by prefix
// and count (wizard-pool.js), and choose the vendor and options, (3) review and start; then on to the flow page.
import { ApiError, api, el, formatBytes, startPage } from './common.js';
import { createPoolChoice } from './wizard-pool.js';

const $ = (id) => document.getElementById(id);
const STEPS = ['source', 'clone', 'review'];
const FIELD_WORDS = {
  sourceVm: 'Source VM',
  cloneName: 'Clone name',
  vendor: 'Vendor',
  restartSource: 'Restart the source',
  startClone: 'Start the clone',
  prefix: 'Name prefix',
  count: 'How many',
  maxParallel: 'Built at once',
  onFailure: 'If a VM fails',
  startClones: 'Start the clones',
};

const state = {
  vms: [],
  vm: null,
  vendors: [],
  /** The latest name check: { name, status: 'checking' | 'ok' | 'bad' | 'error', problem, promise } */
  check: null,
  idempotencyKey: null,
  starting: false,
};

// ---- steps ----

function showStep(step) {
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  for (const item of $('stepper').children) {
    if (item.dataset.step === step) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
    item.classList.toggle('done', STEPS.indexOf(item.dataset.step) < STEPS.indexOf(step));
  }
  $(`${step}-title`).focus();
}

// ---- 1. the source VM ----

let searchTimer;
let searchSeq = 0;

async function loadVms(search) {
  const seq = ++searchSeq;
  $('vm-status').textContent = 'Loading VMs…';
  try {
    const list = await api('listVms', { query: { search } });
    if (seq !== searchSeq) return;
    state.vms = list.items;
    renderVms();
  } catch (err) {
    if (seq !== searchSeq) return;
    state.vms = [];
    renderVms();
    $('vm-status').textContent = `The VMs could not be loaded: ${err.message}`;
  }
}

function renderVms() {
  const rows = state.vms.map((vm) => {
    const id = `vm-${vm.id}`;
    const selected = state.vm?.id === vm.id;
    const totalBytes = vm.disks.reduce((sum, d) => sum + (d.sizeBytes || 0), 0);
    const radio = el('input', {
      type: 'radio',
      name: 'vm',
      id,
      value: vm.id,
      checked: selected,
      'aria-describedby': `${id}-disks`,
    });
    radio.addEventListener('change', () => chooseVm(vm));
    const disks = vm.disks.length
      ? el(
          'ul',
          { class: 'disks' },
          vm.disks.map((d) =>
            el(
              'li',
              {},
              el('span', { class: 'disk-name' }, d.name),
              ' ',
              el(
                'span',
                { class: 'muted' },
                `${formatBytes(d.sizeBytes)}${d.status && d.status !== 'ok' ? `, ${d.status}` : ''}`,
              ),
            ),
          ),
        )
      : el('span', { class: 'muted' }, 'No disks');
    const row = el(
      'tr',
      { class: selected ? 'selected' : '', 'data-vm': vm.name },
      el('td', { class: 'pick' }, radio),
      el('td', { 'data-label': 'Name' }, el('label', { for: id, class: 'vm-name' }, vm.name)),
      el('td', { 'data-label': 'Status' }, el('span', { class: `vm-status vm-${vm.status}` }, vm.status)),
      el(
        'td',
        { 'data-label': 'Disks', id: `${id}-disks` },
        disks,
        vm.disks.length > 1 ? el('span', { class: 'muted total' }, `${formatBytes(totalBytes)} in all`) : null,
      ),
    );
    row.addEventListener('click', (event) => {
      if (event.target === radio || event.target.closest('label')) return;
      radio.checked = true;
      chooseVm(vm);
      radio.focus();
    });
    return row;
  });
  $('vm-rows').replaceChildren(...rows);
  const search = $('vm-search').value.trim();
  $('vm-status').textContent = state.vms.length
    ? `${state.vms.length} VM${state.vms.length === 1 ? '' : 's'}${search ? ` matching “${search}”` : ''}.`
    : search
      ? `No VM matches “${search}”.`
      : 'There are no VMs.';
}

function chooseVm(vm) {
  const changed = state.vm?.id !== vm.id;
  state.vm = vm;
  $('vm-error').hidden = true;
  for (const row of $('vm-rows').children) row.classList.toggle('selected', row.dataset.vm === vm.name);
  $('vm-chosen').textContent = `Source: ${vm.name}`;
  if (changed) state.idempotencyKey = null;
}

// Enter in the search box searches at once rather than moving on.
$('vm-search').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  clearTimeout(searchTimer);
  void loadVms($('vm-search').value.trim());
});
$('vm-search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void loadVms($('vm-search').value.trim()), 250);
});

$('step-source').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!state.vm) {
    $('vm-error').textContent = 'Choose the VM to clone.';
    $('vm-error').hidden = false;
    ($('vm-rows').querySelector('input') ?? $('vm-search')).focus();
    return;
  }
  const name = $('clone-name');
  if (!name.value.trim()) {
    name.value = `${state.vm.name}-clone`;
    checkNameSoon(0);
  }
  pool.show(state.vm.name);
  showStep('clone');
});

// ---- 2. the clone's name, the vendor, the options ----

let checkTimer;

function setNameCheck(status, message) {
  const box = $('name-check');
  box.dataset.state = status;
  box.replaceChildren(
    status === 'ok' || status === 'bad'
      ? el('span', { class: 'icon', 'aria-hidden': 'true' }, status === 'ok' ? '✓' : '✗')
      : '',
    message,
  );
  $('clone-name').setAttribute('aria-invalid', status === 'bad' ? 'true' : 'false');
}

/** Checks the name now; the result lands in state.check unless a newer check replaced it. */
function checkName() {
  const name = $('clone-name').value.trim();
  state.idempotencyKey = null;
  if (!name) {
    state.check = { name, status: 'bad', problem: 'A name is required.', promise: Promise.resolve() };
    setNameCheck('bad', 'A name is required.');
    return state.check.promise;
  }
  if (state.check && state.check.name === name && state.check.status !== 'error') return state.check.promise;
  const check = { name, status: 'checking', problem: null };
  state.check = check;
  setNameCheck('checking', `Checking “${name}”…`);
  check.promise = api('checkName', { query: { name } }).then(
    (result) => {
      check.status = result.valid && result.available ? 'ok' : 'bad';
      check.problem =
        result.problem ?? (result.valid ? 'A VM with this name already exists.' : 'This name cannot be used.');
      if (state.check !== check) return;
      if (check.status === 'ok') setNameCheck('ok', `“${name}” is free to use.`);
      else setNameCheck('bad', check.problem);
    },
    (err) => {
      check.status = 'error';
      check.problem = `The name could not be checked: ${err.message}`;
      if (state.check === check) setNameCheck('error', check.problem);
    },
  );
  return check.promise;
}

function checkNameSoon(delay = 300) {
  clearTimeout(checkTimer);
  const name = $('clone-name').value.trim();
  if (name && state.check?.name !== name) setNameCheck('checking', `Checking “${name}”…`);
  checkTimer = setTimeout(() => void checkName(), delay);
}

$('clone-name').addEventListener('input', () => checkNameSoon());

const pool = createPoolChoice({ onChange: () => (state.idempotencyKey = null) });
for (const id of ['how-many-one', 'how-many-pool'])
  $(id).addEventListener('change', () => {
    state.idempotencyKey = null;
    pool.show(state.vm?.name);
  });

async function loadVendors() {
  const select = $('vendor');
  try {
    const list = await api('listVendors');
    state.vendors = list.items;
  } catch (err) {
    // Without the list, offer the demo vendor so the wizard stays usable; the API validates the choice.
    state.vendors = [{ id: 'acme-storage', name: 'acme-storage', online: null }];
    $('vendor-note').textContent = `The vendor list could not be loaded (${err.message}).`;
  }
  select.replaceChildren(
    ...state.vendors.map((v) =>
      el(
        'option',
        { value: v.id, title: v.id },
        `${v.name}${v.online === true ? ' — online' : v.online === false ? ' — offline' : ''}`,
      ),
    ),
  );
  const preferred = state.vendors.find((v) => v.online) ?? state.vendors[0];
  if (preferred) select.value = preferred.id;
  describeVendor();
}

function describeVendor() {
  const vendor = state.vendors.find((v) => v.id === $('vendor').value);
  const note = $('vendor-note');
  if (!vendor) return;
  note.dataset.state = vendor.online === false ? 'offline' : 'online';
  if (vendor.online === true) note.textContent = `Online: a worker serves ${vendor.name} right now.`;
  else if (vendor.online === false)
    note.textContent = `Offline: no worker serves ${vendor.name} right now; the clone would wait for one.`;
}

$('vendor').addEventListener('change', () => {
  describeVendor();
  state.idempotencyKey = null;
});
for (const id of ['restart-source', 'start-clone'])
  $(id).addEventListener('change', () => (state.idempotencyKey = null));

$('clone-back').addEventListener('click', () => showStep('source'));

$('step-clone').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearTimeout(checkTimer);
  if (pool.isPool()) {
    if (!(await pool.check())) return pool.focus();
    renderReview();
    return showStep('review');
  }
  await checkName();
  if (state.check?.status !== 'ok') {
    if (state.check?.status === 'error') setNameCheck('error', state.check.problem);
    $('clone-name').focus();
    return;
  }
  renderReview();
  showStep('review');
});

// ---- 3. review and start ----

/** The start route and its request: a rapid clone, or a bulk clone for a pool. */
function request() {
  const common = { sourceVm: state.vm.name, vendor: $('vendor').value, restartSource: $('restart-source').checked };
  if (pool.isPool())
    return { route: 'startBulkClone', body: { ...common, ...pool.request(), startClones: $('start-clone').checked } };
  return {
    route: 'startRapidClone',
    body: { ...common, cloneName: $('clone-name').value.trim(), startClone: $('start-clone').checked },
  };
}

function renderReview() {
  const r = request().body;
  const isPool = pool.isPool();
  const vendor = state.vendors.find((v) => v.id === r.vendor);
  const item = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  $('review').replaceChildren(
    ...item(
      'Source VM',
      el('strong', {}, state.vm.name),
      ` (${state.vm.status}; ${state.vm.disks.map((d) => `${d.name} ${formatBytes(d.sizeBytes)}`).join(', ') || 'no disks'})`,
    ),
    ...(isPool
      ? pool.review().flatMap(([term, value]) => item(term, el('strong', {}, value)))
      : item('Clone name', el('strong', {}, r.cloneName))),
    ...item('Vendor', `${vendor?.name ?? r.vendor}${vendor?.online === false ? ' (offline)' : ''}`),
    ...item('Restart the source', r.restartSource ? 'Yes, if it was up' : 'No, leave it down'),
    ...item(isPool ? 'Start the clones' : 'Start the clone', (r.startClone ?? r.startClones) ? 'Yes' : 'No'),
  );
  $('start').textContent = isPool ? 'Start the pool' : 'Start the clone';
  $('start-error').hidden = true;
}

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `wizard-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function showStartError(message) {
  $('start-error').replaceChildren(...[message].flat());
  $('start-error').hidden = false;
}

$('review-back').addEventListener('click', () => showStep('clone'));

$('step-review').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (state.starting) return;
  state.starting = true;
  const button = $('start');
  button.disabled = true;
  button.textContent = 'Starting…';
  // The same key for retries of the same choices: a double click or a retry never starts a second clone.
  state.idempotencyKey ??= newKey();
  let leaving = false;
  const { route, body } = request();
  try {
    const started = await api(route, { body, headers: { 'Idempotency-Key': state.idempotencyKey } });
    leaving = true;
    location.assign(`/flows/${encodeURIComponent(started.id)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      state.check = { name: body.cloneName, status: 'bad', problem: err.message, promise: Promise.resolve() };
      setNameCheck('bad', err.message);
      state.idempotencyKey = null;
      showStep('clone');
      $('clone-name').focus();
    } else if (err instanceof ApiError && Array.isArray(err.problem?.errors) && err.problem.errors.length) {
      // Names taken since they were checked (or not shown in the preview): checked again from scratch next time.
      if (route === 'startBulkClone') pool.forget();
      showStartError([
        `${pool.isPool() ? 'The pool' : 'The clone'} was not started: `,
        el(
          'ul',
          {},
          err.problem.errors.map((e) =>
            el('li', {}, `${FIELD_WORDS[String(e.field).replace(/^body\./, '')] ?? e.field}: ${e.message}`),
          ),
        ),
      ]);
    } else {
      showStartError(`${pool.isPool() ? 'The pool' : 'The clone'} was not started: ${err.message}`);
    }
  } finally {
    if (!leaving) {
      state.starting = false;
      button.disabled = false;
      button.textContent = pool.isPool() ? 'Start the pool' : 'Start the clone';
    }
  }
});

void startPage(async () => {
  const preset = new URLSearchParams(location.search).get('vm');
  if (preset) $('vm-search').value = preset;
  await Promise.all([loadVms($('vm-search').value.trim()), loadVendors()]);
  const match = preset && state.vms.find((vm) => vm.name === preset || vm.id === preset);
  if (match) {
    chooseVm(match);
    renderVms();
  }
  $('vm-search').focus();
});
