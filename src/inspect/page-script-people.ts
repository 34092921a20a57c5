/**
 * The page's part for people's decisions: pending approvals (Approve / Reject) and escalations
 * waiting for a person (a result, a failure, or an agent to take it), each offering only those who
 * may decide. Rows are kept across updates, so what someone is typing is never lost.
 */
export const PEOPLE_SCRIPT = `
  /** Keeps one row per id in a table: new ones made with create, gone ones removed, each updated. */
  function syncRows(table, items, key, create, update) {
    const wanted = new Set(items.map((item) => item.id));
    table.querySelectorAll('tr[data-' + key + ']').forEach((row) => { if (!wanted.has(row.dataset[key])) row.remove(); });
    for (const item of items) {
      let row = table.querySelector('tr[data-' + key + '="' + CSS.escape(item.id) + '"]');
      if (!row) table.appendChild((row = create(item)));
      update(row, item);
    }
  }

  /** Sends an action from a row: its buttons wait, an error shows in the row. */
  function fromRow(row, path, body) {
    row.querySelectorAll('button').forEach((b) => (b.disabled = true));
    post(path, body)
      .then(() => (row.querySelector('.error').textContent = ''))
      .catch((error) => {
        row.querySelector('.error').textContent = shown(error.message);
        row.querySelectorAll('button').forEach((b) => (b.disabled = false));
      });
  }

  function approvalRow(approval) {
    const row = document.createElement('tr');
    row.dataset.approval = approval.id;
    row.innerHTML =
      '<td class="task"></td><td class="who"></td><td><div class="actions">' +
      '<label>as <select class="by" title="Decide as this agent (only those with the authority)"></select></label>' +
      '<input class="note" placeholder="comment / reason" aria-label="comment or reason">' +
      '<button class="approve">Approve</button><button class="reject">Reject</button></div><div class="error" role="status"></div></td>';
    const decide = (verb) => {
      const by = row.querySelector('.by').value;
      const note = row.querySelector('.note').value;
      const body = verb === 'approve' ? { by, comment: note || undefined } : { by, reason: note || undefined };
      fromRow(row, '/api/approvals/' + encodeURIComponent(approval.id) + '/' + verb, body);
    };
    row.querySelector('.approve').addEventListener('click', () => decide('approve'));
    row.querySelector('.reject').addEventListener('click', () => decide('reject'));
    return row;
  }

  function renderApprovals(approvals) {
    syncRows(byId('approvals'), approvals, 'approval', approvalRow, (row, approval) => {
      const by = row.querySelector('.by');
      if (by.dataset.offered !== approval.eligible.join(',')) {
        by.innerHTML = options(approval.eligible, approval.eligible.includes(approval.approver) ? approval.approver : approval.eligible[0]);
        by.dataset.offered = approval.eligible.join(',');
      }
      row.querySelector('.task').innerHTML = html(approval.taskType) + '<br><small>' + html(approval.taskId) + '</small>';
      row.querySelector('.who').innerHTML = html(approval.requester) + ' asks ' + html(approval.approver) +
        '<br><small>' + html(approval.reason) + ' · ' + approval.approvals + '/' + approval.quorum + ' · may decide: ' + html(approval.eligible.join(', ') || 'nobody') + '</small>';
    });
    byId('no-approvals').style.display = approvals.length === 0 ? '' : 'none';
  }

  function escalationRow(escalation) {
    const row = document.createElement('tr');
    row.dataset.escalation = escalation.id;
    row.innerHTML = '<td class="task"></td><td class="why"></td><td class="resolve"></td>';
    if (!escalation.waitingForPerson) return row;
    row.querySelector('.resolve').innerHTML =
      '<div class="actions">' +
      '<label>as <select class="by" title="Decide as this agent (only those above the one that raised it)"></select></label>' +
      '<label><select class="how" aria-label="how to resolve it"><option value="result">complete with result</option><option value="fail">fail with reason</option><option value="assignTo">assign to</option></select></label>' +
      '<input class="value" placeholder="result" aria-label="result or reason">' +
      '<select class="assignee" aria-label="agent to assign it to" hidden></select>' +
      '<button class="resolve-button">Resolve</button></div><div class="error" role="status"></div>';
    const how = row.querySelector('.how');
    how.addEventListener('change', () => {
      row.querySelector('.assignee').hidden = how.value !== 'assignTo';
      row.querySelector('.value').hidden = how.value === 'assignTo';
      row.querySelector('.value').placeholder = how.value === 'fail' ? 'reason' : 'result';
    });
    row.querySelector('.resolve-button').addEventListener('click', () => {
      const body = { by: row.querySelector('.by').value };
      body[how.value] = how.value === 'assignTo' ? row.querySelector('.assignee').value : row.querySelector('.value').value || (how.value === 'fail' ? 'failed by a person' : 'done by a person');
      fromRow(row, '/api/escalations/' + encodeURIComponent(escalation.id) + '/resolve', body);
    });
    return row;
  }

  function renderEscalations(escalations) {
    const table = byId('escalations');
    if (escalations.length === 0) table.innerHTML = '<tr><td class="empty">No active escalations.</td></tr>';
    else table.querySelectorAll('tr:not([data-escalation])').forEach((row) => row.remove());
    syncRows(table, escalations, 'escalation', escalationRow, (row, e) => {
      row.querySelector('.task').innerHTML = html(e.taskType) + '<br><small>' + html(e.taskId) + '</small>';
      row.querySelector('.why').innerHTML = html(e.reason) + ': ' + html(e.from) + ' → ' + html(e.assignedTo ? e.assignedTo + ' (assigned)' : e.to === 'human' ? 'a person' : e.to) +
        '<br><small>' + html(e.message) + '</small>';
      if (!e.waitingForPerson && row.querySelector('.by')) row.querySelector('.resolve').innerHTML = '';
      const by = row.querySelector('.by');
      if (by && by.dataset.offered !== e.deciders.join(',')) {
        by.innerHTML = options(e.deciders, e.deciders[0]);
        by.dataset.offered = e.deciders.join(',');
        row.querySelector('.assignee').innerHTML = options(e.assignees, e.assignees[0]);
        if (e.assignees.length === 0) row.querySelector('.how option[value="assignTo"]').disabled = true;
      }
    });
  }
`;
