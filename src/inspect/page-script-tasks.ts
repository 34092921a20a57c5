/**
 * The page's part for tasks: the list of active and recent tasks (filtered by status, type and
 * agent, searched by id, all on the page) and the selected task's timeline — each entry with its
 * time, who acted and the state it left them in, the subtask tree, and the outcome once settled.
 * Tasks `org.forget` took leave the list (and the timeline, when one of them is open).
 */
export const TASKS_SCRIPT = `
  let tasks = [];
  let taskTypes = [];
  let selectedTask = '';
  let timelineFor = '';
  let loadingTimeline = false;

  function fillSelect(select, values) {
    const key = values.join(',');
    if (select.dataset.offered === key) return;
    const chosen = select.value;
    select.innerHTML = '<option value="">any</option>' + options(values, chosen);
    select.dataset.offered = key;
  }

  function renderTasks(list, types) {
    tasks = list || [];
    if (types) taskTypes = types;
    fillSelect(byId('f-type'), taskTypes);
    fillSelect(byId('f-agent'), agents.map((a) => a.id));
    const status = byId('f-status').value, type = byId('f-type').value, agent = byId('f-agent').value;
    const search = byId('f-search').value.trim().toLowerCase();
    const shown = tasks.filter((t) => (!status || t.status === status) && (!type || t.type === type) && (!agent || t.agents.includes(agent)) && (!search || t.id.toLowerCase().includes(search)));
    byId('tasks').innerHTML = shown.map((t) =>
      '<li data-task="' + escape(t.id) + '" data-status="' + escape(t.status) + '"' + (t.id === selectedTask ? ' class="selected"' : '') + '>' +
      '<button class="open" data-open="' + escape(t.id) + '">' + html(t.id) + '</button>' +
      '<span class="t-type">' + html(t.type) + '</span><span class="badge st-' + escape(t.status) + '">' + html(t.status) + '</span>' +
      '<small>' + html(t.status === 'active' ? 'at ' + t.at : (t.executedBy ? 'by ' + t.executedBy : t.splitBy ? 'split by ' + t.splitBy : t.error || '')) + '</small></li>').join('');
    byId('no-tasks').style.display = shown.length === 0 ? '' : 'none';
    byId('no-tasks').textContent = tasks.length === 0 ? 'No tasks yet.' : 'No task matches.';
    const current = tasks.find((t) => t.id === selectedTask);
    if (current && (current.status === 'active' || timelineFor !== current.id + ':' + current.status)) loadTimeline();
  }

  for (const id of ['f-status', 'f-type', 'f-agent']) byId(id).addEventListener('change', () => renderTasks(tasks));
  byId('f-search').addEventListener('input', () => renderTasks(tasks));
  byId('tasks').addEventListener('click', (event) => {
    const open = event.target.closest('[data-open]');
    if (!open) return;
    selectedTask = open.dataset.open;
    timelineFor = '';
    renderTasks(tasks);
  });

  /** org.forget took these tasks: off the list, and the one open closes (it has no timeline left to show). */
  function forgetTasks(ids) {
    const gone = new Set(ids);
    if (gone.has(selectedTask)) {
      selectedTask = '';
      timelineFor = '';
      byId('timeline-section').hidden = true;
      byId('timeline').innerHTML = '';
    }
    renderTasks(tasks.filter((t) => !gone.has(t.id)));
  }

  function loadTimeline() {
    if (loadingTimeline) return;
    loadingTimeline = true;
    const id = selectedTask;
    getJson('/api/tasks/' + encodeURIComponent(id))
      .then((timeline) => { if (id === selectedTask) renderTimeline(timeline); })
      .catch((error) => { byId('timeline').innerHTML = '<p class="error">' + html(error.message) + '</p>'; })
      .finally(() => (loadingTimeline = false));
  }

  function subtaskTree(nodes) {
    if (!nodes.length) return '';
    return '<ul>' + nodes.map((n) => '<li data-subtask="' + escape(n.id) + '">' + html(n.id) + ' <span class="badge st-' + escape(n.status) + '">' + html(n.status) + '</span>' +
      (n.executedBy ? ' <small>by ' + html(n.executedBy) + '</small>' : n.splitBy ? ' <small>split by ' + html(n.splitBy) + '</small>' : '') + subtaskTree(n.subtasks) + '</li>').join('') + '</ul>';
  }

  function outcomeHtml(o) {
    const rows = [['status', o.status], o.splitBy ? ['split by', o.splitBy] : ['executed by', o.executedBy || '–'], ['chain', o.delegationChain.join(' → ')], ['attempts', o.attempts],
      ['took', (o.settledAt - o.submittedAt) + ' ms']];
    if (o.result !== undefined) rows.push(['result', o.result]);
    if (o.error) rows.push(['error', o.error.code + ': ' + o.error.message]);
    if (o.budget) rows.push(['budget', 'cost ' + o.budget.used.cost + (o.budget.limit.cost !== undefined ? ' of ' + o.budget.limit.cost : '') + ' · subtasks ' + o.budget.used.subtasks + ' · ' + o.budget.used.timeMs + ' ms']);
    for (const e of o.escalations) rows.push(['escalation', e.reason + ' ' + e.from + ' → ' + e.to + ': ' + e.status + (e.resolvedBy ? ' by ' + e.resolvedBy : '')]);
    for (const a of o.approvals) rows.push(['approval', a.status + (a.decisions.length ? ' (' + a.decisions.map((d) => d.decision + ' by ' + d.by + (d.note ? ': ' + d.note : '')).join(', ') + ')' : '')]);
    return '<dl class="outcome">' + rows.map(([k, v]) => '<dt>' + html(k) + '</dt><dd>' + html(v) + '</dd>').join('') + '</dl>';
  }

  function renderTimeline(timeline) {
    const task = timeline.task;
    timelineFor = task.id + ':' + task.status;
    byId('timeline-section').hidden = false;
    byId('timeline-task').textContent = shown(task.type + ' ' + task.id);
    const start = timeline.rows.length ? timeline.rows[0].at : 0;
    byId('timeline').innerHTML =
      '<p class="source"><span class="badge st-' + escape(task.status) + '">' + html(task.status) + '</span> from the ' + (timeline.source === 'journal' ? 'journal' : 'events this view saw') +
      (replayEnabled && timeline.source === 'journal' ? ' <button class="replay-task quiet" data-replay="' + escape(task.id) + '">replay it</button>' : '') + '</p>' +
      '<div class="scroll"><table class="timeline"><tr><th>time</th><th>who</th><th>what</th><th>state after</th></tr>' + timeline.rows.map((r) =>
        '<tr data-type="' + escape(r.type) + '"><td>' + html(time(r.at, start)) + '</td><td>' + html(r.actor) + '</td><td>' + html(r.text) + '</td><td>' +
        html(r.moves.map((m) => m.agent + ': ' + m.states.join(' → ')).join('; ') || r.state || '') + '</td></tr>').join('') + '</table></div>' +
      (timeline.subtasks.length ? '<h3>Subtasks</h3><div class="subtasks">' + subtaskTree(timeline.subtasks) + '</div>' : '') +
      (timeline.outcome ? '<h3>Outcome</h3>' + outcomeHtml(timeline.outcome) : '');
  }

  byId('timeline').addEventListener('click', (event) => {
    const replay = event.target.closest('[data-replay]');
    if (replay) loadReplay(replay.dataset.replay);
  });
`;
