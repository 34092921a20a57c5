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

let page: LivePage | undefined;

/** The page, built once per process. */
export function livePage(): LivePage {
  page ??= {
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>echelon — live view</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>echelon · live view</h1>
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
  <div>
    <section><h2>Organisation</h2><ul class="tree" id="tree"></ul></section>
  </div>
  <div>
    <section><h2>Pending approvals</h2><table id="approvals"></table><p class="empty" id="no-approvals">No pending approvals.</p></section>
    <section><h2>Active escalations</h2><table id="escalations"></table></section>
    <section><h2>Latest events</h2><ul id="events"></ul></section>
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
  return page;
}

function sha256(source: string): string {
  return `sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}`;
}
