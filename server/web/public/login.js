// The login page: a form for the API token, or a token link (`/login#token=...`). The fragment never reaches a
// server or a log; the page posts it to the API, drops it from the address bar, then continues where it was going.
import { ApiError, login, safeNext, showPageError, clearPageError } from './common.js';

const form = document.getElementById('login-form');
const input = document.getElementById('token');
const submit = document.getElementById('login-submit');
const status = document.getElementById('login-status');
const params = new URLSearchParams(location.search);
const next = safeNext(params.get('next'));

async function tryLogin(token, fromLink) {
  clearPageError();
  submit.disabled = true;
  status.textContent = 'Logging in…';
  try {
    if (await login(token)) {
      status.textContent = 'Logged in.';
      location.replace(next);
      return;
    }
    status.textContent = '';
    showPageError(
      fromLink
        ? 'The token in the link was not accepted. Paste the current API token.'
        : 'That token was not accepted. Check it and try again.',
    );
    input.focus();
  } catch (err) {
    status.textContent = '';
    showPageError(err instanceof ApiError ? err.message : 'Logging in failed; try again.');
  } finally {
    submit.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = input.value.trim();
  if (!token) {
    showPageError('Enter the API token.');
    input.focus();
    return;
  }
  void tryLogin(token, false);
});

const fragment = new URLSearchParams(location.hash.slice(1));
const linkToken = fragment.get('token');
if (linkToken) {
  fragment.delete('token');
  const rest = fragment.toString();
  history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  void tryLogin(linkToken, true);
} else {
  if (params.get('refused')) showPageError('The token in the link was not accepted. Paste the current API token.');
  input.focus();
}
