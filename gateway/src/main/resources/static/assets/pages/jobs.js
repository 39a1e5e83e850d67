// Jobs: filters (status, workflow, search), pages, and live status of every job on screen from one stream of every
// job's events (GET /api/v1/jobs/events, fed by Kafka, no polling); a job that starts while page 1 is shown appears on it.
import { get, getAll } from '../api.js';
import { replaceQuery } from '../router.js';
import { applyEvent, isTerminal, watchAllJobs } from '../live.js';
import { badge, between, clear, empty, field, fmtMillis, fmtTime, h, select, shortId, showProblem } from '../ui.js';

const STATUSES = ['', 'queued', 'running', 'completed', 'failed', 'cancelled'];
const STATUS_RANK = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };
// The stored rows trail the events by the job status writer's delay: unfinished rows are read once more this much
// after a load, so a job that started just before the page subscribed does not look queued until its next event.
const CATCH_UP_MS = 1000;

export async function render(main, { query }) {
  const state = {
    status: query.get('status') || '',
    workflow_name: query.get('workflow_name') || '',
    search: query.get('search') || '',
    page: Number(query.get('page')) || 1,
    page_size: Number(query.get('page_size')) || 20,
  };
  // what is on screen: the rows by job id, the table body and pager, and the answer they came from
  const rows = new Map();
  let table = null;
  // events that came while the list was being read (applied to what it shows), and those of new jobs being read
  let pending = null;
  const fetching = new Map();

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
  const live = h('span', { class: 'live off', id: 'jobs-live' }, '○ not live');

  const filters = h('form', { class: 'card row', role: 'search', 'aria-label': 'Filter jobs',
    onsubmit: (e) => { e.preventDefault(); state.page = 1; load(); } },
  field('Status', status), field('Workflow', workflow), field('Search', search), field('Per page', pageSize),
  h('div', { class: 'field button-field' }, refresh));
  for (const control of [status, workflow, pageSize]) {
    control.addEventListener('change', () => { state.page = 1; load(); });
  }

  main.append(h('h1', {}, 'Jobs ', live), filters, errorSlot, list);

  let loads = 0;
  async function load() {
    // filters can change faster than answers come back: only the answer to the latest request is shown
    const ticket = ++loads;
    pending = pending || [];
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
      if (answer.data.some((job) => !isTerminal(job.status))) setTimeout(() => catchUp(ticket, params), CATCH_UP_MS);
    } catch (error) {
      if (ticket === loads) showProblem(errorSlot, error);
    } finally {
      if (ticket === loads) {
        const missed = pending;
        pending = null;
        missed.forEach(([type, event]) => onJobEvent(type, event));
      }
    }
  }

  function show(answer) {
    rows.clear();
    table = null;
    if (!answer.data.length) {
      const filtered = state.status || state.workflow_name || state.search;
      clear(list, filtered
        ? empty('No job matches these filters', 'Change or clear the filters.')
        : empty('No jobs yet', 'Jobs appear here as soon as something runs.',
          h('a', { class: 'button', href: '#/run' }, 'Run something')));
      return;
    }
    const shown = answer.data.map((job) => jobRow(job));
    shown.forEach((r) => rows.set(r.job.id, r));
    table = { answer, body: h('tbody', {}, shown.map((r) => r.el)), pager: pager(answer) };
    clear(list, h('div', { class: 'card' },
      h('table', {}, h('thead', {}, h('tr', {}, ['Job', 'Runs', 'Status', 'Created', 'Duration', 'Error']
        .map((t) => h('th', { scope: 'col' }, t)))), table.body),
      table.pager));
  }

  /** One event of any job: a row on screen follows it; a job that starts may join page 1. */
  function onJobEvent(type, event) {
    if (pending) {
      pending.push([type, event]);
      return;
    }
    const waiting = fetching.get(event.job_id);
    if (waiting) {
      waiting.push([type, event]);
      return;
    }
    const row = rows.get(event.job_id);
    if (row) {
      applyEvent(row.job, new Map(), type, event);
      row.update(row.job);
    } else if (type === 'job_started' && state.page === 1) {
      addNewJob(event);
    }
  }

  /** Reads a job that just started (one GET: the event has no row fields) and puts it on top if the filters let it. */
  async function addNewJob(started) {
    const id = started.job_id;
    const ticket = loads;
    fetching.set(id, [['job_started', started]]);
    let job = null;
    try {
      job = (await get(`/api/v1/jobs/${encodeURIComponent(id)}`)).data;
    } catch (error) {
      // gone, or the gateway cannot be reached: the next load shows whatever is there
    }
    const missed = fetching.get(id) || [];
    fetching.delete(id);
    if (!job) return;
    // the list may have been read again meanwhile: it decided whether the job is on it
    let row = rows.get(id);
    if (!row) {
      if (ticket !== loads || state.page !== 1) return;
      missed.forEach(([type, event]) => applyEvent(job, new Map(), type, event));
      if (matchesFilters(job)) prepend(job);
      return;
    }
    missed.forEach(([type, event]) => applyEvent(row.job, new Map(), type, event));
    row.update(row.job);
  }

  /** The list's own filters, as the API applies them. */
  function matchesFilters(job) {
    const term = state.search.toLowerCase();
    return (!state.status || job.status === state.status)
      && (!state.workflow_name || job.workflow_name === state.workflow_name)
      && (!term || (job.workflow_name || '').toLowerCase().includes(term) || job.id.startsWith(term));
  }

  function prepend(job) {
    if (!table) {
      show({ data: [job], page: 1, total_pages: 1, total_count: 1, page_size: state.page_size });
      return;
    }
    const row = jobRow(job);
    rows.set(job.id, row);
    table.body.prepend(row.el);
    while (rows.size > state.page_size && table.body.lastElementChild) {
      rows.delete(table.body.lastElementChild.dataset.jobId);
      table.body.lastElementChild.remove();
    }
    const answer = table.answer;
    answer.total_count += 1;
    answer.total_pages = Math.max(1, Math.ceil(answer.total_count / state.page_size));
    const next = pager(answer);
    table.pager.replaceWith(next);
    table.pager = next;
  }

  /** Reads the page once more and takes the stored status of rows that the store shows further along. */
  async function catchUp(ticket, params) {
    if (ticket !== loads) return;
    try {
      const answer = await get(`/api/v1/jobs?${params}`);
      if (ticket !== loads) return;
      for (const stored of answer.data) {
        const row = rows.get(stored.id);
        if (row && STATUS_RANK[stored.status] > STATUS_RANK[row.job.status]) row.update(Object.assign(row.job, stored));
      }
    } catch (error) {
      // the rows keep what the events said
    }
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

  // subscribed before the first read: a job that starts in between is on the page or arrives as an event
  const stop = watchAllJobs({
    onEvent: onJobEvent,
    onLive: (on) => {
      live.className = on ? 'live' : 'live off';
      clear(live, on ? '● live' : '○ reconnecting');
    },
    // events may have been missed while the stream was down: read the page again
    onReopen: () => load(),
    onError: () => clear(live, '○ not live'),
  });
  await load();
  return stop;
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
