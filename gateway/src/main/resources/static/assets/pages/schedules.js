// Schedules: every schedule (or one workflow's, ?workflow_id=) with its next slot and last run; create, edit,
// pause/resume (the `enabled` flag), delete, and each schedule's last runs with the jobs they started.
import { api, get, getAll } from '../api.js';
import { replaceQuery } from '../router.js';
import {
  byId, checkbox, clear, confirmDialog, empty, field, fmtTime, h, jsonObjectInput, select, shortId, showProblem, toast,
} from '../ui.js';

const EXAMPLES = '0 7 * * * = every day at 07:00 · */15 * * * * = every 15 minutes · 0 9 * * 1-5 = weekdays at 09:00';

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch (e) {
    return ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Tokyo'];
  }
}

function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (e) {
    return 'UTC';
  }
}

export async function render(main, { query }) {
  const workflowFilter = query.get('workflow_id') || '';
  const highlight = query.get('id') || '';
  const workflows = await getAll('/api/v1/workflows');
  const workflowById = byId(workflows);
  const errorSlot = h('div');
  const list = h('section', { class: 'card', 'aria-label': 'Schedules', id: 'schedules-list' });
  const filter = select([['', 'every workflow'], ...workflows.map((w) => [w.id, w.name])],
    { name: 'workflow_id', id: 'filter-schedule-workflow' });
  filter.value = workflowFilter;
  filter.addEventListener('change', () => {
    replaceQuery({ workflow_id: filter.value });
    load();
  });

  async function load() {
    try {
      const path = filter.value ? `/api/v1/schedules?workflow_id=${encodeURIComponent(filter.value)}` : '/api/v1/schedules';
      showList(await getAll(path));
      showProblem(errorSlot, null);
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  function showList(schedules) {
    if (!schedules.length) {
      clear(list, empty('No schedules yet', 'Create one below: a workflow, a cron expression and a time zone.'));
      return;
    }
    clear(list, h('table', { id: 'schedules-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Workflow', 'When', 'Missed runs', 'Next slot', 'Last run', 'Enabled', '']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, schedules.map(row))));
    if (highlight) list.querySelector(`[data-schedule-id="${CSS.escape(highlight)}"] button.runs`)?.click();
  }

  function row(s) {
    const runsRow = h('tr', { class: 'runs-row', hidden: true }, h('td', { colspan: 8 }, h('div', { class: 'runs' })));
    const lastRun = s.last_slot
      ? [fmtTime(s.last_slot), ' ', s.last_job_id ? h('a', { href: `#/jobs/${s.last_job_id}` }, `job ${shortId(s.last_job_id)}`)
        : h('span', { class: 'badge failed', title: s.last_error || '' }, 'refused')]
      : h('span', { class: 'muted' }, 'never');
    const tr = h('tr', { 'data-schedule-id': s.id, 'data-schedule': s.name || s.id },
      h('td', {}, s.name || h('span', { class: 'muted' }, shortId(s.id))),
      h('td', {}, h('a', { href: `#/workflows/${s.workflow_id}` }, s.workflow_name || shortId(s.workflow_id))),
      h('td', {}, h('code', {}, s.cron), h('div', { class: 'muted' }, s.time_zone)),
      h('td', {}, s.missed_runs),
      h('td', { class: 'num next-fire' }, s.enabled ? fmtTime(s.next_fire_at) : h('span', { class: 'muted' }, 'paused')),
      h('td', { class: 'last-run' }, lastRun),
      h('td', {}, h('button', { type: 'button', class: 'small toggle', 'aria-pressed': String(s.enabled),
        onclick: () => toggle(s) }, s.enabled ? 'Pause' : 'Resume')),
      h('td', {}, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'small runs', 'aria-expanded': 'false', onclick: (e) => runs(s, runsRow, e.currentTarget) }, 'Runs'),
        h('button', { type: 'button', class: 'small', onclick: () => editor.edit(s) }, 'Edit'),
        h('button', { type: 'button', class: 'small danger', onclick: () => remove(s) }, 'Delete'))));
    return [tr, runsRow];
  }

  async function runs(s, runsRow, button) {
    const open = runsRow.hidden;
    runsRow.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (!open) return;
    const box = runsRow.querySelector('.runs');
    clear(box, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const answer = (await get(`/api/v1/schedules/${s.id}/runs?limit=10`)).data;
      clear(box, answer.length ? h('table', { class: 'schedule-runs' },
        h('thead', {}, h('tr', {}, ['Slot', 'Job', 'Slots', 'Fired'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, answer.map((r) => h('tr', {},
          h('td', { class: 'num' }, fmtTime(r.slot)),
          h('td', {}, r.job_id ? h('a', { href: `#/jobs/${r.job_id}` }, shortId(r.job_id))
            : h('span', { class: 'problem-inline' }, `refused: ${r.error || ''}`)),
          h('td', { class: 'num' }, r.slots > 1 ? `${r.slots} (missed slots run once)` : '1'),
          h('td', { class: 'num' }, fmtTime(r.fired_at))))))
        : h('p', { class: 'muted' }, 'No slot fired yet.'));
    } catch (error) {
      showProblem(box, error);
    }
  }

  async function toggle(s) {
    try {
      await api('PUT', `/api/v1/schedules/${s.id}`, { enabled: !s.enabled });
      toast(s.enabled ? 'Schedule paused' : 'Schedule resumed');
      await load();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  async function remove(s) {
    if (!(await confirmDialog(`Delete schedule ${s.name || shortId(s.id)}? Jobs it started keep running.`))) return;
    try {
      await api('DELETE', `/api/v1/schedules/${s.id}`);
      toast('Schedule deleted');
      await load();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  }

  const editor = scheduleEditor(workflows, workflowFilter, async (body, editing) => {
    if (editing) await api('PUT', `/api/v1/schedules/${editing.id}`, body);
    else await api('POST', '/api/v1/schedules', body);
    toast(editing ? 'Schedule saved' : 'Schedule created');
    await load();
  });

  main.append(h('h1', {}, 'Schedules'),
    h('form', { class: 'card row', 'aria-label': 'Filter schedules', onsubmit: (e) => e.preventDefault() },
      field('Workflow', filter)),
    errorSlot, list, editor.el);
  await load();
  if (!workflows.length) {
    showProblem(editor.errorSlot, { detail: 'Create a workflow first: a schedule starts a workflow.' });
  }
  return null;
}

/** The form that creates a schedule or edits one; `save(body, schedule)` sends it. */
function scheduleEditor(workflows, preselected, save) {
  const workflow = select(workflows.map((w) => [w.id, w.name]), { name: 'workflow_id', id: 'schedule-workflow' });
  if (preselected) workflow.value = preselected;
  const name = h('input', { type: 'text', name: 'name', id: 'schedule-name', maxlength: 200, placeholder: 'e.g. morning digest' });
  const cron = h('input', { type: 'text', name: 'cron', id: 'schedule-cron', required: true, maxlength: 200,
    placeholder: '0 7 * * *', spellcheck: 'false', autocomplete: 'off' });
  const zoneList = h('datalist', { id: 'schedule-zones' }, zones().map((z) => h('option', { value: z })));
  const zone = h('input', { type: 'text', name: 'time_zone', id: 'schedule-zone', required: true, list: 'schedule-zones',
    value: localZone(), autocomplete: 'off' });
  const missed = select([['skip', 'skip: slots missed while Mule was down start nothing'],
    ['run_once', 'run_once: one job for all missed slots']], { name: 'missed_runs', id: 'schedule-missed' });
  const input = h('textarea', { name: 'input_data', id: 'schedule-input', rows: 3, placeholder: '{"prompt": "..."}' });
  const inputMessage = h('div', { class: 'invalid' });
  const readInput = jsonObjectInput(input, inputMessage);
  const enabled = checkbox('Enabled', { name: 'enabled', checked: true, id: 'schedule-enabled' });
  const errorSlot = h('div', { id: 'schedule-error' });
  const title = h('h2', {}, 'New schedule');
  const submit = h('button', { class: 'primary', type: 'submit', id: 'schedule-save' }, 'Create schedule');
  const cancelEdit = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');
  let editing = null;

  function reset() {
    editing = null;
    clear(title, 'New schedule');
    clear(submit, 'Create schedule');
    cancelEdit.hidden = true;
    name.value = '';
    cron.value = '';
    input.value = '';
    missed.value = 'skip';
    enabled.input.checked = true;
    showProblem(errorSlot, null);
  }

  const el = h('form', { class: 'card', id: 'schedule-form', 'aria-label': 'Schedule', onsubmit: async (event) => {
    event.preventDefault();
    const inputData = readInput();
    if (inputData === null) return;
    const body = { workflow_id: workflow.value, name: name.value, cron: cron.value.trim(), time_zone: zone.value.trim(),
      missed_runs: missed.value, input_data: inputData, enabled: enabled.input.checked };
    try {
      await save(body, editing);
      reset();
    } catch (error) {
      showProblem(errorSlot, error);
    }
  } },
  title,
  h('div', { class: 'row' }, field('Workflow', workflow), field('Name', name)),
  h('div', { class: 'row' },
    field('Cron (minute hour day month weekday)', cron, EXAMPLES),
    field('Time zone', zone, 'An IANA zone; slots follow its daylight saving time.')),
  zoneList,
  field('Missed runs', missed, 'A slot more than a minute late counts as missed.'),
  field('Input (JSON object)', input, 'Every job of the schedule gets this input.'), inputMessage,
  enabled.el, errorSlot, h('div', { class: 'actions' }, submit, cancelEdit));

  return {
    el,
    errorSlot,
    edit(s) {
      editing = s;
      workflow.value = s.workflow_id;
      name.value = s.name || '';
      cron.value = s.cron;
      zone.value = s.time_zone;
      missed.value = s.missed_runs;
      input.value = s.input_data && Object.keys(s.input_data).length ? JSON.stringify(s.input_data, null, 2) : '';
      enabled.input.checked = s.enabled;
      clear(title, `Edit schedule ${s.name || shortId(s.id)}`);
      clear(submit, 'Save schedule');
      cancelEdit.hidden = false;
      el.scrollIntoView({ block: 'start' });
      cron.focus();
    },
  };
}
