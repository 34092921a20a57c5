/** The live view page's stylesheet (inlined into the page; no external fonts or images). Two columns on wide screens, one below 820 px. */
export const PAGE_STYLE = `
:root { --bg: #f6f7f9; --panel: #fff; --ink: #1d2430; --muted: #6b7380; --line: #dde1e7; --accent: #2f6fde; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; padding: 12px 20px; background: #1d2430; color: #fff; }
header h1 { font-size: 17px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .counts { display: flex; flex-wrap: wrap; gap: 4px 14px; color: #c9d1dc; font-size: 13px; }
header .counts b { color: #fff; }
#connection { margin-left: auto; font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #5b6470; }
#connection.live { background: #1f9d55; }
#banner { display: none; padding: 10px 20px; background: #fde8e8; color: #8a1c1c; border-bottom: 1px solid #f5c2c2; }
#banner.shown { display: block; }
main { display: grid; grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); gap: 16px; padding: 16px 20px; }
.column { min-width: 0; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 16px; min-width: 0; }
section h2 { margin: 0 0 10px; font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
section h3 { margin: 12px 0 6px; font-size: 13px; color: var(--muted); }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree ul { margin-left: 14px; border-left: 1px dashed var(--line); padding-left: 8px; }
.tree li { margin: 6px 0; }
.agent { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 2px 10px; padding: 6px 10px; border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px; background: #fbfcfd; }
.agent.selected { box-shadow: 0 0 0 2px var(--accent); }
.agent .name { font-weight: 600; min-width: 0; overflow-wrap: anywhere; }
.agent .name button.pick { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; color: var(--ink); cursor: pointer; text-align: left; }
.agent .name button.pick:hover { color: var(--accent); text-decoration: underline; }
.agent .role { color: var(--muted); font-weight: 400; font-size: 12px; margin-left: 6px; }
.agent .numbers, .agent .caps { grid-column: 1 / -1; color: var(--muted); font-size: 12px; }
.agent .said { grid-column: 1 / -1; margin-top: 4px; padding: 4px 6px; border-radius: 4px; background: #f1f6ff; font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 8em; overflow: auto; }
.agent .said.done { background: #f3f4f6; color: var(--muted); }
.agent .said .said-task { color: var(--muted); }
.agent .caps span { display: inline-block; margin: 2px 4px 0 0; padding: 0 6px; border-radius: 8px; background: #eef0f3; color: #505864; font-size: 11px; }
.state { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; align-self: center; }
.s-receiving { border-left-color: #9aa3ae; } .s-receiving .state { background: #eef0f3; color: #505864; }
.s-evaluatingEscalation { border-left-color: #d99a00; } .s-evaluatingEscalation .state { background: #fff3d1; color: #7a5600; }
.s-delegating { border-left-color: #2f6fde; } .s-delegating .state { background: #e2ecfd; color: #1d4ea3; }
.s-executing { border-left-color: #1f9d55; } .s-executing .state { background: #dcf5e6; color: #146b3a; }
.s-awaitingApproval { border-left-color: #d9480f; } .s-awaitingApproval .state { background: #ffe6d9; color: #9a3209; }
.s-stopped { border-left-color: #c2c7ce; opacity: .7; }
#statechart svg { width: 100%; height: auto; max-height: 360px; display: block; }
.statechart g.state rect { fill: #f4f6f9; stroke: #9aa3ae; stroke-width: 1.2; }
.statechart g.state text { font: 12px system-ui, sans-serif; fill: #1d2430; text-anchor: middle; }
.statechart g.state.lit > rect { fill: #dcf5e6; stroke: #1f9d55; stroke-width: 3; }
.statechart g.state.lit > text { font-weight: 700; }
.statechart .edge { fill: none; stroke: #8a93a0; stroke-width: 1.1; }
.statechart .label { font: 10px system-ui, sans-serif; fill: #5b6470; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.statechart g.transition:hover .edge { stroke: var(--accent); stroke-width: 2; } .statechart g.transition:hover .label { fill: var(--accent); }
.statechart marker path, .statechart .initial { fill: #8a93a0; }
.hint { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
table { width: 100%; border-collapse: collapse; }
td, th { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 13px; overflow-wrap: break-word; }
#approvals, #escalations { table-layout: fixed; }
#approvals td.task, #escalations td.task { width: 26%; } #approvals td.who, #escalations td.why { width: 34%; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
button { font: inherit; font-size: 12px; padding: 4px 10px; border-radius: 5px; border: 1px solid var(--line); background: #fff; cursor: pointer; min-height: 28px; }
button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
button.approve, button.resolve-button { background: #1f9d55; border-color: #1f9d55; color: #fff; }
button.reject { background: #fff; border-color: #d9480f; color: #9a3209; }
button.quiet { background: #f4f6f9; }
button:disabled { opacity: .5; cursor: default; }
select, input { font: inherit; font-size: 12px; padding: 3px 4px; max-width: 100%; min-height: 28px; }
.actions { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; }
.error { color: #8a1c1c; font-size: 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 10px; margin-bottom: 8px; font-size: 12px; color: var(--muted); }
#tasks { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow: auto; }
#tasks li { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; padding: 4px 0; border-bottom: 1px solid #eef0f3; }
#tasks li.selected { background: #eef4fe; }
#tasks button.open { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#tasks small { color: var(--muted); }
.badge { font-size: 11px; padding: 0 7px; border-radius: 8px; background: #eef0f3; color: #505864; }
.st-active { background: #e2ecfd; color: #1d4ea3; } .st-completed { background: #dcf5e6; color: #146b3a; }
.st-failed, .st-rejected { background: #fde8e8; color: #8a1c1c; } .st-cancelled { background: #eef0f3; color: #505864; }
.scroll { overflow-x: auto; }
table.timeline td:first-child { white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.subtasks ul { margin: 2px 0 2px 16px; padding: 0; }
dl.outcome { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; margin: 0; font-size: 13px; }
dl.outcome dt { color: var(--muted); } dl.outcome dd { margin: 0; overflow-wrap: anywhere; }
.replay-controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
#scrub { flex: 1 1 160px; }
#replay-at { color: var(--muted); font-size: 12px; margin: 6px 0 2px; } #replay-text { margin: 0 0 8px; font-weight: 600; overflow-wrap: anywhere; }
#events { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; font-size: 12.5px; }
#events li { padding: 3px 0; border-bottom: 1px solid #eef0f3; display: grid; grid-template-columns: 150px minmax(0, 1fr); gap: 8px; overflow-wrap: anywhere; }
#events .type { color: var(--accent); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#events .task-completed .type { color: #1f9d55; }
#events .task-failed .type, #events .agent-fault .type { color: #c92a2a; }
#events .approval-requested .type, #events .escalation-raised .type { color: #d9480f; }
body[data-mode="replay"] main { grid-template-columns: minmax(0, 1fr); max-width: 980px; margin: 0 auto; }
@media (max-width: 820px) {
  main { grid-template-columns: minmax(0, 1fr); padding: 10px; gap: 0; }
  header { padding: 10px; }
  #approvals td, #escalations td { display: block; border-bottom: 0; padding: 3px 2px; }
  #approvals tr, #escalations tr { display: block; border-bottom: 1px solid var(--line); padding: 4px 0; }
  #events li { grid-template-columns: minmax(0, 1fr); gap: 0; }
}
`;
