/**
 * The live view page's script (plain browser JavaScript, inlined into the page): renders the org
 * chart, approvals, escalations and events from the server's Server-Sent Events, and sends
 * approve / reject decisions with the identity chosen on the page and the URL's token.
 */
export const PAGE_SCRIPT = `
'use strict';
(() => {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  const byId = (id) => document.getElementById(id);
  const escape = (value) => String(value).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const MAX_EVENTS = 200;
  let agents = [];

  const showBanner = (message) => {
    byId('banner').textContent = message;
    byId('banner').className = message ? 'shown' : '';
  };

  function renderStatus(status) {
    byId('c-agents').textContent = status.totalAgents;
    byId('c-tasks').textContent = status.activeTasks;
    byId('c-escalations').textContent = status.activeEscalations;
    byId('c-approvals').textContent = status.pendingApprovals;
  }

  function renderTree() {
    const children = {};
    for (const agent of agents) (children[agent.parent || ''] = children[agent.parent || ''] || []).push(agent);
    const numbers = (a) => {
      const parts = ['mailbox ' + a.queued];
      if (a.running) parts.push('running ' + a.running);
      if (a.awaitingApproval) parts.push('awaiting approval ' + a.awaitingApproval);
      if (a.escalated) parts.push('escalated ' + a.escalated);
      const load = Object.keys(a.load).filter((k) => a.load[k] > 0).map((k) => k + ':' + a.load[k]);
      if (children[a.id]) parts.push('load ' + a.totalLoad + (load.length ? ' (' + load.join(', ') + ')' : ''));
      return parts.join(' · ');
    };
    const node = (a) =>
      '<li><div class="agent s-' + escape(a.state) + '" data-agent="' + escape(a.id) + '" data-state="' + escape(a.state) + '">' +
      '<div class="name">' + escape(a.id) + '<span class="role">' + escape(a.role) + '</span></div>' +
      '<div class="state">' + escape(a.state) + '</div>' +
      '<div class="numbers">' + escape(numbers(a)) + '</div></div>' +
      (children[a.id] ? '<ul>' + children[a.id].map(node).join('') + '</ul>' : '') + '</li>';
    byId('tree').innerHTML = (children[''] || []).map(node).join('');
  }

  function renderEscalations(escalations) {
    byId('escalations').innerHTML = escalations.length === 0
      ? '<tr><td class="empty">No active escalations.</td></tr>'
      : '<tr><th>task</th><th>reason</th><th>from → to</th><th>message</th></tr>' + escalations.map((e) =>
          '<tr data-escalation="' + escape(e.id) + '"><td>' + escape(e.taskType) + '<br><small>' + escape(e.taskId) + '</small></td><td>' + escape(e.reason) +
          '</td><td>' + escape(e.from) + ' → ' + escape(e.to) + '</td><td>' + escape(e.message) + '</td></tr>').join('');
  }

  function approvalRow(approval) {
    const row = document.createElement('tr');
    row.dataset.approval = approval.id;
    const options = agents.map((a) => '<option' + (a.id === approval.approver ? ' selected' : '') + '>' + escape(a.id) + '</option>').join('');
    row.innerHTML =
      '<td class="task"></td><td class="who"></td><td><div class="actions">' +
      '<label>as <select class="by" title="Decide as this agent">' + options + '</select></label>' +
      '<input class="note" placeholder="comment / reason">' +
      '<button class="approve">Approve</button><button class="reject">Reject</button></div><div class="error"></div></td>';
    const decide = (verb) => {
      const by = row.querySelector('.by').value;
      const note = row.querySelector('.note').value;
      const body = verb === 'approve' ? { by, comment: note || undefined } : { by, reason: note || undefined };
      row.querySelectorAll('button').forEach((b) => (b.disabled = true));
      fetch('/api/approvals/' + encodeURIComponent(approval.id) + '/' + verb, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-echelon-token': token },
        body: JSON.stringify(body),
      })
        .then((response) => response.json().then((result) => {
          if (!response.ok) throw new Error(result.error ? result.error.message : 'refused');
          row.querySelector('.error').textContent = '';
        }))
        .catch((error) => {
          row.querySelector('.error').textContent = error.message;
          row.querySelectorAll('button').forEach((b) => (b.disabled = false));
        });
    };
    row.querySelector('.approve').addEventListener('click', () => decide('approve'));
    row.querySelector('.reject').addEventListener('click', () => decide('reject'));
    return row;
  }

  function renderApprovals(approvals) {
    const table = byId('approvals');
    const wanted = new Set(approvals.map((a) => a.id));
    table.querySelectorAll('tr').forEach((row) => { if (!wanted.has(row.dataset.approval)) row.remove(); });
    for (const approval of approvals) {
      let row = table.querySelector('tr[data-approval="' + CSS.escape(approval.id) + '"]');
      if (!row) table.appendChild((row = approvalRow(approval)));
      row.querySelector('.task').innerHTML = escape(approval.taskType) + '<br><small>' + escape(approval.taskId) + '</small>';
      row.querySelector('.who').innerHTML = escape(approval.requester) + ' asks ' + escape(approval.approver) +
        '<br><small>' + escape(approval.reason) + ' · ' + approval.approvals + '/' + approval.quorum + ' · may decide: ' + escape(approval.eligible.join(', ') || 'nobody') + '</small>';
    }
    byId('no-approvals').style.display = approvals.length === 0 ? '' : 'none';
  }

  function addEvent(event) {
    const list = byId('events');
    const item = document.createElement('li');
    item.className = event.type.replace('.', '-');
    item.dataset.type = event.type;
    if (event.taskId) item.dataset.task = event.taskId;
    item.innerHTML = '<span class="type">' + escape(event.type) + '</span><span>' + escape(event.text) + '</span>';
    list.insertBefore(item, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
  }

  function renderSnapshot(snapshot) {
    agents = snapshot.agents;
    renderStatus(snapshot.status);
    renderTree();
    renderEscalations(snapshot.escalations);
    renderApprovals(snapshot.approvals);
  }

  function connect() {
    const source = new EventSource('/api/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
    const connection = byId('connection');
    source.addEventListener('open', () => { connection.textContent = 'live'; connection.className = 'live'; showBanner(''); });
    source.addEventListener('state', (message) => {
      const state = JSON.parse(message.data);
      byId('events').innerHTML = '';
      state.events.forEach(addEvent);
      renderSnapshot(state);
    });
    source.addEventListener('snapshot', (message) => renderSnapshot(JSON.parse(message.data)));
    source.addEventListener('event', (message) => addEvent(JSON.parse(message.data)));
    source.addEventListener('error', () => {
      connection.textContent = 'reconnecting…';
      connection.className = '';
      if (source.readyState === EventSource.CLOSED) {
        // Refused for good (a missing or wrong token): say why, and try again later.
        fetch('/api/state' + (token ? '?token=' + encodeURIComponent(token) : ''))
          .then((response) => response.json())
          .then((body) => showBanner(body.error ? body.error.message : ''))
          .catch(() => showBanner('The live view is not reachable.'));
        setTimeout(connect, 3000);
      }
    });
  }

  connect();
})();
`;
