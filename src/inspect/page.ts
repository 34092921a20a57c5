/**
 * The live view's one page: HTML with its style and script inline, so it works offline, and a
 * Content-Security-Policy that allows exactly those two (by hash) and connections back to this
 * server — nothing from anywhere else can load.
 */
import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';

export interface LivePage {
  readonly html: string;
  /** The Content-Security-Policy header to send with it. */
  readonly csp: string;
}

const pages = new Map<'live' | 'replay', LivePage>();

/** The page, built once per process: the live view, or a stored run's replay. */
export function livePage(mode: 'live' | 'replay' = 'live'): LivePage {
  const built = pages.get(mode);
  if (built !== undefined) return built;
  const page: LivePage = {
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>echelon — live view</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-mode="${mode}">
<header>
  <h1>echelon · <span id="mode">live view</span></h1>
  <div class="counts">
    <span><b id="c-agents">–</b> agents</span>
    <span><b id="c-tasks">–</b> active tasks</span>
    <span><b id="c-escalations">–</b> escalations</span>
    <span><b id="c-approvals">–</b> pending approvals</span>
  </div>
  <span id="connection">connecting…</span>
</header>
<div id="banner" role="alert"></div>
<main>
  <div class="column">
    <section id="org"><h2>Organisation</h2><ul class="tree" id="tree"></ul></section>
    <section id="chart-section"><h2>Statechart of <span id="chart-agent">–</span></h2><div id="statechart" aria-live="polite"></div>
      <p class="hint">Choose an agent in the organisation to see its chart; its current state is lit.</p></section>
  </div>
  <div class="column">
    <section id="approvals-section"><h2>Pending approvals</h2><table id="approvals"></table><p class="empty" id="no-approvals">No pending approvals.</p></section>
    <section id="escalations-section"><h2>Active escalations</h2><table id="escalations"></table></section>
    <section id="tasks-section"><h2>Tasks</h2>
      <div class="filters" id="task-filters">
        <label>status <select id="f-status"><option value="">any</option><option>active</option><option>completed</option><option>failed</option><option>rejected</option><option>cancelled</option></select></label>
        <label>type <select id="f-type"><option value="">any</option></select></label>
        <label>agent <select id="f-agent"><option value="">any</option></select></label>
        <label>id <input id="f-search" type="search" placeholder="search by id"></label>
      </div>
      <ul id="tasks"></ul><p class="empty" id="no-tasks">No tasks yet.</p>
    </section>
    <section id="timeline-section" hidden><h2>Timeline of <span id="timeline-task">–</span></h2><div id="timeline"></div></section>
    <section id="replay-section" hidden><h2>Replay <span id="replay-of"></span></h2>
      <div class="replay-controls">
        <button id="replay-prev" aria-label="previous entry">◀</button>
        <input id="scrub" type="range" min="0" max="0" value="0" aria-label="journal entry">
        <button id="replay-next" aria-label="next entry">▶</button>
        <button id="replay-all" class="quiet">whole organisation</button>
      </div>
      <p id="replay-at"></p><p id="replay-text"></p><ul class="tree" id="replay-tree"></ul>
    </section>
    <section id="events-section"><h2>Latest events</h2><ul id="events"></ul></section>
  </div>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`,
    csp: [
      "default-src 'none'",
      `script-src '${sha256(PAGE_SCRIPT)}'`,
      `style-src '${sha256(PAGE_STYLE)}'`,
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
  pages.set(mode, page);
  return page;
}

function sha256(source: string): string {
  return `sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}`;
}
