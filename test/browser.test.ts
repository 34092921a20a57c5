/**
 * The live view in a real browser: Debian's Chromium driven by playwright-core (`.ci/run` installs
 * it when missing). Screenshots go to test-results/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, memoryStore, type LiveView, type Orchestrator, type Stepper } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { createStepper } from '../src/scenario/index.js';
import onCall from '../examples/on-call.js';
import { escalationDeciders } from '../src/inspect/deciders.js';
import { serveLiveView, serveReplay } from '../src/inspect/index.js';
import needsApproval from './fixtures/needs-approval.js';
import hostile, { HOSTILE, HOSTILE_ID } from './fixtures/hostile-text.js';
import { UNSHOWABLE } from '../src/show.js';
import { deferred, flush } from './support/helpers.js';
import { streaming, streamWords } from './support/mock-model.js';
import { llmExecutor } from '../src/ai/index.js';
import { ARTIFACTS, SHOWS, useBrowser } from './support/browser.js';

const tabs = useBrowser();
const { cleanup } = tabs;
let page: Page;

/** Opens the page in a fresh tab, noting any request that goes anywhere but the live view (it must work offline). */
const openPage = async (url: string) => {
  const opened = await tabs.open(url);
  page = opened.page;
  return opened;
};

/** A character of those the page shows escaped, in the text it shows. */
const RAW_TEXT = new RegExp(UNSHOWABLE.source);

const agentIn = (agent: string, state: string) => `[data-agent="${agent}"][data-state="${state}"]`;

