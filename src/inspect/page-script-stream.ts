/**
 * The page's part for streamed output: what each agent's executor reports while it runs (a
 * model's tokens, say) appears under that agent in the organisation as it arrives, the latest
 * task's only, its last characters kept. It survives the tree's redraws (kept here, drawn into it).
 */
export const STREAM_SCRIPT = `
  const MAX_SAID = 600;
  /** agent id → { taskId, text, done } */
  const said = {};

  function saidHtml(agentId) {
    const entry = said[agentId];
    if (!entry) return '';
    return '<div class="said' + (entry.done ? ' done' : '') + '" data-said="' + escape(agentId) + '" data-task="' + escape(entry.taskId) + '" aria-live="polite">' +
      '<span class="said-task">' + html(entry.path.join(' › ')) + '</span> ' + html(entry.text) + '</div>';
  }

  function showProgress(progress) {
    const previous = said[progress.agent];
    const entry = previous && previous.taskId === progress.taskId && !previous.done ? previous : { taskId: progress.taskId, path: progress.path, text: '', done: false };
    entry.text = (entry.text + progress.text).slice(-MAX_SAID);
    said[progress.agent] = entry;
    const box = byId('tree').querySelector('[data-agent="' + CSS.escape(progress.agent) + '"]');
    if (!box) return;
    const old = box.querySelector('[data-said]');
    if (old) old.outerHTML = saidHtml(progress.agent);
    else box.insertAdjacentHTML('beforeend', saidHtml(progress.agent));
  }

  /** org.forget took these tasks: what their agents said goes with them. */
  function forgetSaid(ids) {
    const gone = new Set(ids);
    for (const agentId of Object.keys(said)) {
      if (!gone.has(said[agentId].taskId) && !gone.has(said[agentId].path[0])) continue;
      delete said[agentId];
      const box = byId('tree').querySelector('[data-said="' + CSS.escape(agentId) + '"]');
      if (box) box.remove();
    }
  }

  /** A task settled: what its agents said stays, marked done. */
  function settleSaid(taskId) {
    for (const agentId of Object.keys(said)) if (said[agentId].taskId === taskId || said[agentId].path[0] === taskId) said[agentId].done = true;
  }
`;
