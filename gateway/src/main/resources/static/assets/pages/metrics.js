// Metrics: jobs accepted and finished per minute, failed step attempts by failure kind, and each consumer group's
// lag, from GET /api/v1/metrics/summary, read again every 10 s while the page is open. Prometheus has more, per
// service, under /actuator/prometheus.
import { get } from '../api.js';
import { clear, empty, fmtTime, h, showProblem } from '../ui.js';

const REFRESH_MS = 10000;

export async function render(main) {
  const minutes = h('select', { name: 'minutes', id: 'metrics-minutes', 'aria-label': 'Window' },
    [['15', 'last 15 minutes'], ['60', 'last hour'], ['360', 'last 6 hours'], ['1440', 'last day']]
      .map(([value, label]) => h('option', { value }, label)));
  minutes.value = '60';
  const errorSlot = h('div');
  const body = h('div', { id: 'metrics-body' });
  main.append(h('h1', {}, 'Metrics'), h('div', { class: 'card row' }, minutes), errorSlot, body);

  const load = async () => {
    try {
      const summary = (await get(`/api/v1/metrics/summary?minutes=${minutes.value}`)).data;
      showProblem(errorSlot, null);
      clear(body, throughput(summary), failures(summary), lag(summary));
    } catch (error) {
      showProblem(errorSlot, error);
    }
  };
  minutes.addEventListener('change', load);
  await load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function throughput(summary) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'throughput-h' },
    h('h2', { id: 'throughput-h' }, 'Throughput (jobs per minute)'));
  if (!summary.throughput.length) {
    card.append(empty('No jobs in this window', 'Jobs accepted in the window are counted.'));
    return card;
  }
  const total = (key) => summary.throughput.reduce((sum, m) => sum + m[key], 0);
  const peak = Math.max(1, ...summary.throughput.map((m) => m.accepted));
  card.append(h('p', { class: 'hint', id: 'throughput-totals' },
    `${total('accepted')} accepted, ${total('completed')} completed, ${total('failed')} failed, `
    + `${total('cancelled')} cancelled in the last ${summary.minutes} minutes`));
  card.append(h('table', { id: 'throughput-table' },
    h('thead', {}, h('tr', {}, ['Minute', 'Accepted', '', 'Completed', 'Failed', 'Cancelled']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, summary.throughput.map((m) => h('tr', {},
      h('td', {}, fmtTime(m.minute)), h('td', {}, String(m.accepted)),
      h('td', { style: 'width: 40%' }, h('div', { class: 'meter', role: 'presentation',
        style: `width: ${Math.round((100 * m.accepted) / peak)}%` })),
      h('td', {}, String(m.completed)), h('td', {}, String(m.failed)), h('td', {}, String(m.cancelled)))))));
  return card;
}

function failures(summary) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'failures-h' },
    h('h2', { id: 'failures-h' }, 'Failed step attempts by kind'));
  if (!summary.failures_by_kind.length) {
    card.append(empty('No failed attempts', 'Of jobs accepted in the window.'));
    return card;
  }
  card.append(h('table', { id: 'failures-table' },
    h('thead', {}, h('tr', {}, ['Failure kind', 'Attempts'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, summary.failures_by_kind.map((f) => h('tr', { 'data-kind': f.failure_kind },
      h('td', {}, h('code', {}, f.failure_kind)), h('td', {}, String(f.attempts)))))));
  return card;
}

function lag(summary) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'lag-h' },
    h('h2', { id: 'lag-h' }, 'Consumer lag (records behind)'));
  if (!summary.lag.length) {
    card.append(empty('No consumer groups to watch', 'The gateway watches mule.health.required-groups.'));
    return card;
  }
  card.append(h('table', { id: 'lag-table' },
    h('thead', {}, h('tr', {}, ['Consumer group', 'Lag'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, summary.lag.map((g) => h('tr', { 'data-group': g.group },
      h('td', {}, h('code', {}, g.group)),
      h('td', {}, g.records === null ? h('span', { class: 'muted' }, g.problem) : String(g.records)))))));
  return card;
}