describe('the live view in a browser', () => {
  it('shows a running scenario live; Approve, as the identity chosen on the page, lets the task complete', async () => {
    const lines: string[] = [];
    let view!: LiveView;
    const stepper: Stepper = await createStepper(needsApproval, {
      log: (line) => lines.push(line),
      waitForPeople: true,
      prepare: async (org) => (view = await serveLiveView(org)),
    });
    cleanup.push(() => stepper.close());
    const { outside, errors } = await openPage(view.url);

    // Before anything moves: the org chart, every agent idle, the stream connected, the first hops listed.
    await page.waitForSelector('#connection.live', SHOWS);
    for (const node of developmentTeam().nodes()) await page.waitForSelector(agentIn(node.id, 'receiving'), SHOWS);
    expect(await page.locator('#events li[data-type="task.submitted"]').count()).toBe(2);

    // Let the scenario run: the page sees the python task park at backend_dev_1.
    const driving = (async () => {
      while ((await stepper.step()) !== undefined);
    })();
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    const row = page.locator('#approvals tr[data-approval]');
    await row.waitFor(SHOWS);
    expect(await row.locator('.task').innerText()).toContain('python');
    expect(await page.locator('[data-agent="cto"] .numbers').innerText()).toMatch(/load \d \(backend_lead:1/);
    await page.waitForSelector('#events li[data-type="approval.requested"]', SHOWS);
    await page.screenshot({ path: `${ARTIFACTS}/live-view.png` });

    // The "as" selector offers only those with the authority (the server refuses anyone else: live-view.test.ts).
    expect(await row.locator('select.by option').allInnerTexts()).toEqual(['api_specialist', 'backend_lead', 'cto']);
    // Capabilities show on the org chart.
    expect(await page.locator('[data-agent="api_specialist"] .caps').innerText()).toMatch(/api_design[\s\S]*rest[\s\S]*graphql/);

    // The approver asked for approves: the task runs and completes.
    await row.locator('select.by').selectOption('api_specialist');
    await row.locator('input.note').fill('approved in the browser');
    await row.locator('button.approve').click();
    await page.waitForSelector('#events li[data-type="task.completed"][data-task="risky"]', SHOWS);
    await page.waitForSelector(agentIn('backend_dev_1', 'receiving'), SHOWS);
    await page.waitForSelector('#no-approvals:visible', SHOWS);
    await driving;
    expect(lines).toEqual(['risky: completed by backend_dev_1', 'safe: completed by react_specialist']);
    expect(stepper.org.escalations.resolved()).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/live-view-done.png` });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('with a token, the page without it refuses to show or act; with it, it works', async () => {
    const token = 'browser-test-token-0123456789';
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    cleanup.push(() => org.stop());
    const view = await serveLiveView(org, { token });
    const outcome = org.submit({ type: 'python', context: { requiresApproval: true } });
    await flush();

    await openPage(view.url.replace(/#.*$/, ''));
    await page.locator('#banner', { hasText: 'needs its token' }).waitFor(SHOWS);
    expect(await page.locator('[data-agent]').count()).toBe(0);
    await page.close();

    await openPage(view.url);
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    await page.locator('#approvals tr[data-approval] button.approve').click();
    expect((await outcome).status).toBe('completed');
  });
});

describe('people decide on the page (examples/on-call.ts under the live view)', () => {
  it('lights the waiting agent\'s statechart, approves the deployment and resolves the escalation; the task list and timeline show it', async () => {
    const lines: string[] = [];
    let view!: LiveView;
    const stepper: Stepper = await createStepper(onCall, {
      log: (line) => lines.push(line),
      waitForPeople: true,
      prepare: async (org) => (view = await serveLiveView(org)),
    });
    cleanup.push(() => stepper.close());
    const { outside, errors } = await openPage(view.url);
    const driving = (async () => {
      while ((await stepper.step()) !== undefined);
    })();

    // The deployment parks at backend_dev_1: its chart, drawn from the machine definition, lights awaitingApproval.
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    await page.locator('[data-pick="backend_dev_1"]').click();
    await page.waitForSelector('#statechart svg g.state.lit[data-state="awaitingApproval"]', SHOWS);
    expect(await page.locator('#statechart svg g.state.lit').count()).toBe(1);
    for (const state of AGENT_STATES) expect(await page.locator(`#statechart svg g.state[data-state="${state}"]`).count()).toBe(1);
    expect(await page.locator('#chart-agent').textContent()).toBe('backend_dev_1 (awaitingApproval)');

    // The legacy build reaches a person: the row offers those above the agent that raised it, and the agents that may take it.
    const row = page.locator('#escalations tr[data-escalation]');
    await row.locator('select.by').waitFor(SHOWS);
    const escalation = stepper.org.escalations.active().find((e) => e.to === 'human')!;
    expect(await row.locator('select.by option').allInnerTexts()).toEqual(escalationDeciders(stepper.org.hierarchy, escalation));
    await page.screenshot({ path: `${ARTIFACTS}/live-view-people.png`, fullPage: true });

    // Approve the deployment, with the keyboard.
    const approval = page.locator('#approvals tr[data-approval]');
    await approval.locator('button.approve').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#tasks li[data-task="deploy-api"][data-status="completed"]', SHOWS);

    // Resolve the escalation with a result.
    await row.locator('select.how').selectOption('result');
    await row.locator('input.value').fill('rolled back by hand');
    await row.locator('button.resolve-button').click();
    await page.waitForSelector('#tasks li[data-task="legacy-build"][data-status="completed"]', SHOWS);
    await driving;
    expect(lines.filter((line) => line.startsWith('  → '))).toEqual(['  → deploy-api: completed (python shipped by backend_dev_1)', '  → legacy-build: completed (rolled back by hand)']);

    // The task list filters by status, type and agent, and searches by id.
    expect(await page.locator('#tasks li').count()).toBe(2);
    await page.locator('#f-search').fill('legacy');
    expect(await page.locator('#tasks li').count()).toBe(1);
    await page.locator('#f-search').fill('');
    await page.locator('#f-agent').selectOption('frontend_lead');
    expect(await page.locator('#tasks li').count()).toBe(0);
    await page.locator('#f-agent').selectOption('');
    await page.locator('#f-status').selectOption('failed');
    expect(await page.locator('#tasks li').count()).toBe(0);
    await page.locator('#f-status').selectOption('completed');
    await page.locator('#f-type').selectOption('python');
    expect(await page.locator('#tasks li').count()).toBe(2);

    // The legacy build's timeline: each hop, the retries, the escalations with times, and its outcome.
    await page.locator('#tasks [data-open="legacy-build"]').click();
    await page.waitForSelector('#timeline .outcome', SHOWS);
    const types = await Promise.all((await page.locator('#timeline tr[data-type]').all()).map((row) => row.getAttribute('data-type')));
    expect(types[0]).toBe('task.submitted');
    expect(types).toEqual(expect.arrayContaining(['task.delegated', 'task.started', 'escalation.raised', 'escalation.resolved', 'task.settled']));
    expect(await page.locator('#timeline .outcome').innerText()).toMatch(/status\s+completed[\s\S]*rolled back by hand[\s\S]*escalation\s+execution_failed backend_dev_1 → api_specialist/);
    expect(await page.locator('#timeline tr[data-type="task.started"]').first().innerText()).toMatch(/^\+\d+ ms\s+backend_dev_1\s+python legacy-build executing at backend_dev_1\s+backend_dev_1: receiving → executing/);
    await page.screenshot({ path: `${ARTIFACTS}/live-view-timeline.png`, fullPage: true });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('works 400 px wide: nothing runs off the side, and the buttons can be reached and pressed', async () => {
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    cleanup.push(() => org.stop());
    const view = await serveLiveView(org);
    const outcome = org.submit({ type: 'python', context: { requiresApproval: true } });
    await flush();
    page = await tabs.newPage();
    await page.setViewportSize({ width: 400, height: 900 });
    await page.goto(view.url);
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
    const approve = page.locator('#approvals button.approve');
    const box = (await approve.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(400);
    await page.screenshot({ path: `${ARTIFACTS}/live-view-narrow.png`, fullPage: true });
    await approve.focus();
    await page.keyboard.press('Space');
    expect((await outcome).status).toBe('completed');
  });
});

describe('replay on the page', () => {
  it('scrubs a stored run: each entry with every agent\'s state at that moment', async () => {
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: memoryStore() });
    cleanup.push(() => org.stop());
    const outcome = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist' });
    await outcome;
    await org.submit({ id: 'safe', type: 'react' });
    await org.flush();
    const steps = org.history();

    // The replay view, as `echelon replay <file> --view` serves it: no organisation behind it.
    const view = await serveReplay(steps);
    cleanup.push(() => view.close());
    const { outside, errors } = await openPage(view.url);
    await page.waitForSelector('#replay-section:visible', SHOWS);
    expect(await page.locator('#org').isVisible()).toBe(false);
    await page.locator('#replay-at', { hasText: `entry ${steps.length} of ${steps.length}` }).waitFor(SHOWS);
    const parkedAt = steps.findIndex((step) => step.entry.type === 'approval.requested');
    const scrub = page.locator('#scrub');
    await scrub.fill(String(parkedAt));
    await page.waitForSelector(`#replay-tree ${agentIn('backend_dev_1', 'awaitingApproval')}`, SHOWS);
    expect(await page.locator('#replay-text').innerText()).toMatch(/^approval\.requested: python risky at backend_dev_1 awaits approval by api_specialist/);
    await page.screenshot({ path: `${ARTIFACTS}/replay.png`, fullPage: true });
    // One entry on, with the keyboard: the decision; two more and the worker executes.
    await scrub.focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#replay-text', { hasText: 'approval.decided' }).waitFor(SHOWS);
    await page.locator('#replay-next').click();
    await page.locator('#replay-next').click();
    await page.waitForSelector(`#replay-tree ${agentIn('backend_dev_1', 'executing')}`, SHOWS);
    await page.locator('#replay-prev').click();
    await page.waitForSelector(`#replay-tree ${agentIn('backend_dev_1', 'receiving')}`, SHOWS);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('on the live view of an organisation with a store, a task\'s timeline can be replayed', async () => {
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: memoryStore() });
    cleanup.push(() => org.stop());
    const view = await serveLiveView(org);
    await org.submit({ id: 'first', type: 'sql' });
    await org.flush();
    const { outside, errors } = await openPage(view.url);
    await page.locator('#tasks [data-open="first"]').click();
    await page.locator('#timeline', { hasText: 'from the journal' }).waitFor(SHOWS);
    await page.locator('#timeline button.replay-task').click();
    await page.locator('#replay-of', { hasText: 'of first' }).waitFor(SHOWS);
    await page.locator('#scrub').fill('0');
    await page.locator('#replay-text', { hasText: 'task.submitted: sql first submitted at cto' }).waitFor(SHOWS);
    // The scrubber at 0 shows the journal's first record, alone.
    expect(await page.locator('#replay-text').innerText()).toBe('task.submitted: sql first submitted at cto');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a running task\'s streamed output under its agent as it arrives, before the task completes', async () => {
    const model = streaming([streamWords(['first ', 'tokens ', '…and the rest'])], (_turn, part) => (part >= 4 ? rest.promise : undefined));
    const rest = deferred<void>();
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: { byId: { backend_dev_1: llmExecutor({ model }) }, default: async () => 'done' } });
    cleanup.push(() => org.stop());
    const view = await serveLiveView(org);
    const { outside, errors } = await openPage(view.url);
    await page.waitForSelector('#connection.live', SHOWS);
    const outcome = org.submit({ id: 'typing', type: 'python' });
    // The model is held after its second word: what the page shows now, it shows before the end.
    const said = page.locator('[data-agent="backend_dev_1"] [data-said="backend_dev_1"]');
    await page.locator('[data-said="backend_dev_1"]', { hasText: 'first tokens' }).waitFor(SHOWS);
    expect(org.status().activeTasks).toBe(1);
    expect(await said.innerText()).not.toContain('the rest');
    expect(model.doStreamCalls).toHaveLength(1); // streamed because the page listens
    await page.screenshot({ path: `${ARTIFACTS}/live-view-streaming.png` });
    rest.resolve();
    expect((await outcome).result).toBe('first tokens …and the rest');
    await page.locator('[data-said="backend_dev_1"].done', { hasText: 'and the rest' }).waitFor(SHOWS);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('hostile text on the page (test/fixtures/hostile-text.ts)', () => {
  it('runs no script from data, shows control characters and bidi overrides as \\uXXXX, and decides as an agent whose id holds one', async () => {
    let view!: LiveView;
    const lines: string[] = [];
    const stepper: Stepper = await createStepper(hostile, { log: (line) => lines.push(line), waitForPeople: true, prepare: async (org) => (view = await serveLiveView(org)) });
    cleanup.push(() => stepper.close());
    const { outside, errors } = await openPage(view.url);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const driving = (async () => {
      while ((await stepper.step()) !== undefined);
    })();
    const approval = page.locator('#approvals tr[data-approval]');
    const escalation = page.locator('#escalations tr[data-escalation]', { has: page.locator('button.resolve-button') });
    await approval.waitFor(SHOWS);
    await escalation.waitFor(SHOWS);
    await page.locator('#events li[data-type="escalation.raised"]').first().waitFor(SHOWS);
    await page.locator('[data-pick]').nth(1).click();
    await page.locator('[data-open="fails"]').click();
    await page.waitForSelector('#timeline table', SHOWS);

    // Shown, not obeyed: the text the page shows holds the escapes, and none of the characters (before: U+202E read the rest of "may decide: …" backwards).
    const text = await page.locator('body').innerText();
    expect(text.match(RAW_TEXT)).toBeNull();
    expect(await approval.innerText()).toContain(`reason ${HOSTILE.slice(0, 20)}`);
    expect(await approval.innerText()).toMatch(/\\u001b\[2J\\u001b\]0;PWNED\\u0007.* \\u202eevil\\u0000nul\\u000d\\u009b31m · 0\/1 · may decide: lead<img/);
    expect(await escalation.innerText()).toContain('boom </script><script>window.__pwned=1</script>');
    expect(await page.locator('#chart-agent').textContent()).toBe(`${HOSTILE_ID.replace('\u202e', '\\u202e')} (receiving)`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);

    // The "as" selector shows the id escaped but decides as the agent itself.
    await approval.locator('select.by').selectOption(HOSTILE_ID);
    await approval.locator('button.approve').click();
    await page.waitForSelector('#tasks li[data-task="asks"][data-status="completed"]', SHOWS);
    await escalation.locator('input.value').fill('handled');
    await escalation.locator('button.resolve-button').click();
    await driving;
    expect(stepper.org.approvals.pending()).toEqual([]);
    expect(lines.filter((line) => line.startsWith('asks: completed') || line.startsWith('fails: completed'))).toHaveLength(2);
    expect({ outside, errors, dialogs }).toEqual({ outside: [], errors: [], dialogs: [] });
  });
});
