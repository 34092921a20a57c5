/**
 * The page's part for statecharts: the agent statechart (an SVG the server generated from the
 * machine definition) drawn once, with the chosen agent's active states lit.
 */
export const CHART_SCRIPT = `
  /** Puts the chart on the page (once: every agent runs the same statechart). */
  function setStatechart(svg) {
    if (svg && !byId('statechart').firstElementChild) byId('statechart').innerHTML = svg;
  }

  /** Lights the states the chosen agent is in (all of them, nested ones too). */
  function lightChart(agent) {
    byId('chart-agent').textContent = agent ? shown(agent.id) + ' (' + agent.state + ')' : '–';
    const lit = new Set(agent ? agent.statePath || [agent.state] : []);
    byId('statechart').querySelectorAll('g.state').forEach((g) => g.classList.toggle('lit', lit.has(g.dataset.state)));
  }

  function renderChart() {
    lightChart(agents.find((a) => a.id === selectedAgent));
  }
`;
