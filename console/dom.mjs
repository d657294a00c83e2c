// dom.mjs — small DOM helpers of the console: element building (text only, never HTML strings:
// every value from the server goes in as text), labelled form fields with their hint and error
// lines, and the loading / error / empty states every view shares.

/**
 * h('a', {href: '#/apis', class: 'btn'}, 'APIs') — an element. Props: class, text, on
 * ({event: fn}), dataset, and any attribute (true → present, false/null/undefined → absent);
 * 'value', 'checked', 'disabled', 'selected', 'readOnly', 'hidden' are set as properties.
 * Children: nodes, strings, or arrays of them (null/false skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (['value', 'checked', 'disabled', 'selected', 'readOnly', 'hidden'].includes(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces el's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A labelled field: <div class=field><label for=f-KEY>…</label> control <p hint> <p error></div>.
 * The control gets id f-KEY and aria-describedby naming the hint and error lines, so a screen
 * reader reads the error with the field.
 */
export function field(key, label, control, hint) {
  control.id = `f-${key}`;
  const hintId = `hint-${key}`;
  const errId = `err-${key}`;
  control.setAttribute('aria-describedby', hint ? `${hintId} ${errId}` : errId);
  return h('div', { class: 'field', dataset: { field: key } },
    h('label', { for: control.id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'error', id: errId, hidden: true }));
}

/** A checkbox with its label on the right. */
export function checkbox(key, label, checked, hint) {
  const box = h('input', { type: 'checkbox', id: `f-${key}`, checked });
  const errId = `err-${key}`;
  box.setAttribute('aria-describedby', hint ? `hint-${key} ${errId}` : errId);
  return h('div', { class: 'field check', dataset: { field: key } },
    h('label', { for: box.id }, box, ' ', label),
    hint ? h('p', { class: 'hint', id: `hint-${key}` }, hint) : null,
    h('p', { class: 'error', id: errId, hidden: true }));
}

/** A <select> of options [{value, label}] or strings. */
export function select(options, value) {
  return h('select', {}, options.map((o) => {
    const opt = typeof o === 'string' ? { value: o, label: o } : o;
    return h('option', { value: opt.value, selected: opt.value === value }, opt.label);
  }));
}

/**
 * Shows errors ({key: message}) in root's error lines, clearing the others; an error whose key
 * has no field goes to root's form-level alert. Focuses the first field in error. Returns
 * whether there were any.
 */
export function showErrors(root, errors, { focus = true } = {}) {
  for (const p of root.querySelectorAll('p.error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of root.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const formAlert = root.querySelector('.form-alert');
  if (formAlert) {
    formAlert.hidden = true;
    formAlert.replaceChildren();
  }
  let first = null;
  for (const [key, msg] of Object.entries(errors)) {
    const p = root.querySelector(`#err-${CSS.escape(key)}`);
    if (!p || !key) {
      if (formAlert) {
        formAlert.hidden = false;
        formAlert.append(h('p', {}, msg));
        first = first || formAlert;
      }
      continue;
    }
    p.hidden = false;
    p.textContent = msg;
    const control = root.querySelector(`#f-${CSS.escape(key)}`);
    if (control) control.setAttribute('aria-invalid', 'true');
    first = first || control || p;
  }
  if (focus && first) first.focus();
  return Object.keys(errors).length > 0;
}

/** The loading state: a status line a screen reader announces. */
export function loading(what = 'Loading') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ` ${what}…`);
}

/** An error panel for an ApiError (name + server message), with optional actions. */
export function errorPanel(err, ...actions) {
  return h('div', { class: 'alert error-panel', role: 'alert' },
    h('p', { class: 'alert-title' }, err.name && err.name !== 'Error' ? err.name : 'Error'),
    h('p', { class: 'alert-message' }, err.message || String(err)),
    actions.length ? h('p', { class: 'actions' }, actions) : null);
}

/** A success line (role=status). */
export function success(...text) {
  return h('div', { class: 'alert ok', role: 'status' }, h('p', {}, text));
}

/** A definition list of [term, value] pairs (values: text or nodes; empty ones skipped). */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'boolean' ? String(v) : v)]));
}

/** Tags as a list of key=value chips, or "No tags". */
export function tagList(tags) {
  const entries = Object.entries(tags || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'No tags');
  return h('ul', { class: 'tags', 'aria-label': 'Tags' },
    entries.map(([k, v]) => h('li', { class: 'tag' }, h('span', { class: 'tag-key' }, k), '=', h('span', { class: 'tag-value' }, v))));
}

/** A table with a caption, header cells and rows of cells. */
export function table(caption, headers, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c, i) => (i === 0
      ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))));
}

/** A date-time string of the server as local, readable text. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
