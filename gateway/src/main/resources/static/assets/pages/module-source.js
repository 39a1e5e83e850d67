// A module's source (WAT or C): write or load an example, compile on the server, see the compiler's errors next to
// the lines they name. #/modules/source creates a module; #/modules/source?id=<id> edits one compiled here.
import { api, get } from '../api.js';
import { clear, field, h, jsonObjectInput, showProblem, toast } from '../ui.js';

export async function render(main, { query }) {
  let id = query.get('id');
  const language = h('select', { name: 'language', id: 'source-language' },
    h('option', { value: 'wat' }, 'WAT (WebAssembly text)'), h('option', { value: 'c' }, 'C (WASI)'));
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'e.g. hello' });
  const description = h('input', { type: 'text', name: 'description' });
  const config = h('textarea', { name: 'config', rows: 2, placeholder: '{}' });
  const configMessage = h('div', { class: 'invalid', 'aria-live': 'polite' });
  const readConfig = jsonObjectInput(config, configMessage);
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true', id: 'source-gutter' });
  const source = h('textarea', { name: 'source_code', id: 'source-code', rows: 22, spellcheck: 'false', wrap: 'off',
    'aria-describedby': 'compile-errors' });
  const errors = h('div', { id: 'compile-errors', 'aria-live': 'polite' });
  const errorSlot = h('div');
  const compile = h('button', { class: 'primary', type: 'submit', id: 'compile' }, id ? 'Compile and save' : 'Compile');
  const example = h('button', { type: 'button', id: 'load-example', onclick: () => loadExample() }, 'Load example');
  let marked = new Map();

  function paintGutter() {
    const lines = source.value.split('\n').length;
    clear(gutter, Array.from({ length: lines }, (_, i) => {
      const problem = marked.get(i + 1);
      return h('span', problem ? { class: 'error-line', title: problem } : {}, `${i + 1}\n`);
    }));
    gutter.scrollTop = source.scrollTop;
  }

  async function loadExample() {
    try {
      const answer = await get(`/api/v1/wasm-modules/example?language=${language.value}`);
      source.value = answer.data.example_code;
      marked = new Map();
      clear(errors);
      paintGutter();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  function showErrors(list, detail) {
    marked = new Map(list.map((e) => [e.line, `${e.severity}: ${e.message}`]));
    paintGutter();
    clear(errors, h('div', { class: 'problem', role: 'alert' }, h('strong', {}, 'Compilation failed: '), detail,
      list.length ? h('ul', { id: 'compile-error-list' }, list.map((e) => h('li', {},
        h('button', { type: 'button', class: 'small link', onclick: () => goTo(e.line) }, `line ${e.line}:${e.column}`),
        ` ${e.severity}: ${e.message}`))) : null));
  }

  function goTo(line) {
    const offset = source.value.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    source.focus();
    source.setSelectionRange(offset, offset + (source.value.split('\n')[line - 1] || '').length);
  }

  source.addEventListener('input', paintGutter);
  source.addEventListener('scroll', () => { gutter.scrollTop = source.scrollTop; });
  language.addEventListener('change', () => { if (!source.value.trim()) loadExample(); });

  const form = h('form', { class: 'card', id: 'source-form', 'aria-label': 'Module source', onsubmit: async (event) => {
    event.preventDefault();
    const parsed = readConfig();
    if (parsed === null) return;
    showProblem(errorSlot, null);
    clear(errors, h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Compiling…'));
    compile.disabled = true;
    try {
      const body = { name: name.value.trim(), description: description.value, language: language.value,
        source_code: source.value, config: parsed };
      const answer = await api(id ? 'PUT' : 'POST', id ? `/api/v1/wasm-modules/${id}/source`
        : '/api/v1/wasm-modules/compile', body);
      marked = new Map();
      paintGutter();
      clear(errors, h('p', { id: 'compile-ok' }, `Compiled: module ${answer.data.module.name} `
        + `(${answer.data.module.size_bytes} bytes) is stored. `, h('a', { href: '#/modules' }, 'See modules')));
      toast('Module compiled');
      if (!id) {
        // from now on this page edits the module it made (no reload: the result above stays in view)
        id = answer.data.module_id;
        clear(compile, 'Compile and save');
        history.replaceState(null, '', `#/modules/source?id=${id}`);
      }
    } catch (error) {
      if (error.status === 422 && error.errors.length && error.errors[0].line !== undefined) {
        showErrors(error.errors, error.detail);
      } else {
        clear(errors);
        showProblem(errorSlot, error);
      }
    } finally {
      compile.disabled = false;
    }
  } },
  h('div', { class: 'row' }, field('Name', name), field('Language', language), field('Description', description)),
  field('Config (JSON object)', config, 'Merged with each run’s input on stdin; the input wins.'), configMessage,
  h('div', { class: 'field' }, h('span', {}, 'Source'),
    h('div', { class: 'editor' }, gutter, source),
    h('small', {}, 'The module reads its input as JSON on stdin and writes JSON on stdout.')),
  errors, errorSlot, h('div', { class: 'actions' }, compile, example));

  if (id) {
    const [module, stored] = await Promise.all([get(`/api/v1/wasm-modules/${id}`), get(`/api/v1/wasm-modules/${id}/source`)]);
    name.value = module.data.name;
    description.value = module.data.description || '';
    config.value = module.data.config && Object.keys(module.data.config).length
      ? JSON.stringify(module.data.config, null, 2) : '';
    language.value = stored.data.language;
    source.value = stored.data.source_code;
  } else {
    await loadExample();
  }
  paintGutter();
  main.append(h('h1', {}, id ? `Source of ${name.value}` : 'New module from source'),
    h('p', { class: 'muted' }, 'Compiled on the gateway’s host: WAT with wabt’s wat2wasm, C with clang and wasi-libc. ',
      h('a', { href: '#/modules' }, 'Back to modules')), form);
  return null;
}
