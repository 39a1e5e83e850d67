// WASM modules: upload (config as a JSON object, checked here before the API checks it again), edit, delete,
// and a test run that shows the module's output, stdout and stderr.
import { api, getAll } from '../api.js';
import {
  badge, clear, confirmDialog, empty, field, fmtBytes, fmtTime, h, inputFromText, jsonObjectInput, outputText, showProblem,
  toast,
} from '../ui.js';

export async function render(main) {
  let modules = await getAll('/api/v1/wasm-modules');
  const list = h('section', { class: 'card', 'aria-label': 'Modules' });
  const form = moduleForm(async () => {
    modules = await getAll('/api/v1/wasm-modules');
    showList();
    tester.refresh(modules);
  });
  const tester = testPanel(modules);

  function showList() {
    if (!modules.length) {
      clear(list, empty('No WASM modules yet',
        'Upload a WASI preview-1 command (.wasm): it reads JSON on stdin and writes JSON on stdout.'));
      return;
    }
    clear(list, h('table', { id: 'modules-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Size', 'SHA-256', 'Config', 'Uploaded', '']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, modules.map((m) => h('tr', { 'data-module': m.name },
        h('td', {}, h('strong', {}, m.name)),
        h('td', { class: 'muted' }, m.description || ''),
        h('td', { class: 'num' }, fmtBytes(m.size_bytes)),
        h('td', {}, h('code', { title: m.sha256 }, (m.sha256 || '').slice(0, 12))),
        h('td', {}, h('code', {}, m.config && Object.keys(m.config).length ? JSON.stringify(m.config) : '{}')),
        h('td', { class: 'num' }, fmtTime(m.updated_at || m.created_at)),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => tester.pick(m.id) }, 'Test'),
          h('button', { type: 'button', class: 'small', onclick: () => form.edit(m) }, 'Edit'),
          h('a', { class: 'button small', href: `#/modules/source?id=${m.id}` }, 'Source'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(m) }, 'Delete'))))))));
  }

  async function remove(module) {
    if (!(await confirmDialog(`Delete module ${module.name}?`))) return;
    try {
      await api('DELETE', `/api/v1/wasm-modules/${module.id}`);
      modules = await getAll('/api/v1/wasm-modules');
      showList();
      tester.refresh(modules);
      toast('Module deleted');
    } catch (error) {
      toast(error.detail || error.message, 'error');
    }
  }

  showList();
  main.append(h('h1', {}, 'WASM modules', h('a', { class: 'button small', href: '#/modules/source', id: 'new-from-source' },
    'New from source (WAT or C)')), list, h('div', { class: 'grid2' }, form.el, tester.el));
  return null;
}

