// Run: pick a workflow, an agent or a WASM module, give input, run it; the result arrives over the job's events.
import { api, get, getAll } from '../api.js';
import { applyEvent, isTerminal, watchJob } from '../live.js';
import { badge, clear, empty, field, h, inputFromText, outputText, showProblem } from '../ui.js';

const KINDS = [
  ['workflow', 'Workflow', '/api/v1/workflows', 'workflow_id'],
  ['agent', 'Agent', '/api/v1/agents', 'agent_id'],
  ['module', 'WASM module', '/api/v1/wasm-modules', 'wasm_module_id'],
];

export async function render(main, { query }) {
  main.append(h('h1', {}, 'Run'));
  const [workflows, agents, modules] = await Promise.all(KINDS.map(([, , path]) => getAll(path)));
  const targets = { workflow: workflows, agent: agents, module: modules };
  if (!workflows.length && !agents.length && !modules.length) {
    main.append(empty('Nothing to run yet', 'Upload a WASM module or create a workflow or an agent first.',
      h('a', { class: 'button', href: '#/modules' }, 'Upload a module'),
      h('a', { class: 'button', href: '#/workflows' }, 'Create a workflow')));
    return null;
  }
  let stop = null;
  const initialKind = query.get('kind') || (workflows.length ? 'workflow' : agents.length ? 'agent' : 'module');
  const kindRadios = h('fieldset', { class: 'radios' }, h('legend', {}, 'What to run'),
    KINDS.map(([kind, label]) => h('label', {},
      h('input', { type: 'radio', name: 'kind', value: kind, checked: kind === initialKind, onchange: fillTargets }), label)));
  const target = h('select', { name: 'target', required: true });
  const input = h('textarea', { name: 'input', rows: 4, placeholder: 'World' });
  const modeRadios = h('fieldset', { class: 'radios' }, h('legend', {}, 'How'),
    h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'sync', checked: true }), 'Wait for the result'),
    h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'async' }), 'Start it and go on (async)'));
  const errorSlot = h('div');
  const result = h('section', { class: 'card', id: 'run-result', 'aria-live': 'polite', hidden: true });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Run');

  function kind() {
    return kindRadios.querySelector('input:checked').value;
  }

  function fillTargets() {
    const items = targets[kind()];
    clear(target, items.length
      ? items.map((item) => h('option', { value: item.id, selected: item.id === query.get('id') }, item.name))
      : h('option', { value: '' }, `no ${KINDS.find(([k]) => k === kind())[1].toLowerCase()} yet`));
    target.disabled = !items.length;
  }
  fillTargets();

  async function onSubmit(event) {
    event.preventDefault();
    showProblem(errorSlot, null);
    const parsed = inputFromText(input.value);
    if (parsed.error) {
      showProblem(errorSlot, { detail: parsed.error });
      return;
    }
    if (!target.value) {
      showProblem(errorSlot, { detail: 'Pick what to run.' });
      return;
    }
    const field = KINDS.find(([k]) => k === kind())[3];
    const wait = modeRadios.querySelector('input:checked').value === 'sync';
    submit.disabled = true;
    stop?.();
    try {
      const created = await api('POST', '/api/v1/jobs', { [field]: target.value, input_data: parsed.value });
      stop = showJob(result, created.data, wait);
    } catch (error) {
      showProblem(errorSlot, error);
    } finally {
      submit.disabled = false;
    }
  }

  main.append(h('form', { class: 'card', onsubmit: onSubmit, 'aria-label': 'Run' },
    kindRadios, field('Target', target),
    field('Input', input, 'Text is sent as {"prompt": text}; a JSON object is sent as it is.'),
    modeRadios, errorSlot, h('div', { class: 'actions' }, submit)), result);
  return () => stop?.();
}

/** Shows the accepted job and follows it live; when waiting, the output is the point of the panel. */
function showJob(panel, job, wait) {
  panel.hidden = false;
  const status = h('span', { id: 'run-status' }, badge(job.status));
  const body = h('div');
  const link = h('a', { href: `#/jobs/${job.id}`, id: 'run-job-link' }, `Job ${job.id}`);
  clear(panel, h('h2', {}, wait ? 'Result' : 'Started'), h('p', { class: 'actions' }, link, status), body);
  const steps = new Map();
  const show = () => {
    clear(status, badge(job.status));
    if (job.status === 'completed') {
      clear(body, h('pre', { class: 'result-output', id: 'run-output' }, outputText(job.output_data)));
    } else if (job.status === 'failed' || job.status === 'cancelled') {
      clear(body, h('div', { class: 'problem', id: 'run-error' }, job.error_message || `the job ${job.status}`));
    } else if (wait) {
      clear(body, h('p', { class: 'muted' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Waiting for the job…'));
    } else {
      clear(body, h('p', { class: 'muted' }, 'The job runs on; its page shows each step as it happens.'));
    }
  };
  show();
  return watchJob(job.id, {
    onSnapshot: (stored) => {
      if (!isTerminal(job.status)) Object.assign(job, stored);
      show();
    },
    onEvent: (type, event) => {
      applyEvent(job, steps, type, event);
      show();
    },
    catchUp: async () => {
      const stored = (await get(`/api/v1/jobs/${job.id}`)).data;
      if (!isTerminal(job.status) || isTerminal(stored.status)) Object.assign(job, stored);
      show();
      return stored.status !== 'queued';
    },
  });
}
