/**
 * Replaying stored runs: `echelon replay` on a SQLite file the crash test's driver left (killed
 * once, resumed to the end), and `org.history(taskId)`, the same steps as data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/index.js';
import { replayCommand, storedSteps } from '../src/cli/replay.js';
import { developmentTeam, EchelonError, forkStore, keepHistory, memoryStore } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { sqliteStore } from '../src/sqlite.js';
import { generation } from './crash/generation.js';
import { flush, orchestrators } from './support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-replay-'));
const db = join(dir, 'crashed.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // Killed at its 60th hook, then resumed to the end: two sessions in one file.
  const killed = await generation(db, join(dir, 'effects.log'), 3, 60);
  expect(killed.killed).toBe(true);
  const resumed = await generation(db, join(dir, 'effects.log'), 3, 0);
  expect(resumed.lines.at(-1)).toBe('DONE');
}, 120_000);

const cli = async (args: string[], input: NodeJS.ReadStream = new PassThrough() as unknown as NodeJS.ReadStream) => {
  const lines: string[] = [];
  const code = await main(args, { out: (line) => lines.push(...line.split('\n')), input });
  return { code, lines, text: lines.join('\n') };
};

const team = developmentTeam();
const chartLine = new RegExp(`^ {4}[│├└─ ]*(${team.nodes().map((node) => node.id).join('|')}) +(${AGENT_STATES.join('|')})`);

describe('echelon replay <file.db>', () => {
  it('steps through the whole stored run, across the crash, in the stepper\'s format', async () => {
    const { code, lines, text } = await cli(['replay', db, '--steps', '100000']);
    expect(code).toBe(0);
    const total = Number(/(\d+) journal entries, 2 session\(s\)/.exec(lines[0]!)?.[1]);
    expect(total).toBeGreaterThan(50);
    expect(text.match(/^── step \d+ /gm)).toHaveLength(total);
    expect(text).toMatch(/── step 1 · t=\+0 ms · session 1 · #1 ─+\n {4}• organisation\.started +the organisation starts \(session 1\)/);
    expect(text).toMatch(/• organisation\.resumed +the organisation resumes from the store \(session 2\)/);
    // A hop reads as the stepper's delivery line, with the sender's states.
    expect(text).toMatch(/ {2}backend_lead ← task\.assign s3-\S+ \(from cto\)\n {4}• task\.delegated +\S+ s3-\S+: cto → backend_lead\n {6}cto: receiving → delegating → receiving/);
    // After every step, the org chart with each agent's state at that moment; someone was executing, someone waited for approval.
    expect(lines.filter((line) => chartLine.test(line))).toHaveLength(total * team.size);
    expect(text).toMatch(/ executing +running 1/);
    expect(text).toMatch(/ awaitingApproval +awaiting approval 1/);
    expect(text).toMatch(/approved by \S+: approved after the crash test looked/);
    expect(lines.at(-1)).toBe(`── the end of the journal after ${total} steps`);
  });

  it('refuses a file that is not there, and creates none', async () => {
    const missing = join(dir, 'never-stored.db');
    await expect(cli(['replay', missing, '--steps', '1'])).rejects.toMatchObject({ code: 'invalid_option', message: `No file ${missing} to replay.` });
    expect(existsSync(missing)).toBe(false);
  });

  it('--task follows one submitted task and what it split into; a key per entry, q stops', async () => {
    const { text } = await cli(['replay', db, '--task', 's3-feature', '--steps', '1000', '--compact']);
    expect(text).toMatch(/s3-feature split by \S+ into s3-feature\.backend, s3-feature\.frontend/);
    expect(text).toMatch(/subtask s3-feature\.backend completed by/);
    expect(text).toMatch(/full_stack_feature s3-feature completed, split by \S+ — settled/);
    expect(text).not.toMatch(/s3-t\d/);
    expect(text.split('\n').filter((line) => chartLine.test(line))).toHaveLength(0);

    const input = new PassThrough();
    const stepping = cli(['replay', db, '--task', 's3-feature', '--compact'], input as unknown as NodeJS.ReadStream);
    input.write('\n\nq\n');
    const { text: stepped } = await stepping;
    expect(stepped.match(/^── step \d+/gm)).toEqual(['── step 1', '── step 2']);
    expect(stepped).toContain('── stopped');
  });

  it('refuses a task the file does not know, with its code', async () => {
    await expect(cli(['replay', db, '--task', 'nope', '--steps', '1'])).rejects.toMatchObject({ code: 'unknown_task' });
    // Without a file: a usage error, saying what it needs.
    const usage = cli(['replay']);
    await expect(usage).rejects.toBeInstanceOf(EchelonError);
    await expect(usage).rejects.toMatchObject({ code: 'invalid_option', message: 'echelon replay needs a SQLite file, e.g. echelon replay echelon-dev-team.db. Run echelon --help for usage.' });
  });
});

describe('org.history(taskId)', () => {
  const start = orchestrators({ hierarchy: team, executors: async (task) => `${task.type} done` });

  it('is the replay as data: each entry with every agent\'s state right after it', async () => {
    const store = memoryStore();
    const org = start({ store });
    const outcome = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist' });
    expect((await outcome).status).toBe('completed');
    await org.flush();
    const steps = org.history('risky');
    expect(steps.map((step) => step.entry.type)).toEqual([
      'task.submitted',
      'task.delegated',
      'task.delegated',
      'task.delegated',
      'approval.requested',
      'approval.decided',
      'approval.settled',
      'task.started',
      'task.ended',
      'task.settled',
    ]);
    const stateAt = (type: string, agent: string) => steps.find((step) => step.entry.type === type)!.agents.find((a) => a.id === agent)!.state;
    expect(stateAt('approval.requested', 'backend_dev_1')).toBe('awaitingApproval');
    expect(stateAt('task.started', 'backend_dev_1')).toBe('executing');
    expect(stateAt('task.settled', 'backend_dev_1')).toBe('receiving');
    expect(steps[1]!.moves).toEqual([{ agent: 'cto', states: ['receiving', 'delegating', 'receiving'] }]);
    expect(steps[5]!.text).toMatch(/approved by api_specialist/);
    // The same as `echelon replay --task` reads from the store.
    expect(storedSteps(store, 'risky')).toEqual(steps);
    expect(() => start().history('risky')).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('refuses a task id that is not a non-empty string, as org.outcome does, rather than answer no steps', () => {
    const org = start({ store: memoryStore() });
    for (const taskId of [5, '', null]) {
      expect(() => org.history(taskId as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/^org\.history takes a task id \(a non-empty string\)/) }));
    }
    expect(org.history('never-submitted')).toEqual([]);
  });
});

describe('a SQLite file that holds nothing', () => {
  it('org.history() and org.journal() without a store say which of them needs one', () => {
    const org = orchestrators({ hierarchy: team, executors: async () => 'done' })();
    expect(() => org.history()).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/^org\.history\(\) reads the store/) }));
    expect(() => org.journal()).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/^org\.journal\(\) reads the store/) }));
  });

  it('has nothing to replay', () => {
    const empty = sqliteStore(join(dir, 'empty.db'));
    expect(() => storedSteps(empty)).toThrow(expect.objectContaining({ code: 'unknown_task' }));
    empty.close();
  });
});

describe('forkStore: a new organisation from the stored state', () => {
  const start = orchestrators({ hierarchy: team, executors: async (task) => `${task.type} done` });

  it('what if this approval had been rejected: the fork rejects it, the original approves it, each in its own store', async () => {
    const original = memoryStore();
    const org = start({ store: original });
    const safe = await org.submit({ id: 'safe', type: 'react' });
    const risky = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
    await flush();
    await org.flush();
    const approval = org.approvals.pending()[0]!;

    const copy = memoryStore();
    const point = forkStore(original, copy);
    expect(point).toMatchObject({ seq: original.journal().at(-1)!.seq, activeTasks: ['risky'], pendingApprovals: [approval.id], activeEscalations: [] });
    const fork = start({ store: copy, resume: true });
    expect(fork.approvals.pending().map((pending) => pending.id)).toEqual([approval.id]);
    expect(fork.agentState('backend_dev_1').state).toBe('awaitingApproval');
    fork.approvals.reject(approval.id, { by: 'backend_lead', reason: 'what if we had said no?' });
    org.approvals.approve(approval.id, { by: 'api_specialist' });

    expect(await fork.outcome('risky')).toMatchObject({ status: 'rejected', approvals: [{ status: 'rejected', decisions: [{ by: 'backend_lead', note: 'what if we had said no?' }] }] });
    expect(await risky).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
    // What happened before the fork is in both; the fork goes on in a session of its own.
    expect(await fork.outcome('safe')).toEqual(safe);
    await Promise.all([org.flush(), fork.flush()]);
    const before = (store: typeof original) => store.journal().filter((entry) => entry.seq <= point.seq);
    expect(before(copy)).toEqual(before(original));
    expect(copy.journal().filter((entry) => entry.seq > point.seq).map((entry) => [entry.session, entry.type])).toEqual(
      expect.arrayContaining([[2, 'organisation.resumed'], [2, 'approval.decided'], [2, 'task.settled']]),
    );
    const later = original.journal().filter((entry) => entry.seq > point.seq);
    expect(later.length).toBeGreaterThan(0);
    expect(new Set(later.map((entry) => entry.session))).toEqual(new Set([1]));
    expect(original.journal({ taskId: 'risky' }).some((entry) => entry.type === 'task.started')).toBe(true);
    expect(copy.journal({ taskId: 'risky' }).some((entry) => entry.type === 'task.started')).toBe(false);
  });

  it('with the store\'s history kept, forks in the past: the approval the original granted is rejected in the fork', async () => {
    const history = join(dir, 'run.history.jsonl');
    const original = memoryStore();
    const org = start({ store: keepHistory(original, history) });
    const risky = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist' });
    expect(await risky).toMatchObject({ status: 'completed' });
    await org.submit({ id: 'later', type: 'react' });
    await org.flush();

    const asked = original.journal().find((entry) => entry.type === 'approval.requested')!;
    const copy = memoryStore();
    const point = forkStore(original, copy, { at: asked.seq, history });
    expect(point.seq).toBeLessThanOrEqual(asked.seq);
    expect(copy.journal().map((entry) => entry.type)).not.toContain('approval.decided');
    expect(point).toMatchObject({ activeTasks: ['risky'], pendingApprovals: [expect.any(String)] });
    const fork = start({ store: copy, resume: true });
    fork.approvals.reject(point.pendingApprovals[0]!, { by: 'cto', reason: 'what if we had said no?' });
    expect(await fork.outcome('risky')).toMatchObject({ status: 'rejected' });
    await expect(fork.outcome('later')).rejects.toMatchObject({ code: 'unknown_task' }); // submitted after the fork point
    expect(await org.outcome('risky')).toMatchObject({ status: 'completed' });

    expect(() => forkStore(original, memoryStore(), { at: asked.seq })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('history') }));
    expect(() => forkStore(original, memoryStore(), { at: 0, history })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('first write') }));
    expect(() => keepHistory(original, join(dir, 'missing.jsonl'))).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('forks the crash test\'s file: the same journal, every outcome, the same replay', () => {
    const source = sqliteStore(db);
    const target = sqliteStore(join(dir, 'fork.db'));
    try {
      const point = forkStore(source, target);
      expect(point.activeTasks).toEqual([]);
      expect(target.header()).toEqual(source.header());
      expect(target.journal()).toEqual(source.journal());
      expect(storedSteps(target)).toEqual(storedSteps(source));
      for (const entry of source.journal().filter((e) => e.type === 'task.submitted')) expect(target.outcome(entry.taskId!)).toEqual(source.outcome(entry.taskId!));
      expect(() => forkStore(source, target)).toThrow(expect.objectContaining({ code: 'store_in_use' }));
      expect(() => forkStore(memoryStore(), memoryStore())).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    } finally {
      source.close();
      target.close();
    }
  });
});

describe('echelon replay <file.db> --view', () => {
  it('serves the stored run as a page to scrub, read-only, until interrupted', async () => {
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const lines: string[] = [];
    const running = replayCommand({ file: db, tree: false, out: (line) => lines.push(line), input: new PassThrough() as unknown as NodeJS.ReadStream, view: { port: 0, host: '127.0.0.1', interrupted } });
    // Waits for the server to say where it listens, however many event-loop turns that takes on a busy machine.
    await vi.waitFor(() => expect(lines.some((line) => line.includes('http://'))).toBe(true), { timeout: 30_000, interval: 5 });
    const url = /(http:\/\/\S+)/.exec(lines.join('\n'))![1]!;
    const page = await fetch(url);
    expect(await page.text()).toContain('data-mode="replay"');
    const steps = (await (await fetch(`${url}api/history`)).json()) as Array<{ index: number; entry: { type: string } }>;
    const store = sqliteStore(db);
    expect(steps.map((step) => step.index)).toEqual(storedSteps(store).map((step) => step.index));
    store.close();
    expect((await fetch(`${url}api/history?limit=5`).then((response) => response.json())) as unknown[]).toHaveLength(5);
    const act = await fetch(`${url}api/approvals/x/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(act.status).toBe(404);
    interrupt();
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('echelon fork <from.db> <to.db>', () => {
  it('writes a new file with the stored organisation, refuses to overwrite one, and needs the history for an earlier point', async () => {
    const to = join(dir, 'cli-fork.db');
    const { code, lines } = await cli(['fork', db, to]);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^forked ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} after entry #\\d+ into `));
    expect(lines).toContain('  pending approvals:  none');
    const replayed = await cli(['replay', to, '--steps', '100000', '--compact']);
    expect(replayed.lines.at(-1)).toBe((await cli(['replay', db, '--steps', '100000', '--compact'])).lines.at(-1));
    await expect(cli(['fork', db, to])).rejects.toMatchObject({ code: 'store_in_use' });
    await expect(cli(['fork', db, join(dir, 'cli-fork-2.db'), '--at', '3'])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('history') });
    expect(existsSync(join(dir, 'cli-fork-2.db'))).toBe(false);
    await expect(cli(['fork', db])).rejects.toMatchObject({ code: 'invalid_option' });
  });
});
