// The dashboard's entry: a hash router (#/jobs/<id>) so every page is a static file the gateway serves as is.
import { clear, h, problem } from './ui.js';
import { location } from './router.js';
import * as run from './pages/run.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as workflows from './pages/workflows.js';
import * as workflow from './pages/workflow.js';
import * as schedules from './pages/schedules.js';
import * as modules from './pages/modules.js';
import * as moduleSource from './pages/module-source.js';
import * as tools from './pages/tools.js';
import * as agents from './pages/agents.js';
import * as providers from './pages/providers.js';
import * as settings from './pages/settings.js';
import * as metrics from './pages/metrics.js';

const routes = [
  [/^run$/, run, 'run'],
  [/^jobs$/, jobs, 'jobs'],
  [/^jobs\/([^/]+)$/, job, 'jobs'],
  [/^workflows$/, workflows, 'workflows'],
  [/^workflows\/([^/]+)$/, workflow, 'workflows'],
  [/^schedules$/, schedules, 'schedules'],
  [/^modules$/, modules, 'modules'],
  [/^modules\/source$/, moduleSource, 'modules'],
  [/^tools$/, tools, 'tools'],
  [/^agents$/, agents, 'agents'],
  [/^providers$/, providers, 'providers'],
  [/^metrics$/, metrics, 'metrics'],
  [/^settings$/, settings, 'settings'],
];

let dispose = null;

async function route() {
  const { path, query } = location();
  dispose?.();
  dispose = null;
  const main = document.getElementById('main');
  const match = routes.map(([re, page, nav]) => [path.match(re), page, nav]).find(([m]) => m);
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.dataset.nav === match[2]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    clear(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/run' }, 'Go to Run')));
    return;
  }
  const [m, page] = match;
  clear(main);
  try {
    dispose = (await page.render(main, { params: m.slice(1).map(decodeURIComponent), query })) || null;
  } catch (error) {
    clear(main, h('h1', {}, 'This page cannot be shown'), problem(error));
  }
  const heading = main.querySelector('h1');
  if (heading && document.activeElement === document.body) heading.setAttribute('tabindex', '-1');
  document.title = heading ? `${heading.firstChild?.textContent || heading.textContent} · Mule` : 'Mule';
}

window.addEventListener('hashchange', route);
if (!window.location.hash) history.replaceState(null, '', '#/run');
route();
