/**
 * A larger decomposition: the CTO splits a product launch into six parallel workstreams across
 * the development team, joined by a quorum of 5. One branch (the database migration) keeps
 * failing: supervision escalates it up the backend team and it fails for good, yet the launch
 * completes with the quorum's five results and reports the failing branch. The UI workstream is
 * itself split further by the frontend lead (nested decomposition).
 *
 * Run: npx tsx examples/fan-out.ts   (or step through it: npm run echelon -- step examples/fan-out.ts)
 */
import { createOrchestrator, decomposeWith, developmentTeam, joinQuorum, type SubtaskOutcome } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';

const launch = decomposeWith(
  'launch',
  (task) =>
    task.type === 'launch'
      ? [
          { key: 'api', type: 'api_design', payload: { spec: 'public REST API' } },
          { key: 'schema', type: 'database', payload: { migration: '2026_11_launch' } },
          { key: 'service', type: 'python', payload: { service: 'billing' } },
          { key: 'ui', type: 'ui_bundle', to: 'frontend_lead' },
          { key: 'components', type: 'components' },
          { key: 'strategy', type: 'architecture', payload: { review: 'launch readiness' } },
        ]
      : undefined,
  { join: joinQuorum(5), onFailure: 'partial' },
);
// The frontend lead splits its UI bundle again: React views and styles, in parallel.
const uiBundle = decomposeWith('ui-bundle', (task, { children }) =>
  task.type === 'ui_bundle'
    ? [
        { key: 'views', type: 'react', to: children[0]!.id },
        { key: 'styles', type: 'css' },
      ]
    : undefined,
);

const scenario = defineScenario({
  description: 'A six-way launch joined by a quorum of five, with one failing branch and a nested split',

  organisation: (host, { sleep }) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      decomposers: { byId: { cto: launch, frontend_lead: uiBundle } },
      executors: async (task, { agent, signal }) => {
        // The migration fails at once, wherever it runs; everything else takes a little while.
        if (task.type === 'database') throw new Error('migration lock is held by another deploy');
        await sleep(20 + (task.id.length % 5) * 15, signal);
        return `${task.type} done by ${agent.id}`;
      },
      ...host,
    }),

  async run(org, { log }) {
    // Times are the organisation's clock (real on its own, simulated when stepping), from the submission.
    let started = 0;
    const at = (time: number) => `${String(time - started).padStart(4)} ms`;
    org.on('task.submitted', (event) => (started = event.at));
    org.on('task.decomposed', (event) => log(`${at(event.at)}  ${event.agent} splits ${event.task.id} into ${event.subtasks.map((s) => s.id.split('.').pop()).join(', ')}`));
    org.on('task.started', (event) => log(`${at(event.at)}  ${event.agent} starts ${event.task.id}`));
    org.on('escalation.raised', (event) => log(`${at(event.at)}  ${event.escalation.from} escalates ${event.escalation.taskId} to ${event.escalation.to} (${event.escalation.reason})`));

    const outcome = await org.submit({ id: 'launch', type: 'launch', budget: { maxSubtasks: 20 } });

    const tree = (nodes: readonly SubtaskOutcome[] | undefined, indent = '  '): void => {
      for (const node of nodes ?? []) {
        const detail = node.status !== 'completed' ? `${node.error?.message}` : node.splitBy === undefined ? `${node.executedBy}` : `split by ${node.splitBy}`;
        log(`${indent}${node.status === 'completed' ? '✓' : '✗'} ${node.key} (${node.type}): ${node.status} — ${detail}`);
        tree(node.subtasks, `${indent}    `);
      }
    };
    log(`\n${outcome.taskId}: ${outcome.status} (quorum 5 of 6) in ${outcome.settledAt - outcome.submittedAt} ms`);
    tree(outcome.subtasks);
    log(`\nmerged result: ${JSON.stringify(outcome.result, null, 2)}`);
    log(`failures: ${JSON.stringify(outcome.failures?.map((failure) => `${failure.key}: ${failure.error?.message}`))}`);
    log(`escalations: ${JSON.stringify(outcome.escalations.map((e) => `${e.from} → ${e.to} (${e.reason}, ${e.status})`))}`);
    log(`budget: ${JSON.stringify(outcome.budget)}`);
  },
});

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
