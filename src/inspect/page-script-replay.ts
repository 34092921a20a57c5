/**
 * The page's part for replay: a stored run's journal as steps you can scrub (a slider, ◀ ▶ and
 * the arrow keys), each showing its entry and every agent's state at that moment. On the live
 * view it appears when the organisation has a store; served by `echelon replay --view` it is
 * the whole page.
 */
export const REPLAY_SCRIPT = `
  let replayEnabled = false;
  let steps = [];

  function enableReplay() {
    replayEnabled = true;
    byId('replay-section').hidden = false;
  }

  function loadReplay(taskId) {
    enableReplay();
    getJson('/api/history' + (taskId ? '?task=' + encodeURIComponent(taskId) : ''))
      .then((loaded) => {
        steps = loaded;
        byId('replay-of').textContent = taskId ? 'of ' + shown(taskId) : 'of the whole organisation';
        const scrub = byId('scrub');
        scrub.max = String(Math.max(0, steps.length - 1));
        scrub.value = String(Math.max(0, steps.length - 1));
        showStep();
      })
      .catch((error) => (byId('replay-text').textContent = shown(error.message)));
  }

  function showStep() {
    const index = Number(byId('scrub').value);
    const step = steps[index];
    if (!step) {
      byId('replay-at').textContent = 'No journal entries.';
      byId('replay-text').textContent = '';
      byId('replay-tree').innerHTML = '';
      return;
    }
    const total = steps[steps.length - 1].index;
    byId('replay-at').textContent = 'entry ' + step.index + ' of ' + total + (steps.length < total ? ' (the latest ' + steps.length + ')' : '') + ' · ' +
      time(step.entry.at, steps[0].entry.at) + ' · session ' + step.entry.session;
    byId('replay-text').textContent = step.entry.type + ': ' + shown(step.text);
    const moved = new Set(step.moves.map((m) => m.agent));
    const numbers = (a) => [moved.has(a.id) ? step.moves.find((m) => m.agent === a.id).states.join(' → ') : '',
      a.running.length ? 'running ' + a.running.join(', ') : '', a.awaitingApproval.length ? 'awaiting approval ' + a.awaitingApproval.join(', ') : ''].filter(Boolean).join(' · ');
    byId('replay-tree').innerHTML = treeHtml(step.agents, numbers);
    byId('replay-prev').disabled = index === 0;
    byId('replay-next').disabled = index >= steps.length - 1;
  }

  const move = (by) => {
    const scrub = byId('scrub');
    scrub.value = String(Math.min(Number(scrub.max), Math.max(0, Number(scrub.value) + by)));
    showStep();
  };
  byId('scrub').addEventListener('input', showStep);
  byId('replay-prev').addEventListener('click', () => move(-1));
  byId('replay-next').addEventListener('click', () => move(1));
  byId('replay-all').addEventListener('click', () => loadReplay(''));
  byId('replay-tree').addEventListener('click', (event) => event.preventDefault());

  function start() {
    if (document.body.dataset.mode !== 'replay') return connect();
    // A stored run, no organisation: only the replay.
    byId('mode').textContent = 'replay';
    for (const id of ['approvals-section', 'escalations-section', 'tasks-section', 'events-section', 'chart-section', 'org']) byId(id).hidden = true;
    document.querySelector('header .counts').hidden = true;
    byId('connection').textContent = 'stored run';
    loadReplay('');
  }
`;
