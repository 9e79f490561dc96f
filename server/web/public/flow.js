// The flow page: the step tree with status, progress and durations, kept live by server-sent events (polling when
// they fail), links to the Temporal UI and the engine's Tasks page, the error in plain words, cancel. Each event
// redraws the page, so what comes later (the engine job, a notice while no worker answers) appears as it comes.
import { ApiError, api, apiPath, el, startPage, statusBadge, timeElement } from './common.js';
import { durationBetween } from '/assets/lib/duration.js';
import { createPoolView } from './flow-pool.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
const KIND_WORDS = { ovirt: 'oVirt', external: 'vendor', compensation: 'undo' };
const SOURCE_WORDS = { engine: '(read from the engine, may lag)', none: '(last known)' };

const flowId = decodeURIComponent(location.pathname.replace(/^\/flows\//, '').replace(/\/$/, ''));
let flow = null;
/** Bumped by every event, so an older GET answer never overwrites newer live data. */
let version = 0;
let events = null;
let pollTimer = null;
let ticker = null;
let cancelRequested = false;

const isClosed = (f) => Boolean(f) && f.status !== 'running';
const pool = createPoolView({ flowId, renderStep });

/** Changes a live region's text only when it differs, so screen readers do not hear it again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setLive(state, text) {
  const live = $('live');
  live.dataset.state = state;
  setText(live, text);
}

// ---- rendering ----

function titleOf(f) {
  const input = f.input && typeof f.input === 'object' ? f.input : {};
  if (f.kind === 'rapid-clone' && input.sourceVm && input.cloneName)
    return `Rapid clone of ${input.sourceVm} as ${input.cloneName}`;
  if (f.kind === 'rapid-clone') return 'Rapid clone';
  if (f.kind === 'clone-preflight' && input.sourceVm) return `Clone preflight of ${input.sourceVm}`;
  if (f.kind === 'bulk-clone' && input.sourceVm) return `Bulk clone of ${input.sourceVm}`;
  return f.kind ? `${f.kind[0].toUpperCase()}${f.kind.slice(1).replace(/-/g, ' ')}` : 'Flow';
}

function renderFacts(f) {
  const input = f.input && typeof f.input === 'object' ? f.input : {};
  const facts = [
    ['Flow id', el('code', {}, f.id)],
    ['Kind', f.kind],
    ['Started', timeElement(f.startedAt)],
    ['Ended', f.closedAt ? timeElement(f.closedAt) : el('span', { class: 'muted' }, 'still running')],
    [
      'Duration',
      el(
        'span',
        { id: 'flow-duration', 'data-running-since': f.closedAt ? null : f.startedAt },
        durationBetween(f.startedAt, f.closedAt),
      ),
    ],
  ];
  if (input.sourceVm) facts.push(['Source VM', input.sourceVm]);
  if (input.cloneName) facts.push(['Clone name', input.cloneName]);
  if (input.prefix && input.count) facts.push(['New VMs', `${input.count}, named ${input.prefix}…`]);
  if (Array.isArray(input.names)) facts.push(['New VMs', input.names.join(', ')]);
  if (input.maxParallel) facts.push(['Built at once', String(input.maxParallel)]);
  if (input.onFailure)
    facts.push(['If a VM fails', input.onFailure === 'undo-all' ? 'Undo the whole pool' : 'Keep the VMs built']);
  if (input.vendor) facts.push(['Vendor', input.vendor]);
  if (typeof input.restartSource === 'boolean') facts.push(['Restart the source', input.restartSource ? 'Yes' : 'No']);
  if (typeof input.startClone === 'boolean') facts.push(['Start the clone', input.startClone ? 'Yes' : 'No']);
  if (f.engineJobId) facts.push(['Engine job', el('code', {}, f.engineJobId)]);
  else if (!f.closedAt) facts.push(['Engine job', el('span', { class: 'muted' }, 'not opened yet')]);
  if ((f.engineJobIds ?? []).length > 1) facts.push(['Engine jobs', el('code', {}, f.engineJobIds.join(', '))]);
  $('facts').replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function outcomeText(f) {
  const result = f.result && typeof f.result === 'object' ? f.result : {};
  switch (f.status) {
    case 'completed':
      if (result.cloneName)
        return `Done: the clone ${result.cloneName} is ready${result.cloneVmId ? ` (VM id ${result.cloneVmId})` : ''}.`;
      if (Array.isArray(result.vms))
        return `Done: ${result.completed} of ${result.vms.length} VMs built${result.failed ? `, ${result.failed} failed (each undone)` : ''}.`;
      return 'Done: the flow completed.';
    case 'cancelled':
      return 'The flow was cancelled; the steps it had done were undone.';
    case 'terminated':
      return 'The flow was terminated (stopped from outside, without undoing its steps).';
    case 'timed_out':
      return 'The flow ran out of time.';
    default:
      return '';
  }
}

function renderStep(step) {
  const bits = [
    statusBadge(step.status),
    el('span', { class: 'desc' }, step.description),
    el(
      'span',
      { class: `kind-tag kind-${step.kind}`, title: `${KIND_WORDS[step.kind] ?? step.kind} step` },
      KIND_WORDS[step.kind] ?? step.kind,
    ),
  ];
  if (typeof step.progress === 'number' && (step.status === 'running' || step.status === 'failed')) {
    const pct = Math.round(step.progress);
    bits.push(
      el(
        'span',
        { class: 'progress' },
        el('progress', { max: 100, value: pct, 'aria-label': `Progress of ${step.description}` }, `${pct}%`),
        el('span', { class: 'pct' }, `${pct}%`),
      ),
    );
  }
  if (step.startedAt) {
    const running = !step.endedAt && step.status === 'running';
    bits.push(
      el(
        'span',
        {
          class: 'duration',
          title: running ? 'Running for' : 'Duration',
          'data-running-since': running ? step.startedAt : null,
        },
        durationBetween(step.startedAt, step.endedAt),
      ),
    );
  }
  const children = step.children ?? [];
  return el(
    'li',
    { class: `step status-${step.status} kind-${step.kind}`, 'data-key': step.key, 'data-status': step.status },
    el('div', { class: 'step-row' }, bits),
    children.length ? el('ol', {}, children.map(renderStep)) : null,
  );
}

function render() {
  const f = flow;
  const title = titleOf(f);
  $('flow-title').textContent = title;
  document.title = `${title} · hybridflow`;
  $('crumb-id').textContent = f.id;
  document.body.dataset.flowStatus = f.status;
  $('flow-status').replaceChildren(statusBadge(f.status));
  renderFacts(f);

  $('flow-notice').hidden = !f.notice;
  setText($('flow-notice'), f.notice ?? '');
  const source = (f.steps ?? []).length ? (SOURCE_WORDS[f.stepsSource] ?? '') : '';
  $('steps-source').hidden = !source;
  setText($('steps-source'), source);

  $('flow-error').hidden = !f.error;
  setText($('flow-error-text'), f.error ?? '');
  const outcome = f.error ? '' : outcomeText(f);
  $('flow-outcome').hidden = !outcome;
  setText($('flow-outcome'), outcome);
  $('flow-outcome').className = `outcome status-${f.status}`;

  for (const [id, href] of [
    ['link-temporal', f.links?.temporalUi],
    ['link-tasks', f.links?.engineTasks],
  ]) {
    $(id).hidden = !href;
    if (href) $(id).href = href;
  }
  $('cancel').disabled = isClosed(f) || cancelRequested;
  if (isClosed(f)) setText($('cancel-status'), '');

  // A bulk clone's VMs are drawn as the pool's grid, the flow's own steps (source, merge, restart) as its tree.
  const vmSteps = f.kind === 'bulk-clone' ? pool.render(f) : new Set();
  const steps = (f.steps ?? []).filter((s) => !vmSteps.has(s));
  $('steps').replaceChildren(...steps.map(renderStep));
  $('steps-empty').hidden = steps.length > 0;
  $('flow-head').hidden = false;
  $('steps-card').hidden = false;
}

function update(next) {
  flow = next;
  render();
  if (isClosed(flow)) finish();
}

/** The flow is closed: no more live data, no more ticking. */
function finish() {
  events?.close();
  events = null;
  clearTimeout(pollTimer);
  pollTimer = null;
  clearInterval(ticker);
  ticker = null;
  setLive('closed', 'Ended');
}

// ---- live data ----

async function fetchFlow() {
  const asked = version;
  const f = await api('getFlow', { params: { id: flowId } });
  if (asked === version) update(f);
  return f;
}

function listen() {
  const source = new EventSource(apiPath('flowEvents', { id: flowId }));
  events = source;
  let failures = 0;
  const onFlow = (event) => {
    failures = 0;
    version++;
    try {
      update(JSON.parse(event.data));
    } catch {
      return;
    }
    if (!isClosed(flow)) setLive('live', 'Live');
  };
  source.addEventListener('open', () => {
    setLive('live', 'Live');
    // Catch up on anything that changed before the stream opened.
    fetchFlow().catch(() => {});
  });
  source.addEventListener('step', onFlow);
  source.addEventListener('flow', (event) => {
    onFlow(event);
    source.close();
    if (flow && !isClosed(flow)) startPolling();
  });
  source.addEventListener('error', () => {
    if (events !== source) return;
    if (flow && isClosed(flow)) return finish();
    failures++;
    // The browser reconnects by itself; after repeated failures (or a refused stream) poll instead.
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      source.close();
      events = null;
      startPolling();
    } else {
      setLive('reconnecting', 'Reconnecting…');
    }
  });
}

function startPolling() {
  if (pollTimer || (flow && isClosed(flow))) return;
  setLive('polling', 'Live (polling)');
  let delay = POLL_MS;
  const poll = async () => {
    try {
      await fetchFlow();
      delay = POLL_MS;
      if (!isClosed(flow)) setLive('polling', 'Live (polling)');
    } catch (err) {
      delay = Math.min(delay * 2, 15_000);
      setLive('down', `Cannot reach the server (${err.message}); retrying…`);
    }
    if (!isClosed(flow)) pollTimer = setTimeout(() => void poll(), delay);
  };
  pollTimer = setTimeout(() => void poll(), delay);
}

// ---- cancel ----

$('cancel').addEventListener('click', () => {
  $('cancel-dialog').returnValue = '';
  $('cancel-dialog').showModal();
});

$('cancel-dialog').addEventListener('close', async () => {
  const button = $('cancel');
  if ($('cancel-dialog').returnValue !== 'cancel' || isClosed(flow)) {
    button.focus();
    return;
  }
  button.disabled = true;
  $('cancel-status').textContent = 'Asking the flow to cancel…';
  try {
    await api('cancelFlow', { params: { id: flowId } });
    cancelRequested = true;
    $('cancel-status').textContent =
      'Cancellation requested: the flow stops its current step and undoes the steps it did.';
  } catch (err) {
    button.disabled = isClosed(flow);
    $('cancel-status').textContent = `The flow could not be cancelled: ${err.message}`;
  }
  $('steps-title').scrollIntoView({ block: 'nearest' });
  (button.disabled ? $('flow-title') : button).focus();
});

void startPage(async () => {
  if (!flowId) throw new Error('No flow id in the address.');
  $('crumb-id').textContent = flowId;
  try {
    await fetchFlow();
  } catch (err) {
    setLive('down', '');
    $('live').hidden = true;
    if (err instanceof ApiError && err.status === 404)
      throw new Error(`There is no flow with the id ${flowId}.`, { cause: err });
    throw err;
  }
  if (isClosed(flow)) return;
  // Running durations tick without redrawing the page.
  ticker = setInterval(() => {
    for (const node of document.querySelectorAll('[data-running-since]'))
      node.textContent = durationBetween(node.dataset.runningSince);
  }, 1000);
  if (typeof EventSource === 'function') listen();
  else startPolling();
});
