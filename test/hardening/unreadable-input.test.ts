/**
 * Every door refuses what it cannot read — a Proxy whose traps throw, an object whose getter
 * throws, an argument of the wrong kind — with an EchelonError and its code, never the caller's
 * own error or a TypeError from inside: the first thing a JavaScript caller (no type checker)
 * or a hostile one meets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkSpans, createOrchestrator, defineHierarchy, developmentTeam, EchelonError, forkStore, hierarchyFromList, hierarchyMetrics, keepHistory, memoryStore } from '../../src/index.js';
import { serveLiveView } from '../../src/inspect/index.js';
import { defineScenario } from '../../src/scenario/index.js';
import { checkOrganisation, defineDesign, simulate } from '../../src/simulate/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const trap = () => {
  throw new Error('trap');
};
const proxy = new Proxy({}, { get: trap, ownKeys: trap, has: trap, getPrototypeOf: trap });
const getter = (key: string) => Object.defineProperty({}, key, { enumerable: true, get: trap });

const refusal = async (call: () => unknown): Promise<unknown> => {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('a door given what it cannot read', () => {
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 });
  afterAll(() => org.stop());
  // Each of these let the trap's error (or a TypeError: "hierarchy.nodes is not a function") out before.
  const doors: Array<[string, (value: never) => unknown, string]> = [
    ['createOrchestrator', (value) => createOrchestrator(value), 'invalid_option'],
    ['createOrchestrator, a getter on hierarchy', () => createOrchestrator(getter('hierarchy') as never), 'invalid_option'],
    ['defineHierarchy', (value) => defineHierarchy(value), 'invalid_spec'],
    ['hierarchyFromList, an agent', (value) => hierarchyFromList([value]), 'invalid_spec'],
    ['defineScenario', (value) => defineScenario(value), 'invalid_scenario'],
    ['defineDesign', (value) => defineDesign(value), 'invalid_option'],
    ['simulate', (value) => simulate(value), 'invalid_option'],
    ['checkOrganisation', (value) => checkOrganisation(value), 'invalid_option'],
    ['checkOrganisation, a getter on hierarchy', () => checkOrganisation(getter('hierarchy') as never), 'invalid_option'],
    ['sqliteStore', (value) => sqliteStore(value), 'invalid_option'],
    ['serveLiveView', (value) => serveLiveView(value), 'invalid_option'],
    ['serveLiveView, its options', (value) => serveLiveView(org, value), 'invalid_option'],
    ['hierarchyMetrics', (value) => hierarchyMetrics(value), 'invalid_option'],
    ['checkSpans', (value) => checkSpans(value), 'invalid_option'],
    ['forkStore', (value) => forkStore(value, memoryStore()), 'invalid_option'],
    ['keepHistory', (value) => keepHistory(value, 'history.jsonl'), 'invalid_option'],
  ];
  it.each(doors)('%s refuses it with an EchelonError (%s)', async (_door, call, code) => {
    const error = await refusal(() => call(proxy as never));
    expect(error).toBeInstanceOf(EchelonError);
    expect(error).toMatchObject({ code });
  });

  it.each([
    ['hierarchyMetrics', () => hierarchyMetrics({ id: 'cto', role: 'executive' } as never), /^hierarchyMetrics needs a hierarchy \(defineHierarchy\(\)/],
    ['checkSpans', () => checkSpans([] as never), /^checkSpans needs a hierarchy/],
    ['forkStore', () => forkStore('run.db' as never, memoryStore()), /^forkStore needs a source store \(memoryStore\(\), or sqliteStore\(file\) from echelon\/sqlite\), got "run\.db"\./],
    ['keepHistory', () => keepHistory('run.db' as never, 'history.jsonl'), /^keepHistory needs a store/],
  ])('%s given the wrong kind of argument says what it needs', (_door, call, message) => {
    expect(() => call()).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(message) }));
  });
});
