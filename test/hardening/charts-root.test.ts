/**
 * An agent chart of `echelon/charts` started on its own, as the README's model test does
 * (`createActor(createAgentMachine(…), { input: { agentId } })`, no `systemId`): when it fails, the
 * failure reaches the test's observer, its reports are stopped, and nothing is thrown past it.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createAgentMachine, resolveOptions, validateTaskInput, type Effect, type HostPort } from '../../src/charts.js';
import { developmentTeam } from '../../src/index.js';

const { policy, settings } = resolveOptions({ hierarchy: developmentTeam(), executors: async () => 'done' }, { now: () => 0, resources: { conflicts: () => [] }, reportCost: () => undefined, costSpent: () => 0 });
const host = (perform: HostPort['perform']): HostPort => ({ perform, now: () => 0, random: () => 0.5, newId: (prefix) => `${prefix}_1`, charge: () => undefined });

/** What was thrown past everything (XState throws an error nobody observed on a later turn). */
const thrown: unknown[] = [];
const listener = (error: unknown) => thrown.push(error);
process.on('uncaughtException', listener);
afterEach(() => {
  thrown.length = 0;
});
afterAll(() => {
  process.off('uncaughtException', listener);
});
/** Lets XState's later turn (a zero-delay timer set before this one) run. */
const laterTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('an agent chart started on its own', () => {
  it('for an agent the hierarchy lacks: the observer is told unknown_agent, and nothing is thrown past it', async () => {
    const errors: unknown[] = [];
    const actor = createActor(createAgentMachine({ policy, settings, host: host(() => undefined) }), { input: { agentId: 'nobody' } });
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    await laterTurn();
    expect(actor.getSnapshot().status).toBe('error');
    expect(errors).toMatchObject([{ code: 'unknown_agent', message: expect.stringContaining('No agent "nobody"') }]);
    expect(thrown).toEqual([]);
  });

  it('that fails once running (its host throws): its reports are stopped, and nothing but that failure is reported', async () => {
    const errors: unknown[] = [];
    const asked: Effect[] = [];
    const cto = createActor(
      createAgentMachine({
        policy,
        settings,
        host: host((_agent, effects) => {
          asked.push(...effects);
          throw new Error('the host broke');
        }),
      }),
      { input: { agentId: 'cto' } },
    );
    cto.subscribe({ error: (error) => errors.push(error) });
    cto.start();
    const lead = cto.system.get('backend_lead');
    expect(lead?.getSnapshot().status).toBe('active');
    cto.send({ type: 'task.assign', task: validateTaskInput({ type: 'python' }, { entry: 'cto', now: 0, newId: () => 't1', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } }) });
    await laterTurn();
    expect(errors).toMatchObject([{ message: 'the host broke' }]);
    expect(lead?.getSnapshot().status).toBe('stopped');
    expect(thrown).toEqual([]);
  });

  it('an actor created without its agent as input fails with invalid_option saying so, not a TypeError', async () => {
    const errors: unknown[] = [];
    const actor = createActor(createAgentMachine({ policy, settings, host: host(() => undefined) }), {} as never); // no input
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    await laterTurn();
    expect(errors).toMatchObject([{ code: 'invalid_option', message: expect.stringContaining("createActor(createAgentMachine(ports), { input: { agentId: 'cto' } }), got no input") }]);
    expect(thrown).toEqual([]);
  });

  it('createAgentMachine refuses ports that are missing or lack a method, saying which, before any actor starts', () => {
    const refusal = (ports: unknown) => {
      try {
        createAgentMachine(ports as never);
      } catch (error) {
        return error as { code?: string; message?: string };
      }
      return undefined;
    };
    expect(refusal({})).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('without policy, settings, host: policy and settings come from resolveOptions(options, host)') });
    expect(refusal({ policy, settings })).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('without host') });
    expect(refusal(undefined)).toMatchObject({ code: 'invalid_option' });
    expect(refusal({ policy, settings, host: { ...host(() => undefined), perform: undefined } })).toMatchObject({ code: 'invalid_option', message: 'createAgentMachine: host must be a HostPort ({ perform, now, random, newId, charge }), with a perform() method.' });
    expect(refusal({ policy: settings, settings, host: host(() => undefined) })).toMatchObject({ message: expect.stringMatching(/^createAgentMachine: policy must be a PolicyPort \(resolveOptions\(options, host\)\.policy\), with a \w+\(\) method\.$/) });
    expect(refusal({ policy, settings, host: host(() => undefined), hots: 1 })).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('"hots"') });
    expect(refusal({ policy, settings, host: host(() => undefined) })).toBeUndefined();
  });

  it('resolveOptions refuses a missing or partial host with invalid_option, not a TypeError', () => {
    const options = { hierarchy: developmentTeam(), executors: async () => 'done' };
    const refusal = (portsHost: unknown) => {
      try {
        resolveOptions(options, portsHost as never);
      } catch (error) {
        return error as { code?: string; message?: string };
      }
      return undefined;
    };
    expect(refusal(undefined)).toMatchObject({ code: 'invalid_option', message: 'resolveOptions: its host must be a PortsHost ({ now, resources, reportCost, costSpent }), got undefined.' });
    expect(refusal({ now: () => 0, reportCost: () => undefined, costSpent: () => 0 })).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('host.resources must be who holds which resources') });
    expect(refusal({ now: () => 0, resources: { conflicts: () => [] }, reportCost: () => undefined, costSpent: () => 0 })).toBeUndefined();
  });
});
