/**
 * `forkStore` and `readHistory` at the door: a history that is not one, the history of another
 * store, and options a fork does not take are refused with what is wrong, before anything is
 * written to the target; `replaySteps` refuses a journal that is not one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { developmentTeam, forkStore, keepHistory, memoryStore, type Store } from '../../src/index.js';
import { chartFromLinks, replaySteps } from '../../src/replay/index.js';
import { orchestrators } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-fork-door-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });

/** A store with its history, after the given tasks ran. */
async function run(name: string, types: readonly string[]): Promise<{ store: Store; history: string }> {
  const history = join(dir, `${name}.jsonl`);
  const store = memoryStore();
  const org = start({ store: keepHistory(store, history) });
  for (const [index, type] of types.entries()) await org.submit({ id: `${name}-${index}`, type });
  await org.flush();
  return { store, history };
}

describe('forkStore at the door', () => {
  it('refuses a history file whose lines are not batches (store_corrupt, naming the line), and writes nothing', async () => {
    const { store } = await run('plain', ['python']);
    for (const [file, text] of [['objects.jsonl', '{"a":1}\n{"b":2}\n'], ['null.jsonl', 'null\n'], ['number.jsonl', '42\n{"journal":[]}\n']] as const) {
      writeFileSync(join(dir, file), text);
      const target = memoryStore();
      // Before: a TypeError (reading 'length' / 'journal' of undefined or null).
      expect(() => forkStore(store, target, { at: 1, history: join(dir, file) })).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('Line 1 of the store history') }));
      expect(target.header()).toBeUndefined();
    }
  });

  it('refuses a history without an entry to fork at (it would be ignored: the last write is forked)', async () => {
    const { store } = await run('no-at', ['python']);
    const target = memoryStore();
    expect(() => forkStore(store, target, { history: join(dir, 'never-read.jsonl') })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('history is read only to fork at an earlier entry') }));
    expect(target.header()).toBeUndefined();
  });

  it('refuses a history path that is a directory (invalid_option, not EISDIR)', async () => {
    const { store } = await run('directory', ['python']);
    expect(() => forkStore(store, memoryStore(), { at: 1, history: dir })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('is no file') }));
  });

  it("refuses the history of another store, even a shorter one (it forked that other organisation)", async () => {
    const { store } = await run('mine', ['python', 'react', 'sql']);
    const other = await run('theirs', ['react']);
    const target = memoryStore();
    expect(() => forkStore(store, target, { at: 3, history: other.history })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining(`is not the history of ${store.name}`) }));
    expect(target.header()).toBeUndefined();
    // A history cut short by a crash is still its store's.
    const { store: crashed, history } = await run('crashed', ['python', 'react']);
    const lines = readFileSync(history, 'utf8').split('\n');
    writeFileSync(history, `${lines.slice(0, 2).join('\n')}\n${lines[2]!.slice(0, 15)}`);
    expect(forkStore(crashed, memoryStore(), { at: 100, history }).seq).toBeGreaterThan(0);
  });

  it('refuses options it does not take and an entry that is not a whole number ≥ 0', async () => {
    const { store, history } = await run('options', ['python']);
    // Before: { att: 5 } forked the latest state, and '5' was compared as a number.
    expect(() => forkStore(store, memoryStore(), { att: 5 } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('did you mean "at"') }));
    for (const at of ['5', Number.NaN, -1, 1.5]) {
      expect(() => forkStore(store, memoryStore(), { at: at as number, history })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/forkStore: (at must be a number|at is a journal entry's seq, a whole number ≥ 0)/) }));
    }
  });
});

describe('replaySteps at the door', () => {
  it('refuses entries that are not a journal and agents that are not links (invalid_option, not a TypeError)', async () => {
    const { store } = await run('replay', ['python']);
    const links = store.header()!.agents;
    expect(replaySteps(store.journal(), links).length).toBe(store.journal().length);
    for (const [entries, agents, what] of [
      ['journal', links, /^replaySteps: entries must be an array/],
      [[null], links, /^replaySteps: entries\[0\]/],
      [store.journal(), undefined, /^replaySteps: agents must be an array/],
      [store.journal(), [{ parent: null }], /^replaySteps: agents\[0\]/],
    ] as const) {
      expect(() => replaySteps(entries as never, agents as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(what) }));
    }
  });

  it('steps through entries whose lists are not lists (a journal from elsewhere), not a TypeError', () => {
    const links = [{ id: 'cto', parent: null }];
    const entry = (type: string, data: Record<string, unknown>) => ({ seq: 1, session: 1, at: 0, type, actor: 'cto', taskId: 't', data });
    expect(replaySteps([entry('task.cancelling', { taskIds: 'abc', reason: 'r' })], links)[0]!.text).toBe('cancelling t by cto: r');
    expect(replaySteps([entry('task.decomposed', { subtasks: 'ab' })], links)[0]!.text).toBe('t split by cto into ?');
    expect(replaySteps([entry('task.deferred', { resources: { db: 1 } })], links)[0]!.text).toBe('t at cto waits for resources');
    expect(replaySteps([entry('task.decomposed', { subtasks: ['t.a', 3] })], links)[0]!.text).toBe('t split by cto into t.a, 3');
  });

  it('chartFromLinks refuses links with no single root, or a parent that is no agent (store_corrupt), as its TSDoc says', () => {
    expect(chartFromLinks([{ id: 'cto', parent: null }, { id: 'lead', parent: 'cto' }]).get('cto').childIds).toEqual(['lead']);
    // Before: two roots gave the first one's chart, and a link to a parent nobody is was dropped.
    expect(() => chartFromLinks([{ id: 'a', parent: null }, { id: 'b', parent: null }])).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('2 root agents (a, b)') }));
    expect(() => chartFromLinks([{ id: 'a', parent: null }, { id: 'b', parent: 'ghost' }])).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('"b" reports to "ghost"') }));
    expect(() => chartFromLinks([])).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
  });
});
