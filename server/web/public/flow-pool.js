// The VMs of a bulk clone on the flow page: one cell per VM coloured by its state, the counts above, and a cell opened
// (a click) shows that VM's own steps. Those are not in the flow's tree: each VM is a child workflow, read as a flow
// of its own (GET /api/v1/flows/<flow id>-<vm name>), again every POLL_MS while it runs and its cell is open.
import { poolCounts, poolVms } from '/assets/lib/bulk-clone-pool.js';
import { ApiError, api, el } from './common.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
/** A VM's state as icon, words and the status colour of the pages' badges. */
const VM_STATES = {
  waiting: { icon: '○', words: 'Waiting', css: 'pending' },
  running: { icon: '◔', words: 'Being built', css: 'running' },
  completed: { icon: '✓', words: 'Built', css: 'completed' },
  failed: { icon: '✗', words: 'Failed', css: 'failed' },
  undone: { icon: '↺', words: 'Undone', css: 'cancelled' },
  cancelled: { icon: '⊘', words: 'Cancelled', css: 'cancelled' },
  'not started': { icon: '–', words: 'Not started', css: 'pending' },
};

/**
 * The pool's section of the page. `renderStep` draws a step tree's item as the flow's own tree does.
 * `render(flow)` redraws it and answers the flow's steps that are VMs (the page's tree leaves them out).
 */
export function createPoolView({ flowId, renderStep }) {
  const cells = new Map(); // name -> the cell's button
  let vms = [];
  let flowRunning = true;
  /** The open cell: its VM's name, its flow as last read, whether a read is under way. */
  let open = null;
  let timer = null;

  const memberId = (name) => `${flowId}-${name}`;

  function cellFor(name) {
    let cell = cells.get(name);
    if (cell) return cell;
    cell = el(
      'button',
      { type: 'button', class: 'pool-cell', 'data-vm': name, 'aria-expanded': 'false', 'aria-controls': 'pool-detail' },
      el('span', { class: 'icon', 'aria-hidden': 'true' }),
      el('span', { class: 'name' }, name),
      el('span', { class: 'sr-only state' }),
    );
    cell.addEventListener('click', () => toggle(name));
    cells.set(name, cell);
    return cell;
  }

  function drawCell(vm) {
    const cell = cellFor(vm.name);
    const state = VM_STATES[vm.status] ?? VM_STATES.waiting;
    cell.className = `pool-cell status-${state.css}`;
    cell.dataset.status = vm.status;
    cell.title = `${vm.name}: ${state.words}${vm.error ? ` (${vm.error})` : ''}`;
    cell.querySelector('.icon').textContent = state.icon;
    cell.querySelector('.state').textContent = `, ${state.words}`;
    return cell;
  }

  function drawCounts() {
    const counts = poolCounts(vms);
    const waiting = vms.filter((vm) => vm.status === 'waiting').length;
    const other = counts.total - counts.completed - counts.running - counts.failed - waiting;
    const part = (key, n, words) =>
      el('span', { class: `pool-count count-${key}`, 'data-count': key }, el('strong', {}, String(n)), ` ${words}`);
    $('pool-counts').replaceChildren(
      part('completed', counts.completed, 'done'),
      part('running', counts.running, 'running'),
      part('failed', counts.failed, 'failed'),
      ...(waiting ? [part('waiting', waiting, 'waiting')] : []),
      ...(other ? [part('other', other, 'undone, cancelled or not started')] : []),
      el('span', { class: 'muted' }, `of ${counts.total} VMs`),
    );
  }

  function drawDetail() {
    const box = $('pool-detail');
    box.hidden = !open;
    for (const [name, cell] of cells) cell.setAttribute('aria-expanded', String(open?.name === name));
    if (!open) return;
    const vm = vms.find((v) => v.name === open.name);
    const state = VM_STATES[vm?.status] ?? VM_STATES.waiting;
    $('pool-detail-title').textContent = `${open.name}: ${state.words}`;
    $('pool-detail').dataset.vm = open.name;
    const link = $('pool-detail-link');
    link.href = `/flows/${encodeURIComponent(memberId(open.name))}`;
    link.hidden = !open.flow;
    const steps = open.flow?.steps ?? [];
    let note = '';
    if (open.error) note = open.error;
    else if (!open.flow) note = open.loaded ? 'This VM has not begun yet.' : 'Loading its steps…';
    else if (!steps.length) note = 'No steps yet.';
    if (vm?.error) note = [note, `What went wrong: ${vm.error}`].filter(Boolean).join(' ');
    $('pool-detail-note').textContent = note;
    $('pool-detail-note').hidden = !note;
    $('pool-detail-steps').replaceChildren(...steps.map(renderStep));
  }

  /** Reads the open VM's flow, and again while it runs (or has not begun while the pool runs). */
  async function load() {
    clearTimeout(timer);
    timer = null;
    const reading = open;
    if (!reading || reading.busy) return;
    // A VM not begun has no flow yet: it is read once its cell shows it running (render), not asked for in vain.
    const status = vms.find((v) => v.name === reading.name)?.status;
    if (status === 'waiting' || status === 'not started') {
      reading.loaded = true;
      return drawDetail();
    }
    reading.busy = true;
    try {
      reading.flow = await api('getFlow', { params: { id: memberId(reading.name) } });
      reading.error = null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) reading.flow = null;
      else reading.error = `Its steps could not be read: ${err.message}`;
    } finally {
      reading.busy = false;
      reading.loaded = true;
    }
    if (open !== reading) return;
    drawDetail();
    // Again while it runs, or until it is found (its parent opens its step just before it starts).
    const again = reading.flow ? reading.flow.status === 'running' : flowRunning;
    if (again) timer = setTimeout(() => void load(), POLL_MS);
  }

  function toggle(name) {
    clearTimeout(timer);
    open = open?.name === name ? null : { name, flow: null, loaded: false, busy: false, error: null };
    drawDetail();
    if (open) void load();
  }

  return {
    render(flow) {
      vms = poolVms(flow);
      flowRunning = flow.status === 'running';
      $('pool-card').hidden = false;
      const drawn = vms.map(drawCell);
      // The cells stay in place once there (a cell taken out of the page would lose the keyboard focus).
      const grid = $('pool-grid');
      if (grid.children.length !== drawn.length || drawn.some((cell, i) => grid.children[i].firstChild !== cell))
        grid.replaceChildren(...drawn.map((cell) => el('li', {}, cell)));
      drawCounts();
      // A VM that began or ended since its steps were read: read them now rather than at the next poll.
      const vm = open && vms.find((v) => v.name === open.name);
      if (open && vm && vm.status !== open.seen) {
        open.seen = vm.status;
        if (open.loaded && !open.busy) void load();
      }
      drawDetail();
      return new Set(vms.map((v) => v.step).filter(Boolean));
    },
  };
}
