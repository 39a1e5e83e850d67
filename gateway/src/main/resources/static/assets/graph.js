// Draws a workflow as a graph (SVG, no library): nodes are steps, edges their dependencies, laid out in layers
// from the job input down. The definition format (README, "Workflow definition"): a step without `depends_on`
// depends on the previous step (the first on the job input), `depends_on: []` makes it a root, several
// dependencies make it a join; `fallback` is drawn as a dashed edge to the step that runs instead, `for_each` as a
// badge, `when` as a label. A workflow whose steps have none of these fields is a straight line.
import { h } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 184;
const NODE_H = 54;
const GAP_X = 28;
const GAP_Y = 46;
const MARGIN = 16;

/** The name a step goes by in references: its `name`, else `step_<step_order>`. */
export function stepName(step) {
  return step.name || `step_${step.step_order}`;
}

/**
 * Nodes and edges of a workflow's steps (in any order): `{nodes: [{key, name, step, fallbackOf}], edges:
 * [{from, to, dashed}]}`; a fallback is a node of its own (`<name>/fallback`). Unknown references draw no edge.
 */
export function graphModel(steps) {
  const ordered = [...steps].sort((a, b) => (a.step_order ?? 0) - (b.step_order ?? 0));
  const nodes = [];
  const edges = [];
  const known = new Set(ordered.map(stepName));
  ordered.forEach((step, index) => {
    const name = stepName(step);
    nodes.push({ key: name, name, step, fallbackOf: null });
    const deps = Array.isArray(step.depends_on) ? step.depends_on
      : index > 0 ? [stepName(ordered[index - 1])] : [];
    deps.filter((d) => known.has(d) && d !== name).forEach((d) => edges.push({ from: d, to: name, dashed: false }));
    if (step.fallback && typeof step.fallback === 'object') {
      const key = `${name}/fallback`;
      nodes.push({ key, name: `${name} fallback`, step: step.fallback, fallbackOf: name });
      edges.push({ from: name, to: key, dashed: true });
    }
  });
  return { nodes, edges };
}

/** Layer of each node: 0 for roots, else one below its deepest dependency (a cycle is cut where it closes). */
export function layers({ nodes, edges }) {
  const parents = new Map(nodes.map((n) => [n.key, []]));
  edges.filter((e) => !e.dashed).forEach((e) => parents.get(e.to)?.push(e.from));
  const depth = new Map();
  const visiting = new Set();
  const layerOf = (key) => {
    if (depth.has(key)) return depth.get(key);
    if (visiting.has(key)) return 0;
    visiting.add(key);
    const ps = parents.get(key) || [];
    const d = ps.length ? 1 + Math.max(...ps.map(layerOf)) : 0;
    visiting.delete(key);
    depth.set(key, d);
    return d;
  };
  const byFallback = new Map(nodes.filter((n) => n.fallbackOf).map((n) => [n.key, n.fallbackOf]));
  nodes.forEach((n) => { if (!n.fallbackOf) layerOf(n.key); });
  // a fallback stands beside its step: it runs instead of it, with the same input
  byFallback.forEach((of, key) => depth.set(key, depth.get(of) ?? 0));
  return depth;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => { if (v !== undefined && v !== null) el.setAttribute(k, v); });
  children.flat().forEach((c) => { if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c)); });
  return el;
}

