/**
 * `checkOrganisation`: every check finds the mistake seeded for it, and the reference development
 * team is clean except for its documented span-of-control notes.
 */
import { describe, expect, it } from 'vitest';
import { checkOrganisation, type CheckOptions, type FindingCode } from '../../src/check/index.js';
import {
  checkSpans,
  decomposeWith,
  defineHierarchy,
  delegateWith,
  developmentTeam,
  EchelonError,
  fullStackFeature,
  referenceExecutors,
  type Candidate,
  type EscalationPolicy,
  defaultEscalationPolicy,
} from '../../src/index.js';

const team = () => ({ hierarchy: developmentTeam(), executors: { byRole: referenceExecutors() } }) satisfies CheckOptions;
const codes = (options: CheckOptions): FindingCode[] => checkOrganisation(options).findings.filter((f) => f.severity !== 'note').map((f) => f.code);
const finding = (options: CheckOptions, code: FindingCode) => checkOrganisation(options).findings.find((f) => f.code === code);

describe('checkOrganisation', () => {
  it('passes the development team, with only its documented span notes', () => {
    const report = checkOrganisation({ ...team(), decomposers: { byType: { full_stack_feature: fullStackFeature() } }, tasks: ['full_stack_feature', 'api_design'] });
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ error: 0, warning: 0, note: 4 });
    expect(report.findings.map((f) => [f.code, f.agents[0]])).toEqual([
      ['span_of_control', 'backend_lead'],
      ['span_of_control', 'api_specialist'],
      ['span_of_control', 'frontend_lead'],
      ['span_of_control', 'react_specialist'],
    ]);
  });

  it('finds capabilities no executor serves, and executors for agents that do not exist', () => {
    const report = checkOrganisation({ hierarchy: developmentTeam(), executors: { byRole: { worker: async () => 1 }, byId: { backend_dev_2: async () => 1 } } });
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.code === 'missing_executor').map((f) => f.agents[0])).toEqual(['cto', 'backend_lead', 'api_specialist', 'db_specialist', 'frontend_lead', 'react_specialist']);
    expect(finding({ ...team(), executors: { byId: { backend_dev_2: async () => 1 }, default: async () => 1 } }, 'unknown_agent')?.agents).toEqual(['backend_dev_2']);
    expect(finding({ ...team(), concurrency: { byRole: { intern: 2 } as never } }, 'invalid_role')?.severity).toBe('error');
  });

  it('finds task types nobody can take from the root', () => {
    const options = { ...team(), tasks: ['python', 'deploy'] };
    const unroutable = finding(options, 'unroutable_type');
    expect(unroutable).toMatchObject({ severity: 'error', taskType: 'deploy', agents: ['cto'] });
    // With a person on call it is only a warning: the escalation waits for them.
    expect(finding({ ...options, onEscalation: () => undefined }, 'unroutable_type')?.severity).toBe('warning');
  });

  it('finds a strategy that sends a task to an agent that is not a child', () => {
    const options = { ...team(), strategy: { byId: { cto: delegateWith('astray', () => 'db_specialist') } } };
    expect(finding(options, 'invalid_delegate')).toMatchObject({ severity: 'error', agents: ['cto'] });
  });

  it('finds agents nobody can reach, under any load', () => {
    const hierarchy = defineHierarchy({
      id: 'boss',
      role: 'executive',
      capabilities: ['plan'],
      children: [
        { id: 'lead', role: 'manager', children: [{ id: 'a', role: 'worker', capabilities: ['code'] }, { id: 'b', role: 'worker', capabilities: ['code'] }] },
        { id: 'idle', role: 'manager' },
      ],
    });
    const first = delegateWith('first', (_task, candidates) => candidates.find((c) => c.capable)?.id);
    const unreachable = (strategy?: CheckOptions['strategy']) =>
      checkOrganisation({ hierarchy, executors: async () => 1, ...(strategy === undefined ? {} : { strategy }) }).findings.filter((f) => f.code === 'unreachable_agent').map((f) => f.agents[0]);
    // The default (capability matching) picks the first capable child whatever the load: b never works.
    expect(unreachable()).toEqual(['b', 'idle']);
    expect(unreachable(first)).toEqual(['b', 'idle']);
    // Load balancing reaches both workers.
    expect(unreachable(delegateWith('least-loaded', (_t, c) => [...c].filter((x) => x.capable).sort((x, y) => x.load - y.load)[0]?.id))).toEqual(['idle']);
    // One that sorts the candidates in place (JavaScript lets it) still has every favourite tried.
    expect(unreachable(delegateWith('sorts in place', (_t, c) => (c as Candidate[]).sort((x, y) => y.load - x.load).filter((x) => x.capable).at(-1)?.id))).toEqual(['idle']);
    // One that keys a cache on the array it is given (as it may: each decision at run time gets its own).
    const cache = new WeakMap<object, string | undefined>();
    const cached = delegateWith('cached', (_t, c) => {
      if (!cache.has(c)) cache.set(c, [...c].filter((x) => x.capable).sort((x, y) => x.load - y.load)[0]?.id);
      return cache.get(c);
    });
    expect(unreachable(cached)).toEqual(['idle']);
    // One that throws says so, instead of "always gives its tasks to another child".
    const thrown = checkOrganisation({ hierarchy, executors: async () => 1, strategy: delegateWith('boom', () => { throw new Error('no model'); }) }).findings;
    expect(thrown.find((f) => f.code === 'unreachable_agent' && f.agents[0] === 'lead')?.message).toBe("Nothing reaches lead: its boss's strategy threw when choosing who gets its tasks (code): no model.");
  });

  it('says a strategy kept a task its agent cannot do, where children could take it: an error at the root, a warning below (the agent escalates it)', () => {
    const hierarchy = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'a', role: 'worker', capabilities: ['code'] }] }, { id: 'other', role: 'manager', children: [{ id: 'b', role: 'worker', capabilities: ['code'] }] }] });
    const keep = delegateWith('keep', () => undefined);
    const unroutable = (strategy: CheckOptions['strategy']) => checkOrganisation({ hierarchy, executors: async () => 1, strategy }).findings.find((f) => f.code === 'unroutable_type');
    // Before, both said "Nobody in the organisation can do "code" … Give an agent the capability", which two workers have.
    expect(unroutable(keep)).toMatchObject({
      severity: 'error',
      agents: ['boss'],
      message: '"code" submitted at boss goes nowhere: at boss the strategy "keep" keeps it, which boss cannot do, though lead, other could take it; it fails with unroutable. Have the strategy choose one of them.',
    });
    expect(unroutable({ byId: { lead: keep } })).toMatchObject({
      severity: 'warning',
      agents: ['lead'],
      message: '"code" submitted at boss goes nowhere: at lead the strategy "keep" keeps it, which lead cannot do, though a could take it; lead escalates it as beyond its capability. Have the strategy choose one of them.',
    });
    expect(checkOrganisation({ hierarchy, executors: async () => 1, strategy: { byId: { lead: keep } } }).findings.find((f) => f.code === 'unreachable_agent' && f.agents[0] === 'a')?.message).toBe(
      "Nothing reaches a: its lead's strategy never gives it its tasks (code): it picks another child or keeps them.",
    );
  });

  it('finds emergencies without an executive, and flagged escalations decided by an agent with no executor', () => {
    const noExecutive = defineHierarchy({ id: 'head', role: 'manager', capabilities: ['plan'], children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] });
    const dead = checkOrganisation({ hierarchy: noExecutive, executors: async () => 1 }).findings.find((f) => f.code === 'escalation_dead_end' && f.agents[0] === 'dev');
    expect(dead).toMatchObject({ severity: 'error', agents: ['dev', 'head'] });
    expect(dead?.message).toContain('not to an executive, and nobody on its way to the root is one');
    // The CTO has no capability and no executor: an emergency decided there cannot run.
    const cto = defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] });
    expect(finding({ hierarchy: cto, executors: { byRole: { worker: async () => 1 } } }, 'escalation_dead_end')).toMatchObject({
      agents: ['cto', 'dev'],
      // It said "A emergency escalated from dev …".
      message: 'A task escalated from dev as emergency is decided by cto with its own executor, but cto has none. Give cto an executor.',
    });
  });

  it('says why an emergency ends short of an executive: a policy that keeps it where it is or stops below one, not "nobody above is an executive"', () => {
    const stays: EscalationPolicy = { ...defaultEscalationPolicy(), target: (agent) => agent.id };
    // Before: "goes to backend_lead (a manager): nobody on its way to the root is an executive", with the CTO right above it.
    expect(checkOrganisation({ ...team(), escalation: stays }).findings.find((f) => f.code === 'escalation_dead_end' && f.agents[0] === 'backend_lead')?.message).toBe(
      'An emergency at backend_lead stays at backend_lead (a manager): the escalation policy keeps it instead of sending it up to an executive. Have the policy send emergencies to an executive above it (cto).',
    );
    const parent: EscalationPolicy = { ...defaultEscalationPolicy(), target: (agent) => agent.parentId };
    expect(checkOrganisation({ ...team(), escalation: parent }).findings.find((f) => f.code === 'escalation_dead_end' && f.agents[0] === 'backend_dev_1')?.message).toBe(
      'An emergency at backend_dev_1 goes to api_specialist (a specialist), not to an executive. Have the policy send emergencies to an executive above it (cto).',
    );
  });

  it('finds a policy that sends escalations sideways', () => {
    const sideways: EscalationPolicy = { ...defaultEscalationPolicy(), target: () => 'db_specialist' };
    const refused = checkOrganisation({ ...team(), escalation: sideways }).findings.filter((f) => f.code === 'escalation_refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.message).toContain('escalations only go up');
  });

  it('finds cross-team tasks whose teams have no common ancestor able to route them', () => {
    const task = { type: 'python', context: { requiresCrossTeam: true, teams: ['react_specialist', 'frontend_dev_1'] } };
    expect(finding({ ...team(), tasks: [task] }, 'escalation_dead_end')).toMatchObject({ taskType: 'python', agents: ['react_specialist', 'react_specialist', 'frontend_dev_1'] });
    expect(codes({ ...team(), tasks: [{ ...task, context: { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'] } }] })).toEqual([]);
    expect(finding({ ...team(), tasks: [{ ...task, context: { requiresCrossTeam: true, teams: ['qa_lead'] } }] }, 'escalation_dead_end')?.agents).toEqual(['qa_lead']);
  });

  it('finds approval requirements no ancestor can satisfy', () => {
    const role = finding({ ...team(), tasks: [{ type: 'css', approval: { role: 'manager', level: 0 } }] }, 'approval_unsatisfiable');
    expect(role).toMatchObject({ severity: 'error', agents: ['frontend_dev_1'], taskType: 'css' });
    expect(finding({ ...team(), tasks: [{ type: 'python', approval: { approver: 'frontend_lead' } }] }, 'approval_unsatisfiable')?.message).toContain('"frontend_lead" is not above');
    expect(finding({ ...team(), tasks: [{ type: 'strategy', context: { requiresApproval: true } }] }, 'approval_unsatisfiable')?.agents).toEqual(['cto']);
    const quorum = finding({ ...team(), tasks: [{ type: 'sql', approval: { quorum: 3 } }] }, 'approval_quorum_unreachable');
    expect(quorum).toMatchObject({ agents: ['db_specialist', 'backend_lead', 'cto'] });
    // The organisation's rule counts too.
    expect(finding({ ...team(), approvals: { required: (task) => (task.type === 'python' ? { level: 5 } : undefined) } }, 'approval_unsatisfiable')?.taskType).toBe('python');
    expect(codes({ ...team(), tasks: [{ type: 'python', approval: { quorum: 3 } }] })).toEqual([]);
  });

  it("finds an approvals.required rule that throws or answers what no run reads, where every such task fails (before: the check read it as no approval and said clean)", () => {
    const threw = finding({ ...team(), approvals: { required: (task) => { if (task.type === 'python') throw new Error('rule lost its table'); return undefined; } } }, 'approval_unsatisfiable');
    expect(threw).toMatchObject({ severity: 'error', taskType: 'python', agents: ['backend_dev_1'], message: expect.stringMatching(/^approvals\.required threw for "python" at backend_dev_1: rule lost its table; a run fails every such task \(policy_error\)/) });
    const promised = finding({ ...team(), approvals: { required: (async () => true) as never } }, 'approval_unsatisfiable');
    expect(promised?.message).toMatch(/approvals\.required answered a promise for "[a-z_]+" at \w+: a rule decides at once/);
    expect(finding({ ...team(), approvals: { required: (() => 'yes') as never } }, 'approval_unsatisfiable')?.message).toMatch(/answered "yes"/);
  });

  it('finds decomposers producing types nobody below can take', () => {
    const decomposers = { byType: { launch: decomposeWith('launch', () => [{ type: 'python' }, { type: 'marketing' }]) } };
    const report = checkOrganisation({ ...team(), decomposers, tasks: ['launch'] });
    const unroutable = report.findings.find((f) => f.code === 'decomposition_unroutable');
    expect(unroutable).toMatchObject({ severity: 'error', agents: ['cto'], taskType: 'marketing' });
  });

  it('finds budgets and limits that make a configured decomposition impossible', () => {
    const wide = decomposeWith('wide', () => Array.from({ length: 6 }, (_, i) => ({ key: `part${i}`, type: 'python' })));
    expect(finding({ ...team(), decomposers: { byType: { batch: wide } }, limits: { maxFanout: 4 }, tasks: ['batch'] }, 'decomposition_impossible')?.message).toContain('at most 4');
    expect(finding({ ...team(), decomposers: { byType: { batch: wide } }, tasks: [{ type: 'batch', budget: { maxSubtasks: 3 } }] }, 'decomposition_impossible')?.message).toContain('at most 3');
    const costly = decomposeWith('costly', () => [{ type: 'python', cost: 80 }, { type: 'css', cost: 80 }]);
    expect(finding({ ...team(), decomposers: { byType: { feature: costly } }, tasks: [{ type: 'feature', budget: { cost: 100 } }] }, 'decomposition_impossible')?.message).toContain('budget');
    // Nested splits deeper than the limit allows.
    const halve = decomposeWith('halve', (task) => (task.type === 'python' ? [{ type: 'python' }] : undefined));
    const nested = { byType: { a: decomposeWith('a', () => [{ type: 'python' }]) }, byId: { backend_lead: halve } };
    expect(finding({ ...team(), decomposers: nested, limits: { maxDecompositionDepth: 1 }, tasks: ['a'] }, 'decomposition_impossible')?.message).toContain('cannot be split further');
    expect(codes({ ...team(), decomposers: nested, tasks: ['a'] })).toEqual([]);
  });

  it('reports span of control as notes from the reference table, and refuses options without a hierarchy', () => {
    const wide = defineHierarchy({ id: 'ceo', role: 'executive', capabilities: ['x'], children: Array.from({ length: 9 }, (_, i) => ({ id: `w${i}`, role: 'worker' as const, capabilities: ['x'] })) });
    expect(checkOrganisation({ hierarchy: wide, executors: async () => 1 }).findings.find((f) => f.code === 'span_of_control')?.message).toContain('typically has 2–5');
    expect(() => checkOrganisation({} as never)).toThrow(EchelonError);
  });

  it('refuses expected tasks it cannot read, naming the one: not a list, an entry that is no task type or task, a task submit would refuse', () => {
    const refusal = (tasks: unknown) => {
      try {
        checkOrganisation({ ...team(), tasks: tasks as never });
      } catch (error) {
        return error instanceof EchelonError ? `${error.code}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    // A string is not read letter by letter (types "d", "e", "p" …).
    expect(refusal('deploy')).toMatch(/^invalid_option: checkOrganisation: tasks must be a list of task types or tasks, got "deploy"/);
    expect(refusal({ type: 'deploy' })).toMatch(/^invalid_option: checkOrganisation: tasks must be a list/);
    expect(refusal(['python', 42])).toMatch(/^invalid_option: checkOrganisation: tasks\[1\] must be a task type or a task, got 42/);
    expect(refusal([null])).toMatch(/^invalid_option: checkOrganisation: tasks\[0\] must be a task type or a task, got null/);
    expect(refusal(['python', ''])).toMatch(/^invalid_task: checkOrganisation: tasks\[1\]: A task needs a type/);
    expect(refusal([{ type: 'python', payload: 10n }])).toMatch(/^invalid_task: checkOrganisation: tasks\[0\]: The task's payload must be JSON data/);
    expect(refusal(['python', { type: 'css' }])).toBe('accepted');
  });

  it('refuses a misspelt or unknown option, anywhere, as createOrchestrator does (a typo would otherwise go unchecked and the report read clean)', () => {
    const refusal = (options: object) => {
      try {
        checkOrganisation({ ...team(), ...options } as CheckOptions);
      } catch (error) {
        return error instanceof EchelonError ? `${error.code}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal({ taks: ['deploy'] })).toMatch(/^invalid_option: .*unknown option "taks" — did you mean "tasks"/);
    expect(refusal({ stratgy: delegateWith('x', () => undefined) })).toMatch(/^invalid_option: .*did you mean "strategy"/);
    expect(refusal({ limits: { maxFanot: 2 } })).toMatch(/^invalid_option: .*"limits.maxFanot" — did you mean "limits.maxFanout"/);
    expect(refusal({ strategy: 'capability' })).toMatch(/^invalid_option: .*strategy must be a DelegationStrategy/);
    expect(refusal({ spans: { executive: { min: 1, max: 9 }, manager: null, specialist: null, worker: null } })).toBe('accepted');
    expect(refusal({ spans: { worker: { min: 1, max: 2 } } })).toBe('accepted');
    expect(refusal({ spans: { workers: null } })).toMatch(/^invalid_option: checkSpans: unknown option "workers"/);
    // Keys that name no agent or role are what the check reports, as findings: not refused.
    expect(refusal({ executors: { byId: { qa_bot: async () => 'tested' }, byRole: { intern: async () => 'x' }, default: async () => 'done' } })).toBe('accepted');
    expect(codes({ ...team(), executors: { byId: { qa_bot: async () => 'tested' }, byRole: { intern: async () => 'x' }, default: async () => 'done' } } as never)).toEqual(['unknown_agent', 'invalid_role']);
  });

  it('takes a table of some roles (the rest keep the typical spans), and refuses one it cannot read with invalid_option', () => {
    const team = developmentTeam();
    // Only the specialists' range changed: the managers keep theirs (3–7), and the executive its 2–5.
    expect(checkSpans(team, { specialist: { min: 1, max: 4 } }).map((warning) => warning.agentId)).toEqual(['backend_lead', 'frontend_lead']);
    // A role given as undefined (a table built conditionally) keeps its typical span too.
    expect(checkSpans(team, { specialist: { min: 1, max: 4 }, manager: undefined, executive: undefined })).toEqual(checkSpans(team, { specialist: { min: 1, max: 4 } }));
    expect(checkSpans(team, { manager: { min: 1, max: 2 } })[0]?.message).toBe('specialist "api_specialist" has 1 direct report(s); a specialist typically has 2–4.');
    expect(checkSpans(defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'w', role: 'worker' }] }))[0]?.message).toContain('an executive typically has 2–5');
    const refused = (spans: unknown) => {
      try {
        checkSpans(team, spans as never);
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'accepted';
    };
    expect(refused({ managr: { min: 1, max: 3 } })).toBe('invalid_option');
    expect(refused({ manager: { min: 3 } })).toBe('invalid_option');
    expect(refused({ manager: { min: 5, max: 2 } })).toBe('invalid_option');
    expect(refused({ manager: 'a few' })).toBe('invalid_option');
    expect(refused(null)).toBe('invalid_option');
    expect(refused({ worker: null })).toBe('accepted');
  });
});