function moduleForm(onSaved) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'e.g. upper' });
  const description = h('input', { type: 'text', name: 'description' });
  const config = h('textarea', { name: 'config', rows: 4, placeholder: '{"greeting": "Hello"}' });
  const configMessage = h('div', { class: 'invalid', id: 'module-config-message', 'aria-live': 'polite' });
  const readConfig = jsonObjectInput(config, configMessage);
  const file = h('input', { type: 'file', name: 'module_data', accept: '.wasm,application/wasm' });
  const errorSlot = h('div', { id: 'module-error' });
  const title = h('h2', {}, 'Upload a module');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Upload');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  function reset() {
    editing = null;
    el.reset();
    clear(title, 'Upload a module');
    clear(submit, 'Upload');
    cancel.hidden = true;
    clear(configMessage);
    config.setAttribute('aria-invalid', 'false');
    showProblem(errorSlot, null);
  }

  const el = h('form', { class: 'card', id: 'module-form', 'aria-label': 'Module', onsubmit: async (event) => {
    event.preventDefault();
    const parsed = readConfig();
    if (parsed === null) return;
    if (!editing && !file.files.length) {
      showProblem(errorSlot, { detail: 'Choose the compiled .wasm file to upload.' });
      file.focus();
      return;
    }
    const body = new FormData();
    body.set('name', name.value.trim());
    body.set('description', description.value);
    body.set('config', JSON.stringify(parsed));
    if (file.files.length) body.set('module_data', file.files[0]);
    submit.disabled = true;
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/wasm-modules/${editing.id}` : '/api/v1/wasm-modules', body);
      toast(editing ? 'Module saved' : `Module ${name.value.trim()} uploaded`);
      reset();
      await onSaved();
    } catch (error) {
      showProblem(errorSlot, error);
    } finally {
      submit.disabled = false;
    }
  } },
  title, field('Name', name), field('Description', description),
  field('Config (JSON object)', config, 'Merged with each run’s input on stdin; the input wins.'), configMessage,
  field('Module (.wasm)', file, 'A WASI preview-1 command. When editing, leave empty to keep the current binary.'),
  errorSlot, h('div', { class: 'actions' }, submit, cancel));

  return {
    el,
    edit(module) {
      editing = module;
      name.value = module.name;
      description.value = module.description || '';
      config.value = module.config && Object.keys(module.config).length ? JSON.stringify(module.config, null, 2) : '';
      clear(title, `Edit ${module.name}`);
      clear(submit, 'Save');
      cancel.hidden = false;
      el.scrollIntoView({ block: 'start' });
      name.focus();
    },
  };
}

// A module's stdout or stderr as the run reported it: null means the step produced no result (it timed out, its
// runner was lost, or it was cancelled before it ran), which is not the same as writing nothing.
function stream(text, id) {
  if (text === null || text === undefined) return h('p', { class: 'muted', id }, '— (no result from the module)');
  return h('pre', { id }, text === '' ? '(empty)' : text);
}

function testPanel(initial) {
  const module = h('select', { name: 'module_id', id: 'test-module' });
  const input = h('textarea', { name: 'input', rows: 3, placeholder: 'World   or   {"prompt": "World"}', id: 'test-input' });
  const errorSlot = h('div');
  const result = h('div', { id: 'test-result', 'aria-live': 'polite' });
  const run = h('button', { class: 'primary', type: 'submit' }, 'Run test');
  const refresh = (modules) => {
    const chosen = module.value;
    clear(module, modules.length ? modules.map((m) => h('option', { value: m.id, selected: m.id === chosen }, m.name))
      : h('option', { value: '' }, 'no modules yet'));
    run.disabled = !modules.length;
  };
  refresh(initial);

  const el = h('form', { class: 'card', id: 'test-form', 'aria-label': 'Test a module', onsubmit: async (event) => {
    event.preventDefault();
    const parsed = inputFromText(input.value);
    if (parsed.error) {
      showProblem(errorSlot, { detail: parsed.error });
      return;
    }
    showProblem(errorSlot, null);
    run.disabled = true;
    clear(result, h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Running…'));
    try {
      const answer = await api('POST', '/api/v1/wasm-modules/test', { module_id: module.value, input: parsed.value });
      // Mule v2 answers the run bare ({output, success, error}); accept the {"data": run} envelope as well
      const outcome = answer.success === undefined && answer.data ? answer.data : answer;
      clear(result,
        h('p', { class: 'actions' }, badge(outcome.success ? 'success' : 'failed'),
          outcome.job_id ? h('a', { href: `#/jobs/${outcome.job_id}` }, 'its job') : null),
        h('h3', {}, 'Output'), h('pre', { id: 'test-output' },
          outcome.output === null || outcome.output === undefined ? '—' : outputText(outcome.output)),
        outcome.error ? [h('h3', {}, 'Error'), h('div', { class: 'problem', id: 'test-error' }, outcome.error)] : null,
        h('h3', {}, 'stdout'), stream(outcome.stdout, 'test-stdout'),
        h('h3', {}, 'stderr'), stream(outcome.stderr, 'test-stderr'));
    } catch (error) {
      clear(result);
      showProblem(errorSlot, error);
    } finally {
      run.disabled = false;
    }
  } },
  h('h2', {}, 'Test a module'), field('Module', module), field('Input', input, 'Text is sent as {"prompt": text}.'),
  errorSlot, h('div', { class: 'actions' }, run), result);

  return {
    el,
    refresh,
    pick(id) {
      module.value = id;
      input.focus();
    },
  };
}
