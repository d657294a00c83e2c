// app.mjs — the console's shell: the hash router (#/apis, #/apis/ID/routes/ID/integration ...),
// the page frame every view renders into (heading focus on navigation, breadcrumbs, the
// loading and error states, one-shot success messages), and the credentials dialog for
// apigwd --auth sigv4. Views live in views.mjs and integration-view.mjs.

import { ApiError, identity, onCredentials, setCredentials, setDataplaneToken, signedIn } from './api.mjs';
import { errorPanel, h, loading, replace, success } from './dom.mjs';
import { integrationView } from './integration-view.mjs';
import { apiView, apisView, dataplaneView, routeView, stageView } from './views.mjs';

const main = document.getElementById('main');
const crumbsEl = document.getElementById('crumbs');
const dialog = document.getElementById('credentials');
const checks = new URLSearchParams(location.search).get('checks') !== 'off';

const routes = [
  [/^#?\/?$/, (a) => apisView(a)],
  [/^#\/apis\/?$/, (a) => apisView(a)],
  [/^#\/apis\/([^/]+)\/?$/, (a, id) => apiView(a, id, 'routes')],
  [/^#\/apis\/([^/]+)\/routes\/?$/, (a, id) => apiView(a, id, 'routes')],
  [/^#\/apis\/([^/]+)\/stages\/?$/, (a, id) => apiView(a, id, 'stages')],
  [/^#\/apis\/([^/]+)\/routes\/([^/]+)\/?$/, (a, api, r) => routeView(a, api, r)],
  [/^#\/apis\/([^/]+)\/routes\/([^/]+)\/integration\/?$/, (a, api, r) => integrationView(a, api, r)],
  [/^#\/apis\/([^/]+)\/stages\/([^/]+)\/?$/, (a, api, st) => stageView(a, api, st)],
  [/^#\/dataplane\/?$/, (a) => dataplaneView(a)],
];

let generation = 0;     // bumps on every render: a slow view that finishes late is dropped
let leaveFns = [];      // cleanups of the current view (timers)
let flashText = null;   // a success message for the next render

// What a view gets (each render makes its own object, with its generation and focus rule).
const app = {
  checks,
  /** Replaces the page content (the view is done loading); dropped if another render began. */
  show(...children) {
    if (this.gen !== generation) return;
    const flash = flashText;
    flashText = null;
    const note = flash ? success(flash) : null;
    if (note) note.tabIndex = -1;
    replace(main, note, children);
    main.dataset.view = this.hash;  // which page is shown, for tests and styles
    main.removeAttribute('aria-busy');
    const h1 = main.querySelector('h1');
    if (this.focusHeading && h1) h1.focus();
    else if (note) note.focus();
  },
  crumbs(list) {
    if (this.gen !== generation) return;
    replace(crumbsEl, list.map((c, i) => h('li', {}, c.href && i < list.length - 1
      ? h('a', { href: c.href }, c.label)
      : h('span', { 'aria-current': 'page' }, c.label))));
    document.title = `${list[list.length - 1].label} · apigwd console`;
  },
  /** A success line shown at the top of the next page. */
  flash(text) {
    flashText = text;
  },
  go(hash) {
    if (location.hash === hash) render(true);
    else location.hash = hash;
  },
  rerender() {
    render(false);
  },
  onLeave(fn) {
    leaveFns.push(fn);
  },
  region() {
    const id = identity();
    return id ? id.region : '';
  },
  setDataplaneToken,
  /** Opens the credentials dialog because of err (an auth failure). */
  askCredentials(err) {
    openCredentials(err);
  },
};

function matchRoute(hash) {
  for (const [re, fn] of routes) {
    const m = re.exec(hash);
    if (m) return (a) => fn(a, ...m.slice(1).map(decodeURIComponent));
  }
  return null;
}

function markNav(hash) {
  const section = hash.startsWith('#/dataplane') ? 'dataplane' : 'apis';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function render(focusHeading) {
  const gen = ++generation;
  for (const fn of leaveFns) fn();
  leaveFns = [];
  const hash = location.hash || '#/apis';
  const viewApp = Object.assign(Object.create(app), { gen, focusHeading, hash });
  markNav(hash);
  const view = matchRoute(hash);
  main.setAttribute('aria-busy', 'true');
  if (focusHeading || !main.querySelector('h1')) replace(main, loading());
  if (!view) {
    viewApp.crumbs([{ label: 'Not found' }]);
    viewApp.show(h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'No console page at ', h('code', {}, hash), '. ', h('a', { href: '#/apis' }, 'Go to the APIs.')));
    return;
  }
  try {
    await view(viewApp);
  } catch (e) {
    if (gen !== generation) return;
    if (!(e instanceof ApiError)) console.error(e);
    const retry = h('button', { type: 'button', class: 'secondary', on: { click: () => render(true) } }, 'Try again');
    const signIn = e instanceof ApiError && e.isAuth
      ? h('button', { type: 'button', class: 'primary', on: { click: () => openCredentials(e) } }, 'Enter credentials') : null;
    replace(main, h('h1', { tabindex: '-1' }, 'Could not load this page'), errorPanel(e, signIn, retry));
    main.dataset.view = hash;
    main.removeAttribute('aria-busy');
    if (focusHeading) main.querySelector('h1').focus();
    if (e instanceof ApiError && e.isAuth) openCredentials(e);
  }
}

// ---- credentials (apigwd --auth sigv4) ----

function showIdentity() {
  const id = identity();
  document.getElementById('identity').textContent = id
    ? `Signed as ${id.accessKeyId} · ${id.region}` : 'Unsigned requests';
}

function openCredentials(err) {
  const why = document.getElementById('cred-error');
  if (err && signedIn()) {
    why.hidden = false;
    why.textContent = `${err.name}: ${err.message}`;
  } else {
    why.hidden = true;
  }
  if (!dialog.open) dialog.showModal();
  document.getElementById('cred-akid').focus();
}

document.getElementById('credentials-button').addEventListener('click', () => openCredentials(null));
document.getElementById('cred-cancel').addEventListener('click', () => dialog.close());
document.getElementById('cred-forget').addEventListener('click', () => {
  setCredentials(null);
  document.getElementById('cred-secret').value = '';
  dialog.close();
  render(true);
});
document.getElementById('credentials-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const akid = document.getElementById('cred-akid').value.trim();
  const secretEl = document.getElementById('cred-secret');
  const region = document.getElementById('cred-region').value.trim();
  const why = document.getElementById('cred-error');
  if (!akid || !secretEl.value || !/^[a-z0-9-]{1,31}$/.test(region)) {
    why.hidden = false;
    why.textContent = !akid ? 'Enter the access key ID' : !secretEl.value ? 'Enter the secret access key'
      : 'Enter a region such as us-east-1';
    return;
  }
  setCredentials({ accessKeyId: akid, secretAccessKey: secretEl.value }, region);
  secretEl.value = '';  // the only copy now lives in api.mjs's memory
  dialog.close();
  render(true);
});
onCredentials(showIdentity);

if (!checks) document.getElementById('checks-banner').hidden = false;
showIdentity();
window.addEventListener('hashchange', () => render(true));
render(false);
