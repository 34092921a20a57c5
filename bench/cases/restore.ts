/**
 * What the Restate host pays per message before handling it: an agent restored from its object
 * state — the header and one record per held task read back from JSON (as Restate's state hands
 * them over), then the agent chart resumed over that context (`loadAgent` + the actor `agentTurn`
 * creates). Measured for an idle agent and for one holding 50 parked approvals, whose contexts
 * come from a real in-process run of the development team (the same chart and records).
 */
import { createActor } from 'xstate';
import type { AgentContext } from '../../machines/agent.machine.js';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { loadAgent, saveAgent, type StateAccess } from '../../src/restate/agent-state.js';
import { organisation } from '../../src/restate/organisation.js';
import { median } from '../stats.js';

export interface RestoreJob {
  /** Parked approvals held by the busy agent. */
  readonly parked: number;
  readonly iterations: number;
  readonly runs: number;
}

export interface RestoreResult {
  /** µs per restore, one median per run, by agent. */
  readonly microseconds: Readonly<Record<string, readonly number[]>>;
  /** Bytes of JSON state, by agent. */
  readonly stateBytes: Readonly<Record<string, number>>;
}

/** Object state as Restate keeps it: JSON per key. */
function jsonState(): StateAccess & { bytes(): number } {
  const values = new Map<string, string>();
  return {
    get: async <T>(name: string) => (values.has(name) ? (JSON.parse(values.get(name)!) as T) : null),
    set: (name, value) => void values.set(name, JSON.stringify(value)),
    clear: (name) => void values.delete(name),
    bytes: () => [...values.values()].reduce((sum, value) => sum + value.length, 0),
  };
}

async function contexts(parked: number): Promise<Record<string, AgentContext>> {
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
  try {
    await Promise.all(Array.from({ length: 20 }, () => org.submit({ type: 'react' })));
    for (let n = 0; n < parked; n++) void org.submit({ type: 'python', context: { requiresApproval: true } });
    for (const deadline = Date.now() + 30_000; org.approvals.pending().length < parked; await new Promise((resolve) => setTimeout(resolve, 1))) {
      if (Date.now() > deadline) throw new Error(`only ${org.approvals.pending().length} of ${parked} approvals parked within 30 s`);
    }
    const context = (id: string) => structuredClone((org.actor.system.get(id) as { getSnapshot(): { context: AgentContext } }).getSnapshot().context);
    return { [`idle agent (react_specialist after 20 tasks)`]: context('react_specialist'), [`${parked} parked approvals (backend_dev_1)`]: context('backend_dev_1') };
  } finally {
    await org.stop();
  }
}

export async function measureRestore(job: RestoreJob): Promise<RestoreResult> {
  const { machine } = organisation({ name: 'bench', hierarchy: developmentTeam(), executors: async () => 'done' }, 'bench');
  const microseconds: Record<string, number[]> = {};
  const stateBytes: Record<string, number> = {};
  for (const [name, context] of Object.entries(await contexts(job.parked))) {
    const state = jsonState();
    saveAgent(state, context, { context: undefined, written: new Map() });
    stateBytes[name] = state.bytes();
    const restore = async () => {
      const loaded = await loadAgent(state);
      const actor = createActor(machine, { input: { agentId: loaded.context!.agentId }, snapshot: machine.resolveState({ value: loaded.context!.rest, context: loaded.context! }) });
      actor.start();
      actor.stop();
    };
    for (let warm = 0; warm < job.iterations; warm++) await restore();
    for (let run = 0; run < job.runs; run++) {
      const times: number[] = [];
      for (let iteration = 0; iteration < job.iterations; iteration++) {
        const started = performance.now();
        await restore();
        times.push((performance.now() - started) * 1000);
      }
      (microseconds[name] ??= []).push(median(times));
    }
  }
  return { microseconds, stateBytes };
}
