/**
 * A user's callbacks that go wrong — an `org.on` listener, an `onProgress` listener,
 * `onEscalation` — whether they throw, return a promise that rejects (an `async` callback), or
 * throw a value that cannot even be shown: each is said on the console, the organisation goes on,
 * and nothing is left unhandled (vitest fails a file with an unhandled rejection).
 */
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { progress }) => (progress({ step: 'working' }), 'done') });

/** An Error whose message getter throws: the console cannot show it. */
const unshowable = () =>
  Object.defineProperty(new Error(), 'message', {
    get: () => {
      throw new Error('getter');
    },
  });

/** What console.error said, formatted as the console formats it (Node 20's throws when reading what it shows throws; Node 22's and 24's show such an Error as "[object Error]"). */
const said = () => {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(format(...parts).split('\n')[0]!));
  return () => lines;
};
afterEach(() => vi.restoreAllMocks());

describe('callbacks that go wrong', () => {
  it('an async org.on listener that rejects is said on the console, as one that throws; every task completes', async () => {
    const lines = said();
    const org = start();
    org.on('task.submitted', async () => {
      throw new Error('audit database down');
    });
    // Before, its rejection went unhandled: with Node's default, that ends the process.
    expect((await org.submit({ id: 'one', type: 'python' })).status).toBe('completed');
    expect((await org.submit({ id: 'two', type: 'css' })).status).toBe('completed');
    await flush();
    expect(lines()).toEqual(['echelon: a listener for "task.submitted" threw: Error: audit database down', 'echelon: a listener for "task.submitted" threw: Error: audit database down']);
  });

  it('a listener that throws an Error the console cannot show is said as what can be read; the organisation does not stop', async () => {
    const lines = said();
    const org = start();
    org.on('task.delegated', () => {
      throw unshowable();
    });
    // Before, showing it threw inside the agent's turn: "The organisation stopped after an internal error: Error: getter".
    expect((await org.submit({ type: 'python' })).status).toBe('completed');
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
    expect(lines().length).toBeGreaterThan(0);
    for (const line of lines()) {
      expect(line).toBe('echelon: a listener for "task.delegated" threw: the code echelon called threw a value that cannot be read (reading it threw Error: getter)');
    }
  });

  it('an async onProgress listener that rejects is said on the console; the task completes', async () => {
    const lines = said();
    const org = start();
    org.onProgress(async () => {
      throw new Error('dashboard gone');
    });
    expect((await org.submit({ type: 'python' })).status).toBe('completed');
    await flush();
    expect(lines()).toEqual(['echelon: a progress listener threw: Error: dashboard gone']);
  });

  it.each([
    ['throws an Error the console cannot show', () => {
      throw unshowable();
    }, 'the code echelon called threw a value that cannot be read (reading it threw Error: getter)'],
    ['rejects', async () => {
      throw new Error('pager down');
    }, 'Error: pager down'],
  ])('onEscalation that %s is said on the console, and the escalation waits for a person, who resolves it', async (_case, onEscalation, shown) => {
    const lines = said();
    const org = start({ onEscalation });
    const outcome = org.submit({ type: 'quantum_physics' });
    await flush(10);
    expect(lines()).toEqual([expect.stringMatching(new RegExp(`^echelon: onEscalation threw for escalation esc_\\S+: ${shown.replace(/[()]/g, '\\$&')}$`))]);
    const [escalation] = org.escalations.active();
    org.escalations.resolve(escalation!.id, { result: 'by hand', by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'by hand' });
  });
});
