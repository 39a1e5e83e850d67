// Small DOM helpers shared by the pages: element building, formatting, problem display, dialogs, toasts.

/** h('button', {class: 'primary', onclick: f}, 'Save'): an element with attributes, listeners and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value') {
      el.value = value;
    } else if (name === 'checked' || name === 'disabled' || name === 'selected') {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field; `control` is the input, `hint` a line under it. */
export function field(label, control, hint) {
  if (!control.id) control.id = nextId();
  const hintEl = hint ? h('small', { id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, h('span', {}, label)), control, hintEl);
}

export function checkbox(label, props = {}) {
  const input = h('input', { type: 'checkbox', ...props });
  return { input, el: h('label', { class: 'check' }, input, label) };
}

export function select(options, props = {}) {
  return h('select', props, options.map(([value, text]) => h('option', { value }, text)));
}

export function badge(status) {
  return h('span', { class: `badge ${status || ''}`, 'data-status': status || '' }, status || 'unknown');
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function fmtMillis(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

export function between(startIso, endIso) {
  if (!startIso || !endIso) return null;
  return new Date(endIso).getTime() - new Date(startIso).getTime();
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function json(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** The readable part of an output: `{"prompt": x}` shows x. */
export function outputText(value) {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'prompt' in value) {
    return json(value.prompt);
  }
  return json(value);
}

export function pre(value, props = {}) {
  return h('pre', props, json(value));
}

/** The API's problem: its `detail`, and each field error when it sent some. */
export function problem(error) {
  const errors = error?.errors || [];
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, error?.status ? `Refused (${error.status}): ` : 'Error: '),
    h('span', { class: 'problem-detail' }, error?.detail || error?.message || String(error)),
    errors.length ? h('ul', {}, errors.map((e) => h('li', {}, `${e.field}: ${e.message}`))) : null);
}

/** Shows the problem in `slot` (or empties it when `error` is null). */
export function showProblem(slot, error) {
  clear(slot, error ? problem(error) : null);
  if (error) slot.scrollIntoView({ block: 'nearest' });
}

export function empty(title, hint, ...actions) {
  return h('div', { class: 'empty' }, h('strong', {}, title), hint ? h('p', {}, hint) : null,
    actions.length ? h('div', { class: 'actions', style: 'justify-content:center' }, actions) : null);
}

export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** A modal question; answers true when confirmed. Uses <dialog>: Esc cancels, focus stays inside. */
export function confirmDialog(text, confirmLabel = 'Delete') {
  return new Promise((resolve) => {
    const ok = h('button', { class: 'primary danger', value: 'ok', 'data-confirm': 'ok' }, confirmLabel);
    const dialog = h('dialog', { 'aria-label': 'Confirm' },
      h('form', { method: 'dialog' }, h('p', {}, text),
        h('div', { class: 'actions', style: 'justify-content:flex-end' },
          h('button', { value: 'cancel' }, 'Cancel'), ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    ok.focus();
  });
}

/**
 * Parses text that must hold a JSON object (blank means {}): answers {value} or {error} with a readable reason.
 */
export function parseObject(text) {
  if (!text.trim()) return { value: {} };
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${e.message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'must be a JSON object, such as {"greeting": "hi"}' };
  }
  return { value };
}

/** Wires live validation of a JSON-object textarea; answers a function giving the parsed value or null. */
export function jsonObjectInput(textarea, messageSlot) {
  const check = () => {
    const parsed = parseObject(textarea.value);
    textarea.setAttribute('aria-invalid', parsed.error ? 'true' : 'false');
    clear(messageSlot, parsed.error ? `Config ${parsed.error}` : '');
    return parsed;
  };
  textarea.addEventListener('input', check);
  return () => {
    const parsed = check();
    if (parsed.error) {
      textarea.focus();
      return null;
    }
    return parsed.value;
  };
}

/** Job input from what a user typed: a JSON object is sent as is, anything else as {"prompt": text}. */
export function inputFromText(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = parseObject(trimmed);
    if (parsed.error) return { error: `Input ${parsed.error}` };
    return { value: parsed.value };
  }
  return { value: { prompt: text } };
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

export function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}
