// One workflow: its fields, and its steps — added, edited (target, config, retry and timeout), removed, and
// reordered by drag and drop (or the move buttons, for the keyboard) through POST /steps/reorder.
import { api, get, getAll } from '../api.js';
import { describeStep, drawGraph, mergeDefinitions } from '../graph.js';
import {
  byId, checkbox, clear, confirmDialog, empty, field, h, jsonObjectInput, select, showProblem, toast,
} from '../ui.js';

const POLICY = [
  ['max_attempts', 'Max attempts', '1 = no retry'],
  ['timeout_ms', 'Timeout (ms)', 'per attempt'],
  ['initial_backoff_ms', 'First backoff (ms)', ''],
  ['backoff_multiplier', 'Backoff multiplier', ''],
  ['max_backoff_ms', 'Max backoff (ms)', ''],
];

export async function render(main, { params: [id] }) {
  const path = `/api/v1/workflows/${encodeURIComponent(id)}`;
  const [workflow, modules, agents] = await Promise.all([get(path).then((a) => a.data),
    getAll('/api/v1/wasm-modules'), getAll('/api/v1/agents')]);
  let steps = (await get(`${path}/steps`)).data;
  const moduleById = byId(modules);
  const agentById = byId(agents);

  // --- the workflow's own fields
  const name = h('input', { type: 'text', name: 'name', value: workflow.name, required: true, maxlength: 100 });
  const description = h('input', { type: 'text', name: 'description', value: workflow.description || '' });
  const isAsync = checkbox('Asynchronous by default (is_async)', { name: 'is_async', checked: workflow.is_async });
  const fieldsError = h('div');
  const heading = h('h1', {}, 'Workflow ', h('span', {}, workflow.name));
  const fields = h('form', { class: 'card', 'aria-label': 'Workflow', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const saved = await api('PUT', path, { name: name.value.trim(), description: description.value,
        is_async: isAsync.input.checked });
      clear(heading, 'Workflow ', h('span', {}, saved.data.name));
      showProblem(fieldsError, null);
      toast('Workflow saved');
    } catch (error) {
      showProblem(fieldsError, error);
    }
  } },
  h('div', { class: 'row' }, field('Name', name), field('Description', description)), isAsync.el, fieldsError,
  h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Save'),
    h('a', { class: 'button', href: `#/run?kind=workflow&id=${id}` }, 'Run'),
    h('a', { class: 'button', href: `#/jobs?workflow_name=${encodeURIComponent(workflow.name)}` }, 'Jobs'),
    h('button', { class: 'danger', type: 'button', onclick: onDelete }, 'Delete workflow')));

  async function onDelete() {
    if (!(await confirmDialog(`Delete workflow ${workflow.name} and its steps? Jobs already started keep running.`))) return;
    try {
      await api('DELETE', path);
      toast('Workflow deleted');
      window.location.hash = '#/workflows';
    } catch (error) {
      showProblem(fieldsError, error);
    }
  }

  // --- the steps
  const stepsError = h('div');
  const list = h('ol', { class: 'steps', id: 'steps', 'aria-label': 'Steps, in order' });
  const stepsCard = h('section', { class: 'card', 'aria-labelledby': 'steps-h' },
    h('h2', { id: 'steps-h' }, 'Steps'),
    h('p', { class: 'hint' }, 'Each step’s output becomes the next step’s input as {"prompt": output}. Drag a step by its handle, or use the move buttons, to reorder.'),
    stepsError, list);

  // --- the steps as a graph (parallel branches, joins, conditions, for-each, fallbacks; a line for plain steps)
  const graphCard = h('section', { class: 'card', 'aria-labelledby': 'graph-h' });
  function showGraph() {
    const defined = mergeDefinitions(steps, workflow.steps);
    clear(graphCard, h('h2', { id: 'graph-h' }, 'Graph'),
      h('div', { class: 'graph-wrap' }, drawGraph(defined, { id: 'workflow-graph', label: `Graph of workflow ${workflow.name}`,
        describe: (step) => describeStep(step, moduleById, agentById) })),
      h('p', { class: 'actions' }, h('a', { class: 'button small', href: `#/schedules?workflow_id=${id}` }, 'Schedules')));
  }

  let dragged = null;
  function showSteps() {
    showGraph();
    if (!steps.length) {
      clear(list, h('li', { class: 'empty-step' }, empty('No steps yet', 'Add the first step below.')));
      return;
    }
    clear(list, steps.map((step, index) => {
      const target = step.type === 'agent' || step.step_type === 'agent'
        ? `agent ${agentById.get(step.agent_id)?.name || step.agent_id}`
        : `module ${moduleById.get(step.wasm_module_id)?.name || step.wasm_module_id}`;
      const targetName = step.agent_id ? agentById.get(step.agent_id)?.name : moduleById.get(step.wasm_module_id)?.name;
      const li = h('li', { draggable: 'true', 'data-step-id': step.id, 'data-target': targetName || '' },
        h('span', { class: 'handle', 'aria-hidden': 'true', title: 'Drag to reorder' }, '⠿'),
        h('span', { class: 'order' }, String(index + 1)),
        h('div', { class: 'grow' }, h('strong', {}, target),
          h('div', { class: 'muted' }, `${step.max_attempts} attempt${step.max_attempts === 1 ? '' : 's'}, timeout ${step.timeout_ms} ms`,
            step.config && Object.keys(step.config).length ? ` · config ${JSON.stringify(step.config)}` : '')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', disabled: index === 0, 'aria-label': `Move step ${index + 1} up`,
            onclick: () => move(index, index - 1) }, '↑'),
          h('button', { type: 'button', class: 'small', disabled: index === steps.length - 1,
            'aria-label': `Move step ${index + 1} down`, onclick: () => move(index, index + 1) }, '↓'),
          h('button', { type: 'button', class: 'small', onclick: () => editor.edit(step) }, 'Edit'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(step) }, 'Remove')));
      li.addEventListener('dragstart', (e) => {
        dragged = step.id;
        li.classList.add('dragging');
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', step.id);
      });
      li.addEventListener('dragend', () => { li.classList.remove('dragging'); clearMarks(); });
      li.addEventListener('dragover', (e) => {
        if (!dragged) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        const after = e.clientY > li.getBoundingClientRect().top + li.offsetHeight / 2;
        clearMarks();
        li.classList.add(after ? 'drop-after' : 'drop-before');
      });
      li.addEventListener('drop', (e) => {
        e.preventDefault();
        const from = steps.findIndex((s) => s.id === (dragged || e.dataTransfer.getData('text/plain')));
        const after = li.classList.contains('drop-after');
        clearMarks();
        dragged = null;
        if (from < 0) return;
        let to = index + (after ? 1 : 0);
        if (from < to) to -= 1;
        if (from !== to) move(from, to);
      });
      return li;
    }));
  }

  function clearMarks() {
    list.querySelectorAll('.drop-before, .drop-after').forEach((el) => el.classList.remove('drop-before', 'drop-after'));
  }

  async function move(from, to) {
    const order = steps.map((s) => s.id);
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved);
    try {
      steps = (await api('POST', `${path}/steps/reorder`, { step_ids: order })).data;
      showProblem(stepsError, null);
      showSteps();
      list.querySelector(`[data-step-id="${moved}"] .handle`)?.parentElement.querySelector('button')?.focus();
      toast('Steps reordered');
    } catch (error) {
      showProblem(stepsError, error);
    }
  }

  async function remove(step) {
    if (!(await confirmDialog('Remove this step from the workflow?', 'Remove'))) return;
    try {
      await api('DELETE', `${path}/steps/${step.id}`);
      steps = (await get(`${path}/steps`)).data;
      showSteps();
      toast('Step removed');
    } catch (error) {
      showProblem(stepsError, error);
    }
  }

  const editor = stepEditor(modules, agents, async (body, step) => {
    const answer = step
      ? await api('PUT', `${path}/steps/${step.id}`, body)
      : await api('POST', `${path}/steps`, body);
    steps = (await get(`${path}/steps`)).data;
    showSteps();
    toast(step ? 'Step saved' : 'Step added');
    return answer;
  });

  showSteps();
  main.append(heading, fields, graphCard, stepsCard, editor.el);
  return null;
}

