/**
 * `org.signal`: aborted once the organisation stops, whatever stops it, with why as its reason —
 * and what watches an organisation (tracing, the live view, the Stately inspector) ends on it, and
 * refuses an organisation already stopped instead of waiting for events that never come.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, memoryStore, type OrchestratorOptions } from '../../src/index.js';
import { serveLiveView } from '../../src/inspect/index.js';
import { traceOrganisation } from '../../src/inspect/otel.js';
import { inspectOrganisation } from '../../src/inspector.js';

const start = (options: Partial<OrchestratorOptions> = {}) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', ...options });

/** Resolves when the signal aborts. */
const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve())));

/** A store whose writes fail once `full` is set (a disk that filled up). */
function fillingStore() {
  const store = memoryStore();
  const state = { full: false };
  return { state, store: { ...store, write: (batch: Parameters<typeof store.write>[0]) => (state.full ? (() => { throw new Error('disk full'); })() : store.write(batch)) } };
}

describe('org.signal', () => {
  it('is aborted by org.stop(), once what waited was rejected and everything stopped, with orchestrator_stopped as its reason', async () => {
    const org = start({ executors: () => new Promise(() => undefined) });
    const waiting = org.submit({ type: 'python' });
    const seen: string[] = [];
    void waiting.catch(() => seen.push('submitter rejected'));
    org.signal.addEventListener('abort', () => seen.push('aborted'));
    expect(org.signal.aborted).toBe(false);
    await org.stop();
    expect(org.signal.aborted).toBe(true);
    expect(org.signal.reason).toMatchObject({ code: 'orchestrator_stopped' });
    await expect(waiting).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    expect(seen).toEqual(['submitter rejected', 'aborted']);
  });

  it('is aborted when a failing store stops the organisation, with the failure as its reason', async () => {
    const { state, store } = fillingStore();
    const org = start({ store, executors: () => ((state.full = true), 'done') });
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'store_write_failed' });
    await aborted(org.signal);
    expect(org.signal.reason).toMatchObject({ code: 'store_write_failed', message: expect.stringMatching(/disk full/) });
  });

  it('a task submitted after a failing store stopped the organisation is refused naming that failure', async () => {
    const { state, store } = fillingStore();
    const org = start({ store, executors: () => ((state.full = true), 'done') });
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'store_write_failed' });
    const refused = await org.submit({ type: 'python' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'orchestrator_stopped', message: expect.stringMatching(/stopped after store_write_failed: Writing to .* failed: disk full/) });
    expect((refused as Error).cause).toMatchObject({ code: 'store_write_failed' });
  });
});

describe('watching an organisation that stops', () => {
  it('the live view closes when a failing store stops the organisation, without org.stop()', async () => {
    const { state, store } = fillingStore();
    const org = start({ store, executors: () => ((state.full = true), 'done') });
    const view = await serveLiveView(org);
    expect((await fetch(`${view.url}api/state`)).status).toBe(200);
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'store_write_failed' });
    await aborted(org.signal);
    await expect(fetch(`${view.url}api/state`)).rejects.toThrow();
  });

  it('a store failure ends event readers too, as org.stop() does, and a later org.stop() resolves', async () => {
    const { state, store } = fillingStore();
    const org = start({ store, executors: () => ((state.full = true), 'done') });
    const events = org.events();
    const reading = (async () => {
      const seen: string[] = [];
      for await (const event of events) seen.push(event.type);
      return seen;
    })();
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'store_write_failed' });
    expect(await reading).toContain('task.submitted');
    await expect(org.stop()).resolves.toBeUndefined();
  });

  it('tracing, the live view and the inspector refuse an organisation already stopped', async () => {
    const org = start();
    await org.stop();
    const refusal = { code: 'orchestrator_stopped', message: expect.stringMatching(/this organisation is stopped/) };
    expect(() => traceOrganisation(org)).toThrow(expect.objectContaining(refusal));
    await expect(serveLiveView(org)).rejects.toMatchObject({ ...refusal, message: expect.stringMatching(/^serveLiveView: /) });
    await expect(inspectOrganisation(org, { url: 'ws://127.0.0.1:9' })).rejects.toMatchObject({ ...refusal, message: expect.stringMatching(/^inspectOrganisation: /) });
  });

  it('an object that only looks like an orchestrator is still refused as no orchestrator', async () => {
    const lookalike = { on: () => () => undefined, events: () => ({}) };
    expect(() => traceOrganisation(lookalike as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/needs the orchestrator/) }));
    await expect(serveLiveView(lookalike as never)).rejects.toMatchObject({ code: 'invalid_option' });
  });
});
