/**
 * A task whose payload or context is not JSON data is refused at `submit` with `invalid_task`,
 * naming the part that is not — before anything is recorded, with or without a store — and the
 * organisation goes on serving everyone else. So are submit options and agent ids that cannot be read or shown.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, EchelonError, memoryStore, type OrchestratorEvent, type SubmitOptions, type TaskInput } from '../../src/index.js';
import { errorOf, orchestrators, rejectionOf } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => ({ echo: task.payload ?? null }) });

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = { back: circular };
class Point {
  constructor(readonly x: number) {}
}

const refused: Array<[string, Partial<TaskInput>, RegExp]> = [
  ['a BigInt', { payload: { n: 10n } }, /payload\.n is a BigInt \(10n\)/],
  ['a circular object', { payload: circular }, /payload\.self\.back refers back to payload \(a circular reference\)/],
  ['a toJSON that throws', { payload: { when: { toJSON: () => { throw new Error('no clock'); } } } }, /payload\.when has a toJSON\(\) that throws \(no clock\)/],
  ['a function', { payload: { run: () => 1 } }, /payload\.run is a function/],
  ['a symbol', { payload: [Symbol('x')] }, /payload\[0\] is a symbol/],
  ['NaN', { payload: { ratio: Number.NaN } }, /payload\.ratio is NaN/],
  ['Infinity', { payload: { limit: Number.POSITIVE_INFINITY } }, /payload\.limit is Infinity/],
  ['undefined in an array', { payload: [1, undefined] }, /payload\[1\] is undefined/],
  ['a Map', { payload: { index: new Map([['a', 1]]) } }, /payload\.index is an instance of Map/],
  ['a class instance', { payload: { at: new Point(1) } }, /payload\.at is an instance of Point/],
  ['a BigInt in the context', { context: { requiresApproval: false, weight: 3n } }, /context\.weight is a BigInt/],
  ['an awkward key', { payload: { 'odd key': { deep: [0, { big: 1n }] } } }, /payload\["odd key"\]\.deep\[1\]\.big is a BigInt/],
];

describe('payloads and contexts that are not JSON data', () => {
  for (const withStore of [false, true]) {
    it.each(refused)(`are refused at submit with invalid_task, naming the part (${withStore ? 'with' : 'without'} a store): %s`, async (_case, extra, message) => {
      const store = withStore ? memoryStore() : undefined;
      const org = start(store === undefined ? {} : { store });
      await org.flush();
      const journalBefore = store?.journal().length;
      const events: OrchestratorEvent[] = [];
      org.on('*', (event) => void events.push(event));
      const refusal = await rejectionOf(org.submit({ id: 'bad', type: 'python', ...extra }));
      expect(refusal.code).toBe('invalid_task');
      expect(refusal.message).toMatch(message);
      expect(refusal.message).toMatch(/must be JSON data/);
      expect(events).toEqual([]);
      expect(org.status().activeTasks).toBe(0);
      await rejectionOf(org.outcome('bad')).then((error) => expect(error.code).toBe('unknown_task'));
      await org.flush();
      expect(store?.journal().length).toBe(journalBefore);
      // The organisation goes on: the same id, now with JSON data, is served.
      expect(await org.submit({ id: 'bad', type: 'python', payload: { n: '10' } })).toMatchObject({ status: 'completed', result: { echo: { n: '10' } } });
    });
  }

  it('accepts what JSON keeps: dates (as their toJSON gives them), properties left undefined, a value reached twice, objects without a prototype', async () => {
    const store = memoryStore();
    const org = start({ store });
    const shared = { id: 7 };
    const bare = Object.assign(Object.create(null) as object, { ok: true });
    const payload = { at: new Date(0), note: undefined, left: shared, right: shared, bare };
    const outcome = await org.submit({ id: 'fine', type: 'python', payload });
    expect(outcome.status).toBe('completed');
    expect(store.outcome('fine')?.result).toEqual({ echo: { at: '1970-01-01T00:00:00.000Z', left: { id: 7 }, right: { id: 7 }, bare: { ok: true } } });
  });
});

describe('a task object that cannot be read', () => {
  it.each<[string, () => TaskInput]>([
    ['a getter that throws', () => Object.defineProperty({ type: 'python' }, 'payload', { enumerable: true, get: () => { throw new Error('not loaded'); } }) as TaskInput],
    ['a Proxy whose trap throws', () => new Proxy({ type: 'python' }, { ownKeys: () => { throw new Error('revoked'); } }) as TaskInput],
  ])('%s is refused with invalid_task, naming the error, and the organisation goes on', async (_case, make) => {
    const org = start();
    const refusal = await rejectionOf(org.submit(make()));
    expect(refusal.code).toBe('invalid_task');
    expect(refusal.message).toMatch(/^submit: the task could not be read: (not loaded|revoked)\.$/);
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });
});

describe('options and ids that cannot be read or shown', () => {
  it('submit options whose getter or trap throws are refused with invalid_option, and the organisation goes on', async () => {
    const org = start();
    const getter = Object.defineProperty({}, 'at', { enumerable: true, get: () => { throw new Error('not loaded'); } }) as SubmitOptions;
    const proxy = new Proxy({}, { get: () => { throw new Error('revoked'); }, ownKeys: () => { throw new Error('revoked'); } }) as SubmitOptions;
    for (const options of [getter, proxy]) {
      // Before, the Proxy's error itself came out (a TypeError or the trap's own), not an EchelonError.
      const refusal = await rejectionOf(org.submit({ type: 'python' }, options));
      expect(refusal).toBeInstanceOf(EchelonError);
      expect(refusal.code).toBe('invalid_option');
      expect(refusal.message).toMatch(/^submit: its options could not be read: (not loaded|revoked)\.$/);
    }
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });

  it('stream and event options, approval decisions and escalation resolutions whose trap throws are refused at the door, as EchelonErrors', async () => {
    const org = start();
    const trap = () => { throw new Error('revoked'); };
    const proxy = new Proxy({}, { get: trap, ownKeys: trap, has: trap }) as never;
    // Before, each let the trap's own error out.
    for (const call of [() => org.stream({ type: 'python' }, proxy), () => org.stream('some-task', proxy), () => org.events('*', proxy), () => org.approvals.approve('an-approval', proxy), () => org.escalations.resolve('an-escalation', proxy)]) {
      const refusal = errorOf(call);
      expect(refusal).toBeInstanceOf(EchelonError);
      expect(refusal).toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/could not be read: revoked\.$/) });
    }
    expect(org.status().activeTasks).toBe(0);
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });

  it('an agent id that is no string is unknown_agent, shown as it is (an object without a prototype made the message throw)', () => {
    const org = start();
    const refusal = errorOf(() => org.agentState(Object.create(null) as string));
    expect(refusal).toMatchObject({ code: 'unknown_agent', message: expect.stringMatching(/^No agent \{\} in this hierarchy/) });
    expect(errorOf(() => org.agentState(new Proxy({}, { get: () => { throw new Error('revoked'); } }) as string))).toMatchObject({ code: 'unknown_agent', message: expect.stringMatching(/^No agent \(object that cannot be shown\) in this hierarchy/) });
  });
});
