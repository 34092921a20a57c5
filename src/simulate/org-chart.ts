/**
 * The org chart as a heat map of utilisation, as an ECharts tree. A small organisation is drawn
 * whole, top-down; a large one would be one label per agent (hundreds overlapping into a grey
 * band), so it shows the busiest agents with the chains above them, left to right with a row per
 * leaf, and folds every other agent under a shown manager into one "+n others" node coloured by
 * their mean — and says so in the chart's title.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentReport, SimulationReport } from './report.js';
import { shownEscaped } from '../show.js';

/** Organisations up to this many agents are drawn whole; larger ones show this many of the busiest. */
export const ORG_CHART_AGENTS = 24;
/** Height of one row (one leaf) of a large organisation's chart, in px. */
const ROW = 18;

type TreeNode = { name: string; value: number; itemStyle: object; children: TreeNode[]; label?: object };

/** The chart's options and the height it needs (`minHeight` at least). */
export function orgChartOption(report: SimulationReport, hierarchy: Hierarchy, minHeight: number): { option: Record<string, unknown>; height: number } {
  const byId = new Map(report.agents.map((agent) => [agent.id, agent]));
  const node = (name: string, utilisation: number, children: TreeNode[]): TreeNode => ({ name: shownEscaped(name), value: Math.round(utilisation * 100), itemStyle: { color: heat(utilisation), borderColor: '#555' }, children });
  const title = { text: 'Org chart by utilisation (%)', left: 'center', textStyle: { fontSize: 14 } };
  if (hierarchy.size <= ORG_CHART_AGENTS) {
    const tree = (id: string): TreeNode => node(id, byId.get(id)!.utilisation, hierarchy.get(id).childIds.map(tree));
    const depth = report.agents.reduce((deepest, agent) => Math.max(deepest, agent.level), 0);
    return {
      option: chart(title, tree(hierarchy.root.id), { orient: 'TB', top: 50, bottom: 70, left: 40, right: 40, label: { position: 'bottom', distance: 4, fontSize: 10, formatter: (params: { name: string; value: number }) => `${params.name}\n${params.value} %` }, leaves: { label: { position: 'bottom' } } }),
      height: Math.max(minHeight, 120 * (depth + 1)),
    };
  }
  // The busiest agents that worked: an idle one is no busier than the others folded beside it.
  const busiest = report.agents.filter((agent) => agent.utilisation > 0).sort((a, b) => b.utilisation - a.utilisation || (a.id < b.id ? -1 : 1)).slice(0, ORG_CHART_AGENTS);
  const shown = new Set<string>([hierarchy.root.id]);
  for (const agent of busiest) for (const ancestor of hierarchy.pathToRoot(agent.id)) shown.add(ancestor.id);
  // Rows as ECharts spaces leaves: one between siblings, two between cousins.
  const parents: string[] = [];
  const tree = (id: string): TreeNode => {
    const children = hierarchy.get(id).childIds;
    const kept = children.filter((child) => shown.has(child)).map(tree);
    const folded = children.filter((child) => !shown.has(child)).flatMap((child) => hierarchy.subtree(child).map((agent) => byId.get(agent.id)!));
    if (folded.length > 0) {
      kept.push({ ...node(`+${folded.length} others`, mean(folded), []), label: { formatter: '{b}  {c} % mean' } });
      parents.push(id);
    }
    if (children.length === 0) parents.push(hierarchy.get(id).parentId ?? id);
    return node(id, byId.get(id)!.utilisation, kept);
  };
  const root = tree(hierarchy.root.id);
  const rows = parents.reduce((sum, parent, index) => sum + (index === 0 ? 1 : parent === parents[index - 1] ? 1 : 2), 0);
  const which = busiest.length === ORG_CHART_AGENTS ? `the ${ORG_CHART_AGENTS} busiest` : `the ${busiest.length} that worked`;
  return {
    option: chart(
      { ...title, subtext: `${which} of ${hierarchy.size} agents, with those above them;\nthe rest folded into “+n others” under their manager (their mean)`, subtextStyle: { fontSize: 11, lineHeight: 16, color: '#555' } },
      root,
      { orient: 'LR', top: 76, bottom: 60, left: 120, right: 200, label: { position: 'left', fontSize: 11, formatter: (params: { name: string; value: number }) => `${params.name}  ${params.value} %` }, leaves: { label: { position: 'right' } } },
    ),
    height: Math.max(minHeight, 136 + ROW * rows),
  };
}

const mean = (agents: readonly AgentReport[]) => agents.reduce((sum, agent) => sum + agent.utilisation, 0) / agents.length;

function chart(title: object, root: TreeNode, layout: Record<string, unknown>): Record<string, unknown> {
  return {
    title,
    tooltip: { trigger: 'item' },
    visualMap: { show: true, type: 'continuous', min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, calculable: false, inRange: { color: ['#e8f5e9', '#fff176', '#ff7043', '#b71c1c'] }, text: ['100 %', '0 %'], seriesIndex: -1 },
    series: [{ type: 'tree', data: [root], symbol: 'rect', symbolSize: [16, 16], expandAndCollapse: false, initialTreeDepth: -1, lineStyle: { color: '#999' }, ...layout }],
  };
}

/** Green (idle) through yellow and orange to dark red (saturated). */
export function heat(utilisation: number): string {
  const stops = [
    [0, [0xe8, 0xf5, 0xe9]],
    [0.5, [0xff, 0xf1, 0x76]],
    [0.8, [0xff, 0x70, 0x43]],
    [1, [0xb7, 0x1c, 0x1c]],
  ] as const;
  const u = Math.min(1, Math.max(0, utilisation));
  let i = 0;
  while (i < stops.length - 2 && u > stops[i + 1]![0]) i++;
  const [a, from] = stops[i]!;
  const [b, to] = stops[i + 1]!;
  const t = (u - a) / (b - a);
  return `#${from.map((channel, k) => Math.round(channel + (to[k]! - channel) * t).toString(16).padStart(2, '0')).join('')}`;
}
