// Providers: model endpoints of a kind (OpenAI-compatible, Ollama, Anthropic, Gemini). Keys are write-only: the API answers a mask, this page never shows more.
import { api, getAll } from '../api.js';
import { checkbox, clear, confirmDialog, empty, field, fmtTime, h, showProblem, toast } from '../ui.js';

export async function render(main) {
  let providers = await getAll('/api/v1/providers');
  const list = h('section', { class: 'card', 'aria-label': 'Providers' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'e.g. openai' });
  const url = h('input', { type: 'url', name: 'api_base_url', required: true, placeholder: 'https://api.openai.com/v1' });
  const KINDS = { openai: 'https://api.openai.com/v1', ollama: 'http://127.0.0.1:11434',
    anthropic: 'https://api.anthropic.com/v1', gemini: 'https://generativelanguage.googleapis.com/v1beta' };
  const kind = h('select', { name: 'kind', onchange: () => { url.placeholder = KINDS[kind.value]; } },
    h('option', { value: 'openai' }, 'OpenAI-compatible'), h('option', { value: 'ollama' }, 'Ollama'),
    h('option', { value: 'anthropic' }, 'Anthropic'), h('option', { value: 'gemini' }, 'Google Gemini'));
  const key = h('input', { type: 'password', name: 'api_key', autocomplete: 'off', placeholder: 'sk-…' });
  const removeKey = checkbox('Remove the stored key', { name: 'remove_key' });
  removeKey.el.hidden = true;
  const errorSlot = h('div', { id: 'provider-error' });
  const title = h('h2', {}, 'Add a provider');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Add provider');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  function reset() {
    editing = null;
    form.reset();
    clear(title, 'Add a provider');
    clear(submit, 'Add provider');
    key.placeholder = 'sk-…';
    removeKey.el.hidden = true;
    cancel.hidden = true;
    showProblem(errorSlot, null);
  }

  const form = h('form', { class: 'card', id: 'provider-form', 'aria-label': 'Provider', onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), kind: kind.value, api_base_url: url.value.trim() };
    // Left empty on edit, the key is not sent and the stored one stays; "remove" sends "".
    if (removeKey.input.checked) body.api_key = '';
    else if (key.value) body.api_key = key.value;
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/providers/${editing.id}` : '/api/v1/providers', body);
      toast(editing ? 'Provider saved' : 'Provider added');
      reset();
      providers = await getAll('/api/v1/providers');
      showList();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  } },
  title, h('div', { class: 'row' }, field('Name', name), field('Kind', kind),
    field('Base URL', url, 'e.g. https://api.openai.com/v1, or http://127.0.0.1:11434 for Ollama')),
  field('API key', key, 'Write-only: stored encrypted, never shown again. Local model servers need none.'),
  removeKey.el, errorSlot, h('div', { class: 'actions' }, submit, cancel));

  function showList() {
    if (!providers.length) {
      clear(list, empty('No providers yet', 'Add the endpoint your agents call: OpenAI, Ollama, vLLM, …'));
      return;
    }
    clear(list, h('table', { id: 'providers-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Base URL', 'API key', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, providers.map((p) => h('tr', { 'data-provider': p.name },
        h('td', {}, h('strong', {}, p.name)),
        h('td', {}, p.kind || 'openai'),
        h('td', {}, h('code', {}, p.api_base_url)),
        h('td', { class: 'api-key' }, p.api_key ? h('code', {}, p.api_key) : h('span', { class: 'muted' }, 'none')),
        h('td', { class: 'num' }, fmtTime(p.updated_at || p.created_at)),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => edit(p) }, 'Edit'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(p) }, 'Delete'))))))));
  }

  function edit(provider) {
    editing = provider;
    name.value = provider.name;
    url.value = provider.api_base_url;
    kind.value = provider.kind || 'openai';
    key.value = '';
    key.placeholder = provider.api_key ? 'a key is stored — leave empty to keep it' : 'no key stored';
    removeKey.el.hidden = !provider.api_key;
    removeKey.input.checked = false;
    clear(title, `Edit ${provider.name}`);
    clear(submit, 'Save');
    cancel.hidden = false;
    name.focus();
  }

  async function remove(provider) {
    if (!(await confirmDialog(`Delete provider ${provider.name}?`))) return;
    try {
      await api('DELETE', `/api/v1/providers/${provider.id}`);
      providers = await getAll('/api/v1/providers');
      showList();
      toast('Provider deleted');
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  showList();
  main.append(h('h1', {}, 'Providers'), list, form);
  return null;
}
