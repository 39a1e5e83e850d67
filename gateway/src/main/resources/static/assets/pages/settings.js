// Settings: this browser's API key (for gateways that require one) and Mule's runtime settings.
import { api, apiKey, getAll, setApiKey } from '../api.js';
import { clear, empty, field, h, showProblem, toast } from '../ui.js';

export async function render(main) {
  main.append(h('h1', {}, 'Settings'), connection());
  const card = h('section', { class: 'card', 'aria-labelledby': 'runtime-h' }, h('h2', { id: 'runtime-h' }, 'Runtime settings'));
  main.append(card);
  let settings;
  try {
    settings = await getAll('/api/v1/settings');
  } catch (error) {
    const slot = h('div');
    card.append(slot);
    showProblem(slot, error);
    return null;
  }
  if (!settings.length) {
    card.append(empty('No settings stored', 'The gateway seeds them when it starts.'));
    return null;
  }
  card.append(h('table', { id: 'settings-table' },
    h('thead', {}, h('tr', {}, ['Setting', 'Value', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, settings.map(settingRow))));
  return null;
}

function settingRow(setting) {
  const input = h('input', { type: 'text', name: setting.key, value: setting.value, 'aria-label': setting.key });
  const errorSlot = h('div', { class: 'setting-error' });
  const save = async (event) => {
    event.preventDefault();
    try {
      const saved = await api('PUT', `/api/v1/settings/${encodeURIComponent(setting.key)}`, { value: input.value });
      input.value = saved.data.value;
      showProblem(errorSlot, null);
      toast(`${setting.key} saved`);
    } catch (error) {
      showProblem(errorSlot, error);
    }
  };
  return h('tr', { 'data-setting': setting.key },
    h('td', {}, h('code', {}, setting.key), ' ', setting.category ? h('span', { class: 'badge' }, setting.category) : null,
      h('div', { class: 'hint' }, setting.description || '')),
    h('td', {}, h('form', { onsubmit: save, id: `setting-${setting.key}` }, input), errorSlot),
    h('td', {}, h('button', { type: 'submit', class: 'small', form: `setting-${setting.key}` }, 'Save')));
}

function connection() {
  const key = h('input', { type: 'password', name: 'api_key', autocomplete: 'off', placeholder: apiKey() ? 'a key is saved' : 'none' });
  const state = h('p', { class: 'hint', id: 'key-state' });
  const show = () => clear(state, apiKey()
    ? 'This browser sends its saved key as Authorization: Bearer … with every request.'
    : 'No key saved: fine for a local gateway without API keys (./mule up).');
  show();
  return h('form', { class: 'card', 'aria-label': 'API key', onsubmit: (event) => {
    event.preventDefault();
    if (key.value) {
      setApiKey(key.value.trim());
      key.value = '';
      key.placeholder = 'a key is saved';
      toast('API key saved in this browser');
    }
    show();
  } },
  h('h2', {}, 'API key'),
  field('Key', key, 'Needed only when the gateway was started with API keys. Kept in this browser’s localStorage.'),
  state,
  h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Save key'),
    h('button', { type: 'button', onclick: () => { setApiKey(''); key.placeholder = 'none'; show(); toast('API key forgotten'); } },
      'Forget key')));
}
