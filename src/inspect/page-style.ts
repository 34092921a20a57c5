/** The live view page's stylesheet (inlined into the page; no external fonts or images). */
export const PAGE_STYLE = `
:root { --bg: #f6f7f9; --panel: #fff; --ink: #1d2430; --muted: #6b7380; --line: #dde1e7; --accent: #2f6fde; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
header { display: flex; align-items: center; gap: 18px; padding: 12px 20px; background: #1d2430; color: #fff; }
header h1 { font-size: 17px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .counts { display: flex; gap: 14px; color: #c9d1dc; font-size: 13px; }
header .counts b { color: #fff; }
#connection { margin-left: auto; font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #5b6470; }
#connection.live { background: #1f9d55; }
#banner { display: none; padding: 10px 20px; background: #fde8e8; color: #8a1c1c; border-bottom: 1px solid #f5c2c2; }
#banner.shown { display: block; }
main { display: grid; grid-template-columns: minmax(420px, 1.1fr) minmax(380px, 1fr); gap: 16px; padding: 16px 20px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 16px; }
section h2 { margin: 0 0 10px; font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree ul { margin-left: 18px; border-left: 1px dashed var(--line); padding-left: 10px; }
.tree li { margin: 6px 0; }
.agent { display: grid; grid-template-columns: 1fr auto; gap: 2px 10px; padding: 6px 10px; border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px; background: #fbfcfd; }
.agent .name { font-weight: 600; }
.agent .role { color: var(--muted); font-weight: 400; font-size: 12px; margin-left: 6px; }
.agent .numbers { grid-column: 1 / -1; color: var(--muted); font-size: 12px; }
.state { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; align-self: center; }
.s-receiving { border-left-color: #9aa3ae; } .s-receiving .state { background: #eef0f3; color: #505864; }
.s-evaluatingEscalation { border-left-color: #d99a00; } .s-evaluatingEscalation .state { background: #fff3d1; color: #7a5600; }
.s-delegating { border-left-color: #2f6fde; } .s-delegating .state { background: #e2ecfd; color: #1d4ea3; }
.s-executing { border-left-color: #1f9d55; } .s-executing .state { background: #dcf5e6; color: #146b3a; }
.s-awaitingApproval { border-left-color: #d9480f; } .s-awaitingApproval .state { background: #ffe6d9; color: #9a3209; }
.s-stopped { border-left-color: #c2c7ce; opacity: .7; }
table { width: 100%; border-collapse: collapse; }
td, th { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 13px; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
button { font: inherit; font-size: 12px; padding: 3px 10px; border-radius: 5px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button.approve { background: #1f9d55; border-color: #1f9d55; color: #fff; }
button.reject { background: #fff; border-color: #d9480f; color: #9a3209; }
button:disabled { opacity: .5; cursor: default; }
select, input { font: inherit; font-size: 12px; padding: 2px 4px; max-width: 150px; }
.actions { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; }
.error { color: #8a1c1c; font-size: 12px; }
#events { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; font-size: 12.5px; }
#events li { padding: 3px 0; border-bottom: 1px solid #eef0f3; display: grid; grid-template-columns: 150px 1fr; gap: 8px; }
#events .type { color: var(--accent); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#events .task-completed .type { color: #1f9d55; }
#events .task-failed .type, #events .agent-fault .type { color: #c92a2a; }
#events .approval-requested .type, #events .escalation-raised .type { color: #d9480f; }
`;
