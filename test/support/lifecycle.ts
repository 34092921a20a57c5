/**
 * Organisations for the lifecycle tests (test/mutation-kills/lifecycle*.test.ts): on the
 * development team, each failing the test it ran in if any agent faulted — agents must drop a
 * stale message, never fault on it.
 */
import { afterEach, expect } from 'vitest';
import { developmentTeam, type Outcome } from '../../src/index.js';
import { orchestrators } from './helpers.js';

export function faultlessOrganisations() {
  const started = orchestrators({ hierarchy: developmentTeam() });
  const faults: string[] = [];
  afterEach(() => {
    expect(faults.splice(0)).toEqual([]);
  });
  return (options: Parameters<typeof started>[0]) => {
    const org = started(options);
    org.on('agent.fault', (event) => faults.push(`${event.agent}: ${event.error.message}`));
    return org;
  };
}

/** The outcome once it is there, without waiting for it (a mutant may keep it from ever coming). */
export function watch(outcome: Promise<Outcome>): { outcome?: Outcome } {
  const seen: { outcome?: Outcome } = {};
  void outcome.then((value) => (seen.outcome = value));
  return seen;
}

/** An executor that never answers. */
export const hang = () => new Promise<never>(() => undefined);
