// Tools (Mule v2's standalone tools): agents refer to them by id. An http tool with allowed_hosts (or a config
// with a "type" of the agent tool kinds) is offered to the model; database, memory and filesystem tools are data.
import { api, getAll } from '../api.js';
import { clear, confirmDialog, empty, field, h, jsonObjectInput, showProblem, toast } from '../ui.js';

const TYPES = ['http', 'database', 'memory', 'filesystem'];

export async function render(main) {
  let tools = await getAll('/api/v1/tools');
  const list = h('section', { class: 'card', 'aria-label': 'Tools' });
  const form = toolForm(async () => {
    tools = await getAll('/api/v1/tools');
    showList();
  });

  function showList() {
    if (!tools.length) {
      clear(list, empty('No tools yet', 'A tool agents can be given: e.g. http with {"allowed_hosts": ["api.example.com"]}.'));
      return;
    }
    clear(list, h('table', { id: 'tools-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'Description', 'Config', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, tools.map((t) => h('tr', { 'data-tool': t.name },
        h('td', {}, h('strong', {}, t.name)),
        h('td', {}, t.metadata?.tool_type || ''),
        h('td', { class: 'muted' }, t.description || ''),
        h('td', {}, h('code', {}, JSON.stringify(t.metadata?.config || {}))),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => form.edit(t) }, 'Edit'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(t) }, 'Delete'))))))));
  }

  async function remove(tool) {
    if (!(await confirmDialog(`Delete tool ${tool.name}? Agents that use it lose it.`))) return;
    try {
      await api('DELETE', `/api/v1/tools/${tool.id}`);
      tools = await getAll('/api/v1/tools');
      showList();
      toast('Tool deleted');
    } catch (error) {
      toast(error.detail || error.message, 'error');
    }
  }

  showList();
  main.append(h('h1', {}, 'Tools'),
    h('p', { class: 'muted' }, 'Attach a tool to an agent with POST /api/v1/agents/{id}/tools {"tool_id": ...}.'),
    list, form.el);
  return null;
}

function toolForm(onSaved) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'e.g. weather' });
  const description = h('input', { type: 'text', name: 'description' });
  const type = h('select', { name: 'tool_type', id: 'tool-type' }, TYPES.map((t) => h('option', { value: t }, t)));
  const config = h('textarea', { name: 'config', rows: 4, placeholder: '{"allowed_hosts": ["api.example.com"]}' });
  const configMessage = h('div', { class: 'invalid', 'aria-live': 'polite' });
  const readConfig = jsonObjectInput(config, configMessage);
  const errorSlot = h('div', { id: 'tool-error' });
  const title = h('h2', {}, 'New tool');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Create');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  function reset() {
    editing = null;
    el.reset();
    clear(title, 'New tool');
    clear(submit, 'Create');
    cancel.hidden = true;
    showProblem(errorSlot, null);
  }

  const el = h('form', { class: 'card', id: 'tool-form', 'aria-label': 'Tool', onsubmit: async (event) => {
    event.preventDefault();
    const parsed = readConfig();
    if (parsed === null) return;
    submit.disabled = true;
    try {
      const body = { name: name.value.trim(), description: description.value,
        metadata: { tool_type: type.value, config: parsed } };
      await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/tools/${editing.id}` : '/api/v1/tools', body);
      toast(editing ? 'Tool saved' : `Tool ${body.name} created`);
      reset();
      await onSaved();
    } catch (error) {
      showProblem(errorSlot, error);
    } finally {
      submit.disabled = false;
    }
  } },
  title, h('div', { class: 'row' }, field('Name', name), field('Type', type)), field('Description', description),
  field('Config (JSON object)', config, 'http: {"allowed_hosts": [...]} makes it callable by agents.'), configMessage,
  errorSlot, h('div', { class: 'actions' }, submit, cancel));

  return {
    el,
    edit(tool) {
      editing = tool;
      name.value = tool.name;
      description.value = tool.description || '';
      type.value = tool.metadata?.tool_type || 'http';
      config.value = JSON.stringify(tool.metadata?.config || {}, null, 2);
      clear(title, `Edit ${tool.name}`);
      clear(submit, 'Save');
      cancel.hidden = false;
      name.focus();
    },
  };
}