/** The form that adds a step or edits one; `save(body, step)` sends it. */
function stepEditor(modules, agents, save) {
  const type = select([['wasm_module', 'WASM module'], ['agent', 'Agent']], { name: 'step_type' });
  const target = h('select', { name: 'target' });
  const config = h('textarea', { name: 'config', rows: 3, placeholder: '{}' });
  const configMessage = h('div', { class: 'invalid', id: 'step-config-message' });
  const readConfig = jsonObjectInput(config, configMessage);
  const policy = Object.fromEntries(POLICY.map(([key]) => [key,
    h('input', { type: 'number', name: key, step: key === 'backoff_multiplier' ? '0.1' : '1', placeholder: 'default' })]));
  const retryFailures = select([['', 'default'], ['true', 'yes'], ['false', 'no']], { name: 'retry_step_failures' });
  const errorSlot = h('div', { id: 'step-error' });
  const title = h('h2', {}, 'Add a step');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Add step');
  const cancelEdit = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  function fillTargets(selected) {
    const items = type.value === 'agent' ? agents : modules;
    clear(target, items.length ? items.map((i) => h('option', { value: i.id, selected: i.id === selected }, i.name))
      : h('option', { value: '' }, type.value === 'agent' ? 'no agents yet' : 'no modules yet'));
  }
  type.addEventListener('change', () => fillTargets());
  fillTargets();

  function reset() {
    editing = null;
    clear(title, 'Add a step');
    clear(submit, 'Add step');
    cancelEdit.hidden = true;
    config.value = '';
    Object.values(policy).forEach((input) => { input.value = ''; });
    retryFailures.value = '';
    showProblem(errorSlot, null);
  }

  const el = h('form', { class: 'card', id: 'step-form', 'aria-label': 'Step', onsubmit: async (event) => {
    event.preventDefault();
    const parsedConfig = readConfig();
    if (parsedConfig === null) return;
    if (!target.value) {
      showProblem(errorSlot, { detail: `Pick ${type.value === 'agent' ? 'an agent' : 'a module'} for the step.` });
      return;
    }
    const body = { step_type: type.value, config: parsedConfig };
    body[type.value === 'agent' ? 'agent_id' : 'wasm_module_id'] = target.value;
    for (const [key, input] of Object.entries(policy)) {
      if (input.value !== '') body[key] = Number(input.value);
    }
    if (retryFailures.value) body.retry_step_failures = retryFailures.value === 'true';
    try {
      await save(body, editing);
      reset();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  } },
  title,
  h('div', { class: 'row' }, field('Type', type), field('Runs', target)),
  field('Config (JSON object)', config, 'Merged under the step input on the module’s stdin; input wins.'), configMessage,
  h('details', {}, h('summary', {}, 'Retry and timeout'),
    h('div', { class: 'row' }, POLICY.map(([key, label, hint]) => field(label, policy[key], hint)),
      field('Retry step failures', retryFailures, '"success": false'))),
  errorSlot, h('div', { class: 'actions' }, submit, cancelEdit));

  return {
    el,
    edit(step) {
      editing = step;
      type.value = step.agent_id ? 'agent' : 'wasm_module';
      fillTargets(step.agent_id || step.wasm_module_id);
      config.value = step.config && Object.keys(step.config).length ? JSON.stringify(step.config, null, 2) : '';
      for (const [key, input] of Object.entries(policy)) input.value = step[key] ?? '';
      retryFailures.value = step.retry_step_failures === undefined ? '' : String(step.retry_step_failures);
      clear(title, `Edit step ${step.step_order}`);
      clear(submit, 'Save step');
      cancelEdit.hidden = false;
      el.querySelector('details').open = true;
      el.scrollIntoView({ block: 'start' });
      type.focus();
    },
  };
}