function clip(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Positions: layers top to bottom, each ordered by where its parents stand (fewer crossings), centred. */
function positions(model, depth) {
  const rows = [];
  model.nodes.forEach((n) => {
    const d = depth.get(n.key) ?? 0;
    (rows[d] ||= []).push(n);
  });
  const x = new Map();
  const parents = new Map(model.nodes.map((n) => [n.key, []]));
  model.edges.filter((e) => !e.dashed).forEach((e) => parents.get(e.to)?.push(e.from));
  rows.forEach((row, d) => {
    if (d > 0) {
      const weight = (n) => {
        const key = n.fallbackOf || n.key;
        const ps = parents.get(key) || [];
        const base = ps.length ? ps.reduce((sum, p) => sum + (x.get(p) ?? 0), 0) / ps.length : 0;
        return base + (n.fallbackOf ? 0.5 : 0);
      };
      row.sort((a, b) => weight(a) - weight(b));
    }
    row.forEach((n, i) => x.set(n.key, i - (row.length - 1) / 2));
  });
  const widest = Math.max(1, ...rows.map((r) => (r ? r.length : 0)));
  const width = widest * NODE_W + (widest - 1) * GAP_X + 2 * MARGIN;
  const height = rows.length * NODE_H + Math.max(0, rows.length - 1) * GAP_Y + 2 * MARGIN + 14;
  const at = new Map();
  model.nodes.forEach((n) => {
    at.set(n.key, {
      x: width / 2 + x.get(n.key) * (NODE_W + GAP_X) - NODE_W / 2,
      y: MARGIN + 14 + (depth.get(n.key) ?? 0) * (NODE_H + GAP_Y),
    });
  });
  return { at, width, height };
}

/**
 * An SVG drawing of the steps. `describe(step)` gives a node's second line (what it runs); `statusOf(node)` its
 * status (a job's step status), which colours it; absent for a workflow. Each node is a `g.node` with
 * `data-step` (its name) and `data-status`.
 */
export function drawGraph(steps, { id, label, describe = () => '', statusOf = () => null } = {}) {
  const model = graphModel(steps);
  if (!model.nodes.length) return h('p', { class: 'muted', id }, 'No steps to draw yet.');
  const depth = layers(model);
  const { at, width, height } = positions(model, depth);
  const arrow = svg('marker', { id: `${id}-arrow`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'graph-arrow' }));
  const edges = model.edges.map((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) return null;
    let d;
    if (e.dashed) {
      const fromRight = b.x > a.x;
      const x1 = fromRight ? a.x + NODE_W : a.x;
      const x2 = fromRight ? b.x : b.x + NODE_W;
      d = `M${x1},${a.y + NODE_H / 2} L${x2},${b.y + NODE_H / 2}`;
    } else {
      const x1 = a.x + NODE_W / 2;
      const y1 = a.y + NODE_H;
      const x2 = b.x + NODE_W / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
    }
    return svg('path', { d, class: e.dashed ? 'graph-edge fallback' : 'graph-edge', 'marker-end': `url(#${id}-arrow)`,
      'data-from': e.from, 'data-to': e.to });
  });
  const joins = new Map();
  model.edges.filter((e) => !e.dashed).forEach((e) => joins.set(e.to, (joins.get(e.to) || 0) + 1));
  const nodes = model.nodes.map((n) => {
    const { x, y } = at.get(n.key);
    const status = statusOf(n) || '';
    const step = n.step || {};
    const forEach = step.for_each;
    const joinPolicy = joins.get(n.key) > 1 ? `join ${step.join_policy || 'fail_fast'}` : null;
    const second = [describe(step), joinPolicy].filter(Boolean).join(' · ');
    const title = [n.name, describe(step), joinPolicy, step.when ? `when ${step.when}` : null,
      forEach ? `for each ${forEach.items || ''} (concurrency ${forEach.concurrency ?? 4}, on item failure ${forEach.on_item_failure || 'fail'})` : null,
      status ? `status ${status}` : null].filter(Boolean).join('\n');
    return svg('g', { class: `node ${n.fallbackOf ? 'fallback ' : ''}${status}`, 'data-step': n.key,
      'data-status': status, transform: `translate(${x},${y})` },
    svg('title', {}, title),
    svg('rect', { width: NODE_W, height: NODE_H, rx: 8, ry: 8 }),
    svg('text', { x: 10, y: 21, class: 'node-name' }, clip(n.name, 22)),
    svg('text', { x: 10, y: 40, class: 'node-detail' }, clip(second || (status ? status : ''), 30)),
    status ? svg('circle', { cx: NODE_W - 12, cy: 12, r: 5, class: 'node-dot' }) : null,
    forEach ? svg('g', { class: 'badge-for-each', transform: `translate(${NODE_W - 104},${-10})` },
      svg('rect', { width: 78, height: 16, rx: 8, ry: 8 }),
      svg('text', { x: 39, y: 12, 'text-anchor': 'middle' }, `for each ×${forEach.concurrency ?? 4}`)) : null,
    step.when ? svg('text', { x: NODE_W / 2, y: -5, 'text-anchor': 'middle', class: 'when-label' },
      clip(`when ${step.when}`, 30)) : null);
  });
  return svg('svg', { id, class: 'graph', role: 'img', 'aria-label': label || `Graph of ${model.nodes.length} steps`,
    viewBox: `0 0 ${width} ${height}`, width, height, 'data-nodes': model.nodes.length },
  svg('defs', {}, arrow), edges, nodes);
}

/**
 * A workflow's steps as the graph needs them: GET /steps, with the definition fields GET /workflows/{id} gives
 * for each step where it gives them (by id). `get` is the API's get.
 */
export async function workflowSteps(get, workflowId) {
  const path = `/api/v1/workflows/${encodeURIComponent(workflowId)}`;
  const [workflow, steps] = await Promise.all([get(path).then((a) => a.data), get(`${path}/steps`).then((a) => a.data)]);
  return mergeDefinitions(steps, workflow?.steps);
}

/** Steps as listed, each completed with the fields its definition (same id) has and it lacks. */
export function mergeDefinitions(steps, definitions) {
  if (!Array.isArray(definitions) || !definitions.length) return steps;
  const byId = new Map(definitions.filter((d) => d && d.id).map((d) => [d.id, d]));
  return steps.map((s) => ({ ...(byId.get(s.id) || {}), ...s }));
}

/** What a step runs, in a few words: the module's or agent's name, or the sub-workflow. */
export function describeStep(step, moduleById = new Map(), agentById = new Map()) {
  const type = step.type || step.step_type;
  if (type === 'workflow') return `workflow ${step.config?.workflow_id ? String(step.config.workflow_id).slice(0, 8) : ''}`;
  if (type === 'agent' || step.agent_id) return `agent ${agentById.get(step.agent_id)?.name || String(step.agent_id || '').slice(0, 8)}`;
  if (step.wasm_module_id) return `module ${moduleById.get(step.wasm_module_id)?.name || String(step.wasm_module_id).slice(0, 8)}`;
  return type || '';
}
