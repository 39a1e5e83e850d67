// Workflows: the list and a form to create one (its steps are edited on the workflow's own page).
import { api, getAll } from '../api.js';
import { checkbox, clear, empty, field, fmtTime, h, showProblem } from '../ui.js';

export async function render(main) {
  const workflows = await getAll('/api/v1/workflows');
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, pattern: '[A-Za-z0-9._\\-]+',
    placeholder: 'e.g. summarise-ticket' });
  const description = h('input', { type: 'text', name: 'description', maxlength: 10000 });
  const isAsync = checkbox('Asynchronous by default (is_async)', { name: 'is_async' });
  const errorSlot = h('div');
  const create = h('form', { class: 'card', 'aria-label': 'New workflow', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const created = await api('POST', '/api/v1/workflows',
        { name: name.value.trim(), description: description.value, is_async: isAsync.input.checked });
      window.location.hash = `#/workflows/${created.data.id}`;
    } catch (error) {
      showProblem(errorSlot, error);
    }
  } },
  h('h2', {}, 'New workflow'),
  h('div', { class: 'row' }, field('Name', name, 'Letters, digits, dot, dash, underscore.'), field('Description', description)),
  isAsync.el, errorSlot, h('button', { class: 'primary', type: 'submit' }, 'Create workflow'));

  const list = h('section', { class: 'card', 'aria-label': 'Workflows' });
  if (!workflows.length) {
    clear(list, empty('No workflows yet', 'Create one above, then add its steps: WASM modules and agents, in order.'));
  } else {
    clear(list, h('table', { id: 'workflows-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Async', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, workflows.map((w) => h('tr', { 'data-workflow': w.name },
        h('td', {}, h('a', { href: `#/workflows/${w.id}` }, w.name)),
        h('td', { class: 'muted' }, w.description || ''),
        h('td', {}, w.is_async ? 'yes' : 'no'),
        h('td', { class: 'num' }, fmtTime(w.updated_at || w.created_at)),
        h('td', {}, h('div', { class: 'actions' },
          h('a', { class: 'button small', href: `#/run?kind=workflow&id=${w.id}` }, 'Run'),
          h('a', { class: 'button small', href: `#/jobs?workflow_name=${encodeURIComponent(w.name)}` }, 'Jobs'))))))));
  }
  main.append(h('h1', {}, 'Workflows'), list, create);
  return null;
}
