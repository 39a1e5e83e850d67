// A job: what it ran, its input and output, each step's input/output/error/attempts/timings, cancel; live.
import { api, get, getAll } from '../api.js';
import { applyEvent, isTerminal, watchJob } from '../live.js';
import { describeStep, drawGraph, workflowSteps } from '../graph.js';
import {
  badge, between, byId, clear, confirmDialog, empty, fmtMillis, fmtTime, h, json, outputText, pre, showProblem, toast,
} from '../ui.js';

export async function render(main, { params: [id] }) {
  const job = (await get(`/api/v1/jobs/${encodeURIComponent(id)}`)).data;
  const steps = new Map();
  const loadSteps = async () => {
    const stored = (await get(`/api/v1/jobs/${encodeURIComponent(id)}/steps`)).data;
    for (const s of stored) {
      const known = steps.get(s.step_index);
      // the stored row can trail the events; keep whichever is further along
      if (!known || (s.attempt || 0) > (known.attempt || 0) || isTerminal(s.status) || !isTerminal(known.status)) {
        steps.set(s.step_index, { ...known, ...s });
      }
    }
  };
  await loadSteps();
  // the graph is drawn from the workflow's definition as it is now; a job whose workflow is gone (or a module or
  // agent run directly) is drawn from its own steps, as a line
  const definition = job.workflow_id ? await workflowSteps(get, job.workflow_id).catch(() => null) : null;
  const [modules, agents] = definition ? await Promise.all([getAll('/api/v1/wasm-modules').catch(() => []),
    getAll('/api/v1/agents').catch(() => [])]) : [[], []];
  const moduleById = byId(modules);
  const agentById = byId(agents);

  const status = h('span', { id: 'job-status' });
  const live = h('span', { class: 'live off', id: 'job-live' }, '○ not live');
  const cancel = h('button', { class: 'danger', type: 'button', id: 'job-cancel', onclick: onCancel }, 'Cancel job');
  const errorSlot = h('div');
  const facts = h('div', { class: 'card' });
  const io = h('div', { class: 'grid2' });
  const stepsEl = h('section', { 'aria-labelledby': 'steps-heading' });
  const graphCard = h('section', { class: 'card', 'aria-labelledby': 'job-graph-h' });
  main.append(h('h1', {}, 'Job ', h('code', {}, id), status, live),
    h('p', { class: 'actions' }, h('a', { href: '#/jobs' }, '← All jobs'), cancel), errorSlot, facts, graphCard, io,
    stepsEl);

  /** The job's step shown as a graph node: matched by workflow step id, else by order. */
  function jobStepOf(step) {
    const all = [...steps.values()];
    return all.find((s) => step.id && s.workflow_step_id === step.id)
      || all.find((s) => s.step_order === step.step_order && (!step.id || !s.workflow_step_id));
  }

  function showGraph() {
    const drawn = definition && definition.length ? definition
      : [...steps.values()].sort((a, b) => a.step_index - b.step_index)
        .map((s) => ({ id: s.workflow_step_id, step_order: s.step_order }));
    const nodes = drawn.length ? drawn : [{ step_order: 1, name: job.workflow_name || 'step_1' }];
    clear(graphCard, h('h2', { id: 'job-graph-h' }, 'Graph'),
      h('div', { class: 'graph-wrap' }, drawGraph(nodes, { id: 'job-graph', label: `Graph of job ${id} by step status`,
        describe: (step) => describeStep(step, moduleById, agentById),
        statusOf: (node) => (node.fallbackOf ? null : jobStepOf(node.step)?.status
          || (isTerminal(job.status) ? 'not_run' : 'pending')) })));
  }

  const openSteps = new Set();
  function show() {
    clear(status, badge(job.status));
    cancel.hidden = isTerminal(job.status);
    const target = job.workflow_name
      ? h('a', { href: job.workflow_id ? `#/workflows/${job.workflow_id}` : '#/workflows' }, job.workflow_name)
      : job.wasm_module_id ? `WASM module ${job.wasm_module_id}` : job.agent_id ? `agent ${job.agent_id}` : '—';
    clear(facts, h('dl', { class: 'facts' },
      h('dt', {}, 'Runs'), h('dd', {}, target),
      h('dt', {}, 'Source'), h('dd', {}, job.source || 'api'),
      job.schedule_id ? [h('dt', {}, 'Schedule'), h('dd', { id: 'job-schedule' },
        h('a', { href: `#/schedules?id=${job.schedule_id}` }, job.schedule_id.slice(0, 8)),
        ` for the slot of ${fmtTime(job.schedule_slot)}`)] : null,
      h('dt', {}, 'Created'), h('dd', {}, fmtTime(job.created_at)),
      h('dt', {}, 'Started'), h('dd', {}, fmtTime(job.started_at)),
      h('dt', {}, 'Ended'), h('dd', {}, fmtTime(job.completed_at)),
      h('dt', {}, 'Took'), h('dd', {}, fmtMillis(between(job.started_at || job.created_at, job.completed_at))),
      job.working_directory ? [h('dt', {}, 'Working directory'), h('dd', {}, job.working_directory)] : null));
    clear(io,
      h('section', { class: 'card' }, h('h2', {}, 'Input'), pre(job.input_data, { id: 'job-input' })),
      h('section', { class: 'card' }, h('h2', {}, job.error_message ? 'Error' : 'Output'),
        job.error_message
          ? h('div', { class: 'problem', id: 'job-error' }, job.error_message)
          : job.output_data ? h('pre', { id: 'job-output' }, outputText(job.output_data))
            : h('p', { class: 'muted' }, isTerminal(job.status) ? 'No output.' : 'Not yet.')));
    showGraph();
    const ordered = [...steps.values()].sort((a, b) => a.step_index - b.step_index);
    clear(stepsEl, h('h2', { id: 'steps-heading' }, `Steps (${ordered.length})`),
      ordered.length ? ordered.map(stepView)
        : empty(isTerminal(job.status) ? 'No step ran' : 'No step has started yet', 'Steps appear here as they start.'));
  }

  function stepView(step) {
    const took = step.duration_micros !== null && step.duration_micros !== undefined
      ? step.duration_micros / 1000 : between(step.started_at, step.completed_at);
    const details = h('details', { class: 'step', open: openSteps.has(step.step_index),
      'data-step-order': step.step_order, ontoggle: () => {
        if (details.open) openSteps.add(step.step_index); else openSteps.delete(step.step_index);
      } },
    h('summary', {}, h('strong', {}, `Step ${step.step_order}`), badge(step.status),
      h('span', { class: 'muted' }, `attempt ${step.attempt || 1}`), h('span', { class: 'muted' }, fmtMillis(took))),
    h('div', {},
      h('dl', { class: 'facts' }, h('dt', {}, 'Started'), h('dd', {}, fmtTime(step.started_at)),
        h('dt', {}, 'Ended'), h('dd', {}, fmtTime(step.completed_at))),
      h('h3', {}, 'Input'), pre(step.input_data, { class: 'step-input' }),
      h('h3', {}, 'Output'), step.output_data !== null && step.output_data !== undefined
        ? pre(step.output_data, { class: 'step-output' }) : h('p', { class: 'muted' }, '—'),
      step.error_message ? [h('h3', {}, 'Error'), h('div', { class: 'problem step-error' }, json(step.error_message))] : null,
      // what a WASM module wrote; absent for agent steps and steps without a result
      step.stdout ? [h('h3', {}, 'stdout'), h('pre', { class: 'step-stdout' }, step.stdout)] : null,
      step.stderr ? [h('h3', {}, 'stderr'), h('pre', { class: 'step-stderr' }, step.stderr)] : null));
    return details;
  }

  async function onCancel() {
    if (!(await confirmDialog(`Cancel job ${id}? Its current step is interrupted.`, 'Cancel job'))) return;
    try {
      const answer = await api('DELETE', `/api/v1/jobs/${encodeURIComponent(id)}`);
      if (answer?.data && !isTerminal(job.status)) Object.assign(job, answer.data);
      toast('Cancel requested');
      show();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  show();
  let refreshed = false;
  const stop = watchJob(id, {
    onLive: (on) => {
      live.className = on ? 'live' : 'live off';
      clear(live, on ? '● live' : isTerminal(job.status) ? '' : '○ reconnecting');
    },
    onSnapshot: (stored) => {
      if (!isTerminal(job.status) || isTerminal(stored.status)) Object.assign(job, stored);
      show();
    },
    onEvent: (type, event) => {
      applyEvent(job, steps, type, event);
      show();
      if (isTerminal(job.status) && !refreshed) {
        refreshed = true;
        // the job status writer stores the end a moment after the event: read the stored timings once then
        setTimeout(async () => {
          try {
            const stored = (await get(`/api/v1/jobs/${encodeURIComponent(id)}`)).data;
            if (isTerminal(stored.status)) Object.assign(job, stored);
            await loadSteps();
            show();
          } catch (error) {
            // the page already shows the end from the event
          }
        }, 700);
      }
    },
    onError: (error) => showProblem(errorSlot, error),
    catchUp: async () => {
      const stored = (await get(`/api/v1/jobs/${encodeURIComponent(id)}`)).data;
      if (!isTerminal(job.status) || isTerminal(stored.status)) Object.assign(job, stored);
      await loadSteps();
      // the job row and its step rows are written one after the other: a started step means a running job
      if (job.status === 'queued' && steps.size > 0) job.status = 'running';
      show();
      return isTerminal(job.status) || (stored.status !== 'queued' && steps.size > 0);
    },
  });
  return stop;
}
