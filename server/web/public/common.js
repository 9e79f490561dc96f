// Shared by every page: calls to the API with the session cookie, the login redirect, the header, formatting.
// API routes are called by their name in the server's route table (server/api/routes.ts, served as api-routes.js).
import { fillPath } from '/assets/lib/api-path.js';
import { routes } from '/assets/lib/api-routes.js';

/** An API answer that was not 2xx; `problem` is the RFC 9457 body when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem) || `The server answered ${status}`);
    this.status = status;
    this.problem = problem ?? null;
  }
}

/** The problem in plain words: its detail, else its title. */
export function problemText(problem) {
  if (!problem || typeof problem !== 'object') return '';
  return problem.detail || problem.title || '';
}

/** Where the current page is, to come back to it after logging in. */
export function here() {
  return location.pathname + location.search;
}

/**
 * Where to go after logging in: a path of this origin only, as the browser's own URL parser reads it (it drops tabs
 * and newlines and turns `\` into `/`, so `/\t/evil.example` would leave the site), and never the login page.
 */
export function safeNext(next, fallback = '/flows/new') {
  if (typeof next !== 'string' || !next.startsWith('/')) return fallback;
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== location.origin || url.pathname === '/login') return fallback;
  return url.pathname + url.search + url.hash;
}

export function goToLogin() {
  location.assign(`/login?next=${encodeURIComponent(here())}`);
}

/**
 * Calls the API with the session cookie. State-changing calls carry `X-Requested-By` (the API's CSRF guard).
 * A 401 sends the browser to the login page (unless `noLoginRedirect`); other failures throw ApiError.
 */
/** The address of an API route, by its name: apiPath('getFlow', { id }). */
export function apiPath(name, params, query) {
  return fillPath(routes[name].path, params, query);
}

/** Calls an API route by its name: api('getFlow', { params: { id } }); resolves to its JSON answer. */
export async function api(name, { params, query, body, headers = {}, noLoginRedirect = false } = {}) {
  const method = routes[name].method;
  const path = apiPath(name, params, query);
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-Requested-By': 'hybridflow', ...headers },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, {
      title: 'The server cannot be reached',
      detail: 'The server cannot be reached. Is hybridflow running?',
    });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.status === 401 && !noLoginRedirect) {
    goToLogin();
    // The page is going away; keep callers from showing an error meanwhile.
    return new Promise(() => {});
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Logs in with a token; resolves true when the API accepted it. */
export async function login(token) {
  try {
    await api('logIn', { body: { token }, noLoginRedirect: true });
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 400)) return false;
    throw err;
  }
}

/**
 * A token link (`#token=...`, never sent to a server) works on every page: log in with it, then drop it from the
 * address bar and history. Resolves false when the token was refused.
 */
export async function loginFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return true;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', here() + (rest ? `#${rest}` : ''));
  return login(token);
}

export async function logout() {
  try {
    await api('logOut', { noLoginRedirect: true });
  } finally {
    location.assign('/login');
  }
}

/** Builds an element: el('a', { href, class: 'x' }, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const STATUS_LABEL = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  terminated: 'Terminated',
  timed_out: 'Timed out',
  pending: 'Pending',
  started: 'Started',
  finished: 'Finished',
  unknown: 'Unknown',
};
const STATUS_ICON = {
  running: '◔',
  started: '◔',
  completed: '✓',
  finished: '✓',
  failed: '✗',
  cancelled: '⊘',
  terminated: '⊘',
  timed_out: '⌛',
  pending: '○',
  unknown: '?',
};

export function statusLabel(status) {
  return STATUS_LABEL[status] ?? String(status);
}

/** A status as icon and words (never colour alone). */
export function statusBadge(status) {
  return el(
    'span',
    { class: `badge status-${status}` },
    el('span', { class: 'icon', 'aria-hidden': 'true' }, STATUS_ICON[status] ?? '•'),
    el('span', { class: 'label' }, statusLabel(status)),
  );
}

export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A <time> element with the full instant as its machine-readable value. */
export function timeElement(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: iso, title: iso }, formatTime(iso));
}

/** Starts a page: logs in from a token link, wires the header's log-out button, then runs `main`. */
export async function startPage(main) {
  const logoutButton = document.getElementById('logout');
  logoutButton?.addEventListener('click', () => {
    void logout();
  });
  try {
    if (!(await loginFromFragment())) {
      location.assign(`/login?next=${encodeURIComponent(here())}&refused=1`);
      return;
    }
    await main();
  } catch (err) {
    showPageError(err instanceof Error ? err.message : String(err));
  }
}

/** Shows a page-wide error in plain words. */
export function showPageError(message) {
  const box = document.getElementById('page-error');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

export function clearPageError() {
  const box = document.getElementById('page-error');
  if (box) box.hidden = true;
}
