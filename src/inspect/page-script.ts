/**
 * The live view page's script (plain browser JavaScript, inlined into the page): the shared
 * helpers, the org chart, the event list and the live connection; the parts for people's
 * decisions, tasks and statecharts are in their own files and run inside the same closure.
 */
import { CHART_SCRIPT } from './page-script-chart.js';
import { PEOPLE_SCRIPT } from './page-script-people.js';
import { REPLAY_SCRIPT } from './page-script-replay.js';
import { STREAM_SCRIPT } from './page-script-stream.js';
import { TASKS_SCRIPT } from './page-script-tasks.js';
import { UNSHOWABLE } from '../show.js';

const CORE_SCRIPT = `
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  const byId = (id) => document.getElementById(id);
  /** A value for an attribute (data-agent, an option's value): escaped for HTML, otherwise exact. */
  const escape = (value) => String(value).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  /** Text to show: what a screen would obey (a bidi override reverses the rest of a sentence) as its \\u202e-style escape, as the CLI shows it. */
  const UNSHOWABLE = new RegExp(${JSON.stringify(UNSHOWABLE.source)}, 'g');
  const shown = (value) => String(value).replace(UNSHOWABLE, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  /** Text to show, as HTML. */
  const html = (value) => escape(shown(value));
  const withToken = (path) => path + (token ? (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : '');
  const MAX_EVENTS = 200;
  let agents = [];
  let selectedAgent = '';

  const showBanner = (message) => {
    byId('banner').textContent = shown(message);
    byId('banner').className = message ? 'shown' : '';
  };

  /** Posts an action; resolves with the answer or rejects with the server's message. */
  const post = (path, body) =>
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-echelon-token': token }, body: JSON.stringify(body) })
      .then((response) => response.json().then((result) => {
        if (!response.ok) throw new Error(result.error ? result.error.message : 'refused');
        return result;
      }));
  const getJson = (path) => fetch(withToken(path)).then((response) => response.json().then((result) => {
    if (!response.ok) throw new Error(result.error ? result.error.message : 'refused');
    return result;
  }));
  const options = (values, selected) => values.map((v) => '<option value="' + escape(v) + '"' + (v === selected ? ' selected' : '') + '>' + html(v) + '</option>').join('');
  const time = (at, from) => (from === undefined ? new Date(at).toISOString().slice(11, 23) : '+' + (at - from) + ' ms');

  function renderStatus(status) {
    byId('c-agents').textContent = status.totalAgents;
    byId('c-tasks').textContent = status.activeTasks;
    byId('c-escalations').textContent = status.activeEscalations;
    byId('c-approvals').textContent = status.pendingApprovals;
  }

  /** The org chart as nested lists; each agent's name is a button that shows its statechart. */
  function treeHtml(list, numbers) {
    const children = {};
    for (const agent of list) (children[agent.parent || ''] = children[agent.parent || ''] || []).push(agent);
    const node = (a) =>
      '<li><div class="agent s-' + escape(a.state) + (a.id === selectedAgent ? ' selected' : '') + '" data-agent="' + escape(a.id) + '" data-state="' + escape(a.state) + '">' +
      '<div class="name"><button class="pick" data-pick="' + escape(a.id) + '" title="Show its statechart">' + html(a.id) + '</button>' +
      (a.role ? '<span class="role">' + html(a.role) + '</span>' : '') + '</div>' +
      '<div class="state">' + html(a.state) + '</div>' +
      '<div class="numbers">' + html(numbers(a, children)) + '</div>' +
      (a.capabilities && a.capabilities.length ? '<div class="caps">' + a.capabilities.map((c) => '<span>' + html(c) + '</span>').join('') + '</div>' : '') +
      saidHtml(a.id) + '</div>' + (children[a.id] ? '<ul>' + children[a.id].map(node).join('') + '</ul>' : '') + '</li>';
    return (children[''] || []).map(node).join('');
  }

  function renderTree() {
    const numbers = (a, children) => {
      const parts = ['mailbox ' + a.queued];
      if (a.running) parts.push('running ' + a.running);
      if (a.awaitingApproval) parts.push('awaiting approval ' + a.awaitingApproval);
      if (a.escalated) parts.push('escalated ' + a.escalated);
      const load = Object.keys(a.load).filter((k) => a.load[k] > 0).map((k) => k + ':' + a.load[k]);
      if (children[a.id]) parts.push('load ' + a.totalLoad + (load.length ? ' (' + load.join(', ') + ')' : ''));
      return parts.join(' · ');
    };
    byId('tree').innerHTML = treeHtml(agents, numbers);
  }

  function addEvent(event) {
    const list = byId('events');
    const item = document.createElement('li');
    // A part that ended otherwise than completed shows as a failure does.
    item.className = event.type.replace('.', '-') + (event.status && event.status !== 'completed' ? ' task-failed' : '');
    item.dataset.type = event.type;
    if (event.taskId) item.dataset.task = event.taskId;
    item.innerHTML = '<span class="type">' + html(event.type) + '</span><span>' + html(event.text) + '</span>';
    list.insertBefore(item, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
  }

  function renderSnapshot(snapshot) {
    agents = snapshot.agents;
    if (!selectedAgent && agents.length) selectedAgent = agents[0].id;
    renderStatus(snapshot.status);
    renderTree();
    renderChart();
    renderEscalations(snapshot.escalations);
    renderApprovals(snapshot.approvals);
    renderTasks(snapshot.tasks, snapshot.taskTypes);
  }

  byId('tree').addEventListener('click', (event) => {
    const pick = event.target.closest('[data-pick]');
    if (!pick) return;
    selectedAgent = pick.dataset.pick;
    renderTree();
    renderChart();
    const again = byId('tree').querySelector('[data-pick="' + CSS.escape(selectedAgent) + '"]');
    if (again) again.focus();
  });

  function connect() {
    const source = new EventSource(withToken('/api/events'));
    const connection = byId('connection');
    source.addEventListener('open', () => { connection.textContent = 'live'; connection.className = 'live'; showBanner(''); });
    source.addEventListener('state', (message) => {
      const state = JSON.parse(message.data);
      byId('events').innerHTML = '';
      state.events.forEach(addEvent);
      setStatechart(state.statechart);
      if (state.history) enableReplay();
      renderSnapshot(state);
    });
    source.addEventListener('snapshot', (message) => renderSnapshot(JSON.parse(message.data)));
    source.addEventListener('event', (message) => {
      const event = JSON.parse(message.data);
      if ((event.type === 'task.completed' || event.type === 'task.failed' || event.type === 'task.ended') && event.taskId) settleSaid(event.taskId);
      addEvent(event);
    });
    source.addEventListener('progress', (message) => showProgress(JSON.parse(message.data)));
    source.addEventListener('forgotten', (message) => {
      const { ids } = JSON.parse(message.data);
      forgetTasks(ids);
      forgetSaid(ids);
    });
    source.addEventListener('error', () => {
      connection.textContent = 'reconnecting…';
      connection.className = '';
      if (source.readyState === EventSource.CLOSED) {
        // Refused for good (a missing or wrong token): say why, and try again later.
        getJson('/api/state').then(() => showBanner('')).catch((error) => showBanner(error.message));
        setTimeout(connect, 3000);
      }
    });
  }
`;

export const PAGE_SCRIPT = `
'use strict';
(() => {
${CORE_SCRIPT}
${PEOPLE_SCRIPT}
${TASKS_SCRIPT}
${STREAM_SCRIPT}
${CHART_SCRIPT}
${REPLAY_SCRIPT}
  start();
})();
`;
