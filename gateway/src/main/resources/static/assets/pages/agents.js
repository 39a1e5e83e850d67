// Agents: a provider, a model and a system prompt; the provider's own model list helps pick the model.
import { api, get, getAll } from '../api.js';
import { byId, clear, confirmDialog, empty, field, h, nextId, showProblem, toast } from '../ui.js';

export async function render(main) {
  let [agents, providers] = await Promise.all([getAll('/api/v1/agents'), getAll('/api/v1/providers')]);
  const providerById = byId(providers);
  const list = h('section', { class: 'card', 'aria-label': 'Agents' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'e.g. summariser' });
  const description = h('input', { type: 'text', name: 'description' });
  const provider = h('select', { name: 'provider_id', required: true },
    providers.length ? providers.map((p) => h('option', { value: p.id }, p.name)) : h('option', { value: '' }, 'no providers yet'));
  const modelsId = nextId('models');
  const models = h('datalist', { id: modelsId });
  const model = h('input', { type: 'text', name: 'model_id', required: true, list: modelsId, placeholder: 'e.g. gpt-4o-mini' });
  const loadModels = h('button', { type: 'button', onclick: fetchModels }, 'Load the provider’s models');
  const prompt = h('textarea', { name: 'system_prompt', rows: 4, placeholder: 'You are…' });
  const temperature = h('input', { type: 'number', name: 'temperature', min: 0, max: 2, step: 0.1, placeholder: 'provider default' });
  const maxTokens = h('input', { type: 'number', name: 'max_tokens', min: 1, step: 1, placeholder: 'provider default' });
  const errorSlot = h('div', { id: 'agent-error' });
  const title = h('h2', {}, 'New agent');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Create agent');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  async function fetchModels() {
    if (!provider.value) return;
    try {
      const answer = await get(`/api/v1/providers/${provider.value}/models`);
      clear(models, answer.data.map((m) => h('option', { value: m.id || m.name })));
      toast(`${answer.data.length} models listed`);
      model.focus();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  function reset() {
    editing = null;
    form.reset();
    clear(title, 'New agent');
    clear(submit, 'Create agent');
    cancel.hidden = true;
    showProblem(errorSlot, null);
  }

  const form = h('form', { class: 'card', id: 'agent-form', 'aria-label': 'Agent', onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), description: description.value, provider_id: provider.value,
      model_id: model.value.trim(), system_prompt: prompt.value,
      temperature: temperature.value === '' ? null : Number(temperature.value),
      max_tokens: maxTokens.value === '' ? null : Number(maxTokens.value) };
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/agents/${editing.id}` : '/api/v1/agents', body);
      toast(editing ? 'Agent saved' : 'Agent created');
      reset();
      agents = await getAll('/api/v1/agents');
      showList();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  } },
  title, h('div', { class: 'row' }, field('Name', name), field('Description', description)),
  h('div', { class: 'row' }, field('Provider', provider), field('Model', model), h('div', { class: 'field button-field' }, loadModels)),
  models, field('System prompt', prompt),
  h('div', { class: 'row' }, field('Temperature', temperature, '0 to 2'), field('Max tokens', maxTokens, 'of the reply')),
  errorSlot, h('div', { class: 'actions' }, submit, cancel));

  function showList() {
    if (!agents.length) {
      clear(list, empty('No agents yet', providers.length ? 'Create one below.' : 'Add a provider first, then create an agent.',
        providers.length ? null : h('a', { class: 'button', href: '#/providers' }, 'Add a provider')));
      return;
    }
    clear(list, h('table', { id: 'agents-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Provider', 'Model', 'Description', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, agents.map((a) => h('tr', { 'data-agent': a.name },
        h('td', {}, h('strong', {}, a.name)),
        h('td', {}, providerById.get(a.provider_id)?.name || a.provider_id),
        h('td', {}, h('code', {}, a.model_id)),
        h('td', { class: 'muted' }, a.description || ''),
        h('td', {}, h('div', { class: 'actions' },
          h('a', { class: 'button small', href: `#/run?kind=agent&id=${a.id}` }, 'Run'),
          h('button', { type: 'button', class: 'small', onclick: () => edit(a) }, 'Edit'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(a) }, 'Delete'))))))));
  }

  function edit(agent) {
    editing = agent;
    name.value = agent.name;
    description.value = agent.description || '';
    provider.value = agent.provider_id;
    model.value = agent.model_id;
    prompt.value = agent.system_prompt || '';
    temperature.value = agent.temperature ?? '';
    maxTokens.value = agent.max_tokens ?? '';
    clear(title, `Edit ${agent.name}`);
    clear(submit, 'Save');
    cancel.hidden = false;
    form.scrollIntoView({ block: 'start' });
    name.focus();
  }

  async function remove(agent) {
    if (!(await confirmDialog(`Delete agent ${agent.name}?`))) return;
    try {
      await api('DELETE', `/api/v1/agents/${agent.id}`);
      agents = await getAll('/api/v1/agents');
      showList();
      toast('Agent deleted');
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  showList();
  main.append(h('h1', {}, 'Agents'), list, form);
  return null;
}
