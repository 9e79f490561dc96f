/* The Tasks page's script: lists the newest jobs, opens each into its tree of steps, and follows /tasks/events
 * (server-sent events) so changes show without a reload. Plain browser JavaScript (an ES module), no build step;
 * durations are printed by the same code as the CLI's (common/duration.ts, served as /assets/lib/duration.js). */
import { durationBetween } from '/assets/lib/duration.js';

(function tasksPage() {
  const state = {
    filter: 'all',
    limit: 200,
    jobs: new Map(), // id -> job, as /tasks/api/jobs answers
    open: new Map(), // id of an opened job -> { steps: Map(id -> step), truncated }
    highlighted: null, // the job named by the URL fragment #job-<id>
    fragmentFollowed: false,
  };
  const $ = (id) => document.getElementById(id);
  const list = $('jobs');
  const rows = new Map(); // job id -> its <li>

  // ---- formatting --------------------------------------------------------------------------------------------
  const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  const formatTime = (ms) => (ms == null ? '—' : timeFormat.format(new Date(ms)));
  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function field(className, label, value) {
    const node = make('span', `field ${className}`);
    node.append(make('b', null, label), make('span', 'value', value));
    return node;
  }
  const setValue = (row, className, value) => {
    row.querySelector(`.${className} .value`).textContent = value;
  };

  // ---- data --------------------------------------------------------------------------------------------------
  async function getJson(url) {
    const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      const error = new Error(body.detail || `${res.status} ${res.statusText}`);
      error.status = res.status;
      throw error;
    }
    return res.json();
  }
  function showError(err) {
    const node = $('error');
    node.hidden = !err;
    node.textContent = err ? `Could not load tasks: ${err.message}` : '';
  }
  const matchesFilter = (job) => state.filter === 'all' || job.status === state.filter;

  async function loadList() {
    try {
      const status = state.filter === 'all' ? '' : `&status=${state.filter}`;
      const [data, counts] = await Promise.all([
        getJson(`/tasks/api/jobs?limit=${state.limit}${status}`),
        getJson('/tasks/api/counts'),
      ]);
      state.limit = data.limit;
      state.jobs = new Map(data.jobs.map((job) => [job.id, job]));
      renderCounts(counts.counts);
      showError(null);
      if (!state.fragmentFollowed) {
        state.fragmentFollowed = true;
        await followFragment();
      }
      render();
      for (const id of state.open.keys()) {
        if (state.jobs.has(id)) void loadSteps(id);
        else state.open.delete(id);
      }
    } catch (err) {
      showError(err);
    }
  }

  let countsTimer = null;
  /** Live changes refresh the counts per status at most every second (the server reuses them for a second). */
  function refreshCountsSoon() {
    countsTimer ??= window.setTimeout(async () => {
      countsTimer = null;
      try {
        renderCounts((await getJson('/tasks/api/counts')).counts);
      } catch {
        /* the next change retries */
      }
    }, 1000);
  }

  async function loadSteps(id) {
    try {
      const data = await getJson(`/tasks/api/jobs/${encodeURIComponent(id)}`);
      if (!state.open.has(id)) return;
      if (!matchesFilter(data.job) && id !== state.highlighted) {
        state.open.delete(id);
        state.jobs.delete(id);
        return render();
      }
      state.jobs.set(id, data.job);
      state.open.set(id, { steps: new Map(data.steps.map((s) => [s.id, s])), truncated: data.truncated });
      render();
    } catch (err) {
      if (err.status === 404) {
        state.open.delete(id);
        state.jobs.delete(id);
        render();
      } else showError(err);
    }
  }

  // ---- live changes ------------------------------------------------------------------------------------------
  function applyChanges(event) {
    if (event.reset) return void loadList();
    for (const id of event.removed || []) {
      state.jobs.delete(id);
      state.open.delete(id);
    }
    for (const job of event.jobs || []) {
      if (matchesFilter(job) || job.id === state.highlighted) state.jobs.set(job.id, job);
      else {
        state.jobs.delete(job.id);
        state.open.delete(job.id);
      }
    }
    for (const step of event.steps || []) state.open.get(step.jobId)?.steps.set(step.id, step);
    for (const id of event.reloadSteps || []) if (state.open.has(id)) void loadSteps(id);
    render();
    refreshCountsSoon();
  }

  function connect() {
    const live = $('live');
    const source = new EventSource('/tasks/events');
    let wasDown = false;
    source.onopen = () => {
      live.dataset.state = 'live';
      live.textContent = 'Live';
      if (wasDown) void loadList(); // changes may have been missed meanwhile
      wasDown = false;
    };
    source.onerror = () => {
      wasDown = true;
      live.dataset.state = 'down';
      live.textContent = 'Reconnecting…';
    };
    source.addEventListener('changes', (message) => applyChanges(JSON.parse(message.data)));
  }

  // ---- rendering ---------------------------------------------------------------------------------------------
  function renderCounts(counts) {
    let total = 0;
    for (const button of $('filters').querySelectorAll('button')) {
      const status = button.dataset.status;
      if (status !== 'all') total += counts[status] || 0;
      if (status !== 'all') button.querySelector('.count').textContent = `(${counts[status] || 0})`;
    }
    $('filters').querySelector('[data-status="all"] .count').textContent = `(${total})`;
  }

  function jobRow(job) {
    const row = make('li', 'job');
    row.id = `job-${job.id}`;
    row.dataset.id = job.id;
    const heading = make('h2');
    const toggle = make('button', 'job-toggle');
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', `steps-${job.id}`);
    toggle.append(
      make('span', 'badge'),
      make('span', 'desc'),
      field('owner', 'Owner', ''),
      field('start', 'Started', ''),
      field('end', 'Ended', ''),
      field('duration', 'Duration', ''),
      field('count', 'Steps', ''),
    );
    toggle.addEventListener('click', () => toggleJob(job.id));
    heading.append(toggle);
    const steps = make('div', 'steps');
    steps.id = `steps-${job.id}`;
    steps.hidden = true;
    row.append(heading, steps);
    return row;
  }

  function updateRow(row, job) {
    row.className = `job status-${job.status}${job.id === state.highlighted ? ' highlight' : ''}`;
    row.querySelector('.badge').textContent = job.status;
    row.querySelector('.desc').textContent = job.description;
    setValue(row, 'owner', job.owner || '—');
    setValue(row, 'start', formatTime(job.startTime));
    setValue(row, 'end', formatTime(job.endTime));
    setValue(row, 'duration', durationBetween(job.startTime, job.endTime));
    const count = row.querySelector('.count .value');
    count.textContent = String(job.steps);
    if (job.failedSteps) count.append(' ', make('span', 'failed-steps', `(${job.failedSteps} failed)`));
    const open = state.open.get(job.id);
    const toggle = row.querySelector('.job-toggle');
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    toggle.setAttribute('aria-label', `${job.description}, ${job.status}${open ? '' : ', show steps'}`);
    const stepsBox = row.querySelector('.steps');
    stepsBox.hidden = !open;
    if (open) renderSteps(stepsBox, job, open);
  }

  function renderSteps(box, job, open) {
    const children = new Map();
    for (const step of open.steps.values()) {
      const key = step.parentId || '';
      if (!children.has(key)) children.set(key, []);
      children.get(key).push(step);
    }
    const byNumber = (a, b) => a.number - b.number || a.startTime - b.startTime;
    const tree = (parentId, prefix) => {
      const steps = (children.get(parentId) || []).sort(byNumber);
      const ol = make('ol', parentId ? null : 'tree');
      for (const step of steps) {
        const number = prefix ? `${prefix}.${step.number}` : String(step.number);
        const li = make('li', `step status-${step.status}`);
        li.dataset.id = step.id;
        const line = make('div', 'step-row');
        line.append(
          make('span', 'num', number),
          make('span', 'badge', step.status),
          make('span', 'desc', step.description),
          make('span', 'field type', step.type),
        );
        if (step.progress != null) {
          const progress = make('span', 'progress');
          const bar = make('progress');
          bar.max = 100;
          bar.value = step.progress;
          bar.setAttribute('aria-label', `Progress of step ${number}`);
          progress.append(bar, make('span', 'pct', `${step.progress}%`));
          line.append(progress);
        }
        line.append(
          field('start', 'Started', formatTime(step.startTime)),
          field('end', 'Ended', formatTime(step.endTime)),
          field('duration', 'Duration', durationBetween(step.startTime, step.endTime)),
        );
        li.append(line);
        if (children.has(step.id)) li.append(tree(step.id, number));
        ol.append(li);
      }
      return ol;
    };
    const content = open.steps.size ? tree('', '') : make('p', 'empty', 'No steps yet.');
    box.replaceChildren(content);
    if (open.truncated) box.append(make('p', 'note', 'Only the first steps are shown; the API lists them all.'));
    if (job.status === 'failed') box.setAttribute('aria-label', 'Steps of a failed job');
  }

  function render() {
    const ordered = [...state.jobs.values()].sort((a, b) => b.startTime - a.startTime || (a.id < b.id ? -1 : 1));
    const shown = ordered.slice(0, state.limit);
    if (state.highlighted && !shown.some((j) => j.id === state.highlighted) && state.jobs.has(state.highlighted)) {
      shown.push(state.jobs.get(state.highlighted));
    }
    const keep = new Set(shown.map((job) => job.id));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    shown.forEach((job, index) => {
      let row = rows.get(job.id);
      if (!row) rows.set(job.id, (row = jobRow(job)));
      updateRow(row, job);
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
    });
    $('empty').hidden = shown.length > 0;
    $('note').textContent =
      state.jobs.size >= state.limit
        ? `Showing the newest ${state.limit} jobs${state.filter === 'all' ? '' : ` that are ${state.filter}`}.`
        : '';
  }

  // ---- interaction -------------------------------------------------------------------------------------------
  function toggleJob(id) {
    if (state.open.has(id)) {
      state.open.delete(id);
    } else {
      state.open.set(id, { steps: new Map(), truncated: false });
      history.replaceState(null, '', `#job-${id}`);
      void loadSteps(id);
    }
    render();
  }

  /** `#job-<id>` opens and highlights that job, fetching it if it is not among the listed ones. */
  async function followFragment() {
    const match = /^#job-([\w-]+)$/.exec(location.hash);
    if (!match) return;
    const id = match[1];
    state.highlighted = id;
    state.open.set(id, state.open.get(id) || { steps: new Map(), truncated: false });
    if (!state.jobs.has(id)) {
      try {
        const data = await getJson(`/tasks/api/jobs/${encodeURIComponent(id)}`);
        state.jobs.set(id, data.job);
      } catch (err) {
        state.open.delete(id);
        state.highlighted = null;
        showError(new Error(err.status === 404 ? `job ${id} does not exist (any more)` : err.message));
        return;
      }
    }
    render();
    void loadSteps(id);
    const row = rows.get(id);
    if (row) {
      row.scrollIntoView({ block: 'center' });
      row.querySelector('.job-toggle').focus({ preventScroll: true });
    }
  }

  $('filters').addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || button.dataset.status === state.filter) return;
    state.filter = button.dataset.status;
    state.highlighted = null;
    for (const b of $('filters').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
    void loadList();
  });
  window.addEventListener('hashchange', () => void followFragment());
  // Durations of running jobs and steps keep counting.
  window.setInterval(() => {
    for (const [id, row] of rows) {
      const job = state.jobs.get(id);
      if (job && job.endTime == null) setValue(row, 'duration', durationBetween(job.startTime, null));
    }
  }, 1000);

  connect();
  void loadList();
})();
