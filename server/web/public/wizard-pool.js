// The wizard's pool choice: a name prefix and a count, the names previewed (the first few … the last) and each
// previewed name checked live as the single clone's name is; how many are built at once and what a failure undoes.
// The API checks every name again when the flow starts (a 400 names each taken one).
import { poolNames } from '/assets/lib/bulk-clone-pool.js';
import { api, el } from './common.js';

const $ = (id) => document.getElementById(id);
const MAX_VMS = 100;
const FIRST_FEW = 3;
const ON_FAILURE_WORDS = {
  'keep-completed': 'Keep the VMs built (the failed VM alone is undone)',
  'undo-all': 'Undo the whole pool',
};

/** The names shown: all of a small pool, else the first few and the last (null stands for the ones left out). */
function previewOf(names) {
  if (names.length <= FIRST_FEW + 2) return names;
  return [...names.slice(0, FIRST_FEW), null, names.at(-1)];
}

/**
 * The pool fields of step 2. `onChange` is called whenever the request changes (a new Idempotency-Key is due).
 * Name checks are cached by name; only the latest preview's answers are drawn.
 */
export function createPoolChoice({ onChange }) {
  const checks = new Map(); // name -> { status: 'checking' | 'ok' | 'bad' | 'error', problem, promise }
  let timer;
  let shown = null; // { names, preview } of the latest draw

  const isPool = () => $('how-many-pool').checked;
  const count = () => Number($('pool-count').value);
  const countProblem = () => {
    const n = count();
    if ($('pool-count').value.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_VMS)
      return `How many: a whole number from 1 to ${MAX_VMS}.`;
    return null;
  };
  const prefix = () => $('pool-prefix').value.trim();

  function checkOne(name) {
    let check = checks.get(name);
    if (check && check.status !== 'error') return check;
    check = { status: 'checking', problem: null };
    checks.set(name, check);
    check.promise = api('checkName', { query: { name } }).then(
      (result) => {
        check.status = result.valid && result.available ? 'ok' : 'bad';
        check.problem = result.problem ?? (result.valid ? `${name} is taken.` : `${name} cannot be used.`);
      },
      (err) => {
        check.status = 'error';
        check.problem = `${name} could not be checked: ${err.message}`;
      },
    );
    return check;
  }

  /** Draws the preview with each name's check, and the verdict line. */
  function draw() {
    if (!shown) return;
    const items = shown.preview.map((name) => {
      if (name === null)
        return el(
          'li',
          { class: 'gap' },
          el('span', { 'aria-hidden': 'true' }, '…'),
          el('span', { class: 'sr-only' }, `and ${shown.names.length - FIRST_FEW - 1} more`),
        );
      const check = checks.get(name);
      const state = check?.status ?? 'checking';
      const words = { checking: 'checking…', ok: 'free', bad: check?.problem ?? 'taken', error: 'not checked' }[state];
      return el(
        'li',
        { 'data-name': name, 'data-state': state },
        el('span', { class: 'icon', 'aria-hidden': 'true' }, { ok: '✓', bad: '✗', error: '!' }[state] ?? '…'),
        el('code', {}, name),
        el('span', { class: 'verdict' }, words),
      );
    });
    $('pool-preview').replaceChildren(...items);
    const named = shown.preview.filter((n) => n !== null);
    const bad = named.filter((n) => checks.get(n)?.status === 'bad');
    const failed = named.filter((n) => checks.get(n)?.status === 'error');
    const pending = named.filter((n) => (checks.get(n)?.status ?? 'checking') === 'checking');
    if (bad.length) verdict('bad', `Taken or invalid: ${bad.join(', ')}. Choose another prefix.`);
    else if (failed.length) verdict('error', checks.get(failed[0]).problem);
    else if (pending.length) verdict('checking', `Checking ${named.length} names…`);
    else
      verdict(
        'ok',
        shown.names.length > named.length
          ? `The names shown are free; the other ${shown.names.length - named.length} are checked when the pool starts.`
          : `${named.length === 1 ? 'The name is' : `All ${named.length} names are`} free to use.`,
      );
  }

  function verdict(state, message) {
    const box = $('pool-check');
    box.dataset.state = state;
    box.replaceChildren(
      state === 'ok' || state === 'bad'
        ? el('span', { class: 'icon', 'aria-hidden': 'true' }, state === 'ok' ? '✓' : '✗')
        : '',
      message,
    );
    $('pool-prefix').setAttribute('aria-invalid', state === 'bad' ? 'true' : 'false');
  }

  /** Checks the previewed names now; resolves to whether the pool may go on (all shown names free). */
  async function check() {
    clearTimeout(timer);
    const problem = countProblem();
    $('pool-count').setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem || !prefix()) {
      shown = null;
      $('pool-preview').replaceChildren();
      verdict('bad', problem ?? 'A name prefix is required.');
      return false;
    }
    const names = poolNames(prefix(), count());
    const preview = previewOf(names);
    shown = { names, preview };
    const pending = preview.filter((n) => n !== null).map(checkOne);
    draw();
    await Promise.all(pending.map((c) => c.promise));
    if (shown?.names !== names) return false; // a newer preview replaced this one
    draw();
    return preview.every((n) => n === null || checks.get(n)?.status === 'ok');
  }

  function checkSoon(delay = 300) {
    clearTimeout(timer);
    onChange();
    timer = setTimeout(() => void check(), delay);
  }

  for (const id of ['pool-prefix', 'pool-count']) $(id).addEventListener('input', () => checkSoon());
  for (const id of ['max-parallel', 'on-failure']) $(id).addEventListener('change', onChange);

  return {
    isPool,
    /** Shows the pool's fields or the single name's; `vmName` suggests a prefix. */
    show(vmName) {
      const pool = isPool();
      $('pool-fields').hidden = !pool;
      $('one-name').hidden = pool;
      $('start-clone-label').textContent = pool ? 'Start the clones' : 'Start the clone';
      if (pool && !prefix() && vmName) $('pool-prefix').value = `${vmName}-pool-`;
      if (pool) checkSoon(0);
    },
    check,
    /** The focusable field to go back to when the names are refused. */
    focus() {
      (countProblem() ? $('pool-count') : $('pool-prefix')).focus();
    },
    /** The pool's part of the start request. */
    request() {
      return {
        prefix: prefix(),
        count: count(),
        maxParallel: Number($('max-parallel').value) || 4,
        onFailure: $('on-failure').value,
      };
    },
    /** The review's lines for the pool: [term, value]. */
    review() {
      const r = this.request();
      const names = poolNames(r.prefix, r.count);
      const list = names.length > 2 ? `${names[0]} … ${names.at(-1)}` : names.join(', ');
      return [
        ['Clones', `${r.count} VM${r.count === 1 ? '' : 's'}: ${list}`],
        ['Built at once', String(Math.min(r.maxParallel, r.count))],
        ['If a VM fails', ON_FAILURE_WORDS[r.onFailure] ?? r.onFailure],
      ];
    },
    /** Forgets the checks (the start found names taken since): the next check asks again. */
    forget() {
      checks.clear();
    },
  };
}
