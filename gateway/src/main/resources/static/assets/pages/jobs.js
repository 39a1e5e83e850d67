// Jobs: filters (status, workflow, search), pages, and live status of the jobs on screen via their event streams.
import { get, getAll } from '../api.js';
import { replaceQuery } from '../router.js';
import { applyEvent, isTerminal, watchJob } from '../live.js';
import { badge, between, clear, empty, field, fmtMillis, fmtTime, h, select, shortId, showProblem } from '../ui.js';

const STATUSES = ['', 'queued', 'running', 'completed', 'failed', 'cancelled'];
const LIVE_LIMIT = 25;

export async function render(main, { query }) {
  const state = {
    status: query.get('status') || '',
    workflow_name: query.get('workflow_name') || '',
    search: query.get('search') || '',
    page: Number(query.get('page')) || 1,
    page_size: Number(query.get('page_size')) || 20,
  };
  const watchers = new Map();
  const stopAll = () => {
    watchers.forEach((stop) => stop());
    watchers.clear();
  };

  const workflows = await getAll('/api/v1/workflows').catch(() => []);
  const status = select(STATUSES.map((s) => [s, s || 'any status']), { name: 'status', id: 'filter-status' });
  status.value = state.status;
  const workflow = select([['', 'any workflow'], ...workflows.map((w) => [w.name, w.name])],
    { name: 'workflow_name', id: 'filter-workflow' });
  workflow.value = state.workflow_name;
  const search = h('input', { type: 'search', name: 'search', id: 'filter-search', value: state.search,
    placeholder: 'workflow name or job id' });
  const pageSize = select([['10', '10'], ['20', '20'], ['50', '50'], ['100', '100']], { name: 'page_size' });
  pageSize.value = String(state.page_size);
  const refresh = h('button', { type: 'submit', class: 'primary' }, 'Apply');
  const errorSlot = h('div');
  const list = h('div', { id: 'jobs-list' });

  const filters = h('form', { class: 'card row', role: 'search', 'aria-label': 'Filter jobs',
    onsubmit: (e) => { e.preventDefault(); state.page = 1; load(); } },
  field('Status', status), field('Workflow', workflow), field('Search', search), field('Per page', pageSize),
  h('div', { class: 'field button-field' }, refresh));
  for (const control of [status, workflow, pageSize]) {
    control.addEventListener('change', () => { state.page = 1; load(); });
  }

  main.append(h('h1', {}, 'Jobs'), filters, errorSlot, list);

  let loads = 0;
  async function load() {
    // filters can change faster than answers come back: only the answer to the latest request is shown
    const ticket = ++loads;
    Object.assign(state, { status: status.value, workflow_name: workflow.value, search: search.value.trim(),
      page_size: Number(pageSize.value) });
    replaceQuery({ status: state.status, workflow_name: state.workflow_name, search: state.search,
      page: state.page > 1 ? state.page : '', page_size: state.page_size !== 20 ? state.page_size : '' });
    const params = new URLSearchParams({ page: state.page, page_size: state.page_size });
    for (const key of ['status', 'workflow_name', 'search']) {
      if (state[key]) params.set(key, state[key]);
    }
    try {
      const answer = await get(`/api/v1/jobs?${params}`);
      if (ticket !== loads) return;
      showProblem(errorSlot, null);
      show(answer);
    } catch (error) {
      if (ticket === loads) showProblem(errorSlot, error);
    }
  }

  function show(answer) {
    stopAll();
    if (!answer.data.length) {
      const filtered = state.status || state.workflow_name || state.search;
      clear(list, filtered
        ? empty('No job matches these filters', 'Change or clear the filters.')
        : empty('No jobs yet', 'Jobs appear here as soon as something runs.',
          h('a', { class: 'button', href: '#/run' }, 'Run something')));
      return;
    }
    const rows = answer.data.map((job) => jobRow(job));
    clear(list, h('div', { class: 'card' },
      h('table', {}, h('thead', {}, h('tr', {}, ['Job', 'Runs', 'Status', 'Created', 'Duration', 'Error']
        .map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows.map((r) => r.el))),
      pager(answer)));
    // Each job still under way on this page is followed on its own event stream: no polling.
    rows.filter((r) => !isTerminal(r.job.status)).slice(0, LIVE_LIMIT).forEach((r) => {
      const steps = new Map();
      watchers.set(r.job.id, watchJob(r.job.id, {
        onSnapshot: (stored) => r.update(Object.assign(r.job, stored)),
        onEvent: (type, event) => { applyEvent(r.job, steps, type, event); r.update(r.job); },
        catchUp: async () => {
          const stored = (await get(`/api/v1/jobs/${r.job.id}`)).data;
          if (!isTerminal(r.job.status) || isTerminal(stored.status)) r.update(Object.assign(r.job, stored));
          return stored.status !== 'queued';
        },
      }));
    });
  }

  function pager(answer) {
    const last = Math.max(1, answer.total_pages);
    const go = (page) => { state.page = page; load(); };
    return h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('span', { class: 'muted', id: 'jobs-count' }, `${answer.total_count} job${answer.total_count === 1 ? '' : 's'}`),
      h('button', { type: 'button', disabled: answer.page <= 1, onclick: () => go(answer.page - 1) }, '← Previous'),
      h('span', {}, `Page ${answer.page} of ${last}`),
      h('button', { type: 'button', disabled: answer.page >= last, onclick: () => go(answer.page + 1) }, 'Next →'));
  }

  await load();
  return stopAll;
}

function jobRow(job) {
  const cells = {
    status: h('td'), duration: h('td', { class: 'num' }), error: h('td', { class: 'muted' }),
  };
  const el = h('tr', { 'data-job-id': job.id },
    h('td', {}, h('a', { href: `#/jobs/${job.id}` }, h('code', {}, shortId(job.id)))),
    h('td', {}, job.workflow_name || (job.wasm_module_id ? 'WASM module' : job.agent_id ? 'agent' : '—')),
    cells.status, h('td', { class: 'num' }, fmtTime(job.created_at)), cells.duration, cells.error);
  const update = (j) => {
    clear(cells.status, badge(j.status));
    clear(cells.duration, fmtMillis(between(j.started_at || j.created_at, j.completed_at)));
    clear(cells.error, (j.error_message || '').slice(0, 120));
  };
  update(job);
  return { el, job, update };
}
