/**
 * The development team with language-model agents (echelon/ai on the Vercel AI SDK): models do
 * the work, route tasks at the top, split a full-stack feature, and decide approvals — with
 * token budgets, escalations raised by a model, and a request a model leaves to a person. What
 * the working models say streams to the terminal as it arrives (`org.onProgress`: the executors
 * stream because someone listens), each agent's words under its name and place in the task tree.
 *
 * Run: npx tsx examples/llm-team.ts   (or step through it: npm run echelon -- step examples/llm-team.ts)
 *   With any OpenAI-compatible provider: OPENAI_API_KEY=… [OPENAI_BASE_URL=https://…/v1] [OPENAI_MODEL=gpt-4o-mini]
 *   (OPENAI_STRUCTURED_OUTPUTS=false for servers without JSON-schema output). Without a key it
 *   runs with scripted mock models, offline, and says so.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { simulateReadableStream, type LanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { isRetryableModelError, llmApprover, llmDecomposer, llmDelegation, llmExecutor, type LlmProgress } from '../src/ai/index.js';
import { createOrchestrator, developmentTeam, type Orchestrator, type Outcome, type ProgressEvent } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';

/** Requests an approver's model leaves to a person: the scenario plays that person. */
let decideDeferred: (approvalId: string) => void = () => undefined;

const scenario = defineScenario({
  description: 'The team as language-model agents: a model routes, plans a feature, does the work, escalates, and decides approvals (offline with scripted models)',

  organisation: (host, { log }) => {
    const models = process.env.OPENAI_API_KEY ? liveModels(process.env.OPENAI_API_KEY, log) : scriptedModels(log);
    return createOrchestrator({
      hierarchy: developmentTeam(),
      // Every agent is a model; retries are echelon's (the SDK's own are off), and only for errors a retry can fix.
      executors: llmExecutor({ model: models.worker, settings: { temperature: 0 } }),
      execution: { timeoutMs: 120_000, retry: { attempts: 2, initialDelayMs: 1_000 }, retryable: isRetryableModelError },
      // The CTO's model picks which lead takes work both teams could do.
      strategy: { byRole: { executive: llmDelegation({ model: models.router, onFallback: (f) => log(`    (routing fell back: ${f.problem} — ${f.message})`) }) } },
      // The CTO's model plans full-stack features.
      decomposers: { byType: { full_stack_feature: llmDecomposer({ model: models.planner, schema: z.object({ feature: z.string(), part: z.string() }), maxSubtasks: 4 }) } },
      // Specialists decide their developers' approval requests by a written policy.
      approvals: {
        approvers: {
          byRole: {
            specialist: llmApprover({
              model: models.approver,
              policy: 'Approve routine changes that come with tests. Reject anything that deletes customer data. Defer production deployments to a person.',
              onDecision: (d) => {
                log(`    ${d.agent}'s model: ${d.decision} — ${d.reason}`);
                if (d.decision === 'defer') decideDeferred(d.approvalId);
              },
            }),
          },
        },
      },
      ...host,
    });
  },

  async run(org: Orchestrator, { log: line }) {
    // The models' words as they arrive: inline on a terminal, a line per model turn elsewhere (a log, the stepper).
    const speech = speaking(line, interactive ? (text) => process.stdout.write(text) : undefined);
    const log = speech.log;
    org.onProgress(speech.progress);
    // A person watching the queue takes what the models defer.
    decideDeferred = (approvalId) => org.approvals.approve(approvalId, { by: 'backend_lead', comment: 'a person approved the deployment' });
    org.on('task.delegated', (event) => log(`    ${event.from} → ${event.to}`));
    org.on('task.decomposed', (event) => log(`    ${event.agent} split it into ${event.subtasks.map((subtask) => `${subtask.id} (${subtask.type})`).join(', ')}`));
    org.on('escalation.raised', ({ escalation }) => log(`    ↑ ${escalation.from} escalates to ${escalation.to} (${escalation.reason}): ${escalation.message}`));
    org.on('approval.requested', ({ approval }) => log(`    ? ${approval.requester} asks ${approval.approver}: ${approval.reason}`));
    // An approver whose model fails leaves the request to a person: here the person plays safe and rejects it.
    org.on('agent.fault', ({ agent, error }) => {
      log(`    ! ${agent}: ${error.message}`);
      for (const approval of org.approvals.pending().filter((pending) => pending.approver === agent)) {
        org.approvals.reject(approval.id, { by: agent, reason: 'the approver model failed; rejected by a person to be safe' });
      }
    });

    const show = (outcome: Outcome) => {
      const result = outcome.status === 'completed' ? JSON.stringify(outcome.result) : outcome.error?.message;
      log(`  ${outcome.status === 'completed' ? '✓' : '✗'} ${outcome.taskId} ${outcome.status}${outcome.executedBy === undefined ? '' : ` by ${outcome.executedBy}`}${outcome.splitBy === undefined ? '' : `, split by ${outcome.splitBy}`}: ${result?.slice(0, 300)}`);
      if (outcome.budget !== undefined) log(`    tokens: ${outcome.budget.used.cost} of ${outcome.budget.limit.cost}`);
      for (const approval of outcome.approvals) for (const d of approval.decisions) log(`    approval ${d.decision} by ${d.by}: ${d.note ?? ''}`);
    };

    log("\n1. Coding work both teams could do: the CTO's model picks the team");
    show(await org.submit({ id: 'signup-form', type: 'coding', payload: { feature: 'a signup form with client-side validation' } }));

    log('\n2. An API design within a token budget');
    show(await org.submit({ id: 'auth-api', type: 'api_design', payload: { feature: 'user authentication' }, budget: { cost: 20_000 } }));

    log("\n3. A full-stack feature, planned by the CTO's model and built in parallel");
    const feature = await org.submit({ id: 'password-reset', type: 'full_stack_feature', payload: { feature: 'password reset' } });
    show(feature);
    for (const part of feature.subtasks ?? []) log(`      ${part.taskId}: ${part.status} by ${part.executedBy} via ${part.delegationChain.join(' → ')}`);

    log("\n4. Risky work needs approval: the specialist's model decides by policy");
    show(await org.submit({ id: 'billing-refactor', type: 'python', payload: { job: 'refactor the billing module', tests: 'added' }, approval: { reason: 'It touches billing.' } }));
    show(await org.submit({ id: 'purge-customers', type: 'python', payload: { job: 'delete inactive customer accounts' }, approval: { reason: 'It deletes customer data.' } }));

    log("\n5. A developer's model asks for approval itself; the specialist's model leaves it to a person");
    show(await org.submit({ id: 'deploy-auth', type: 'python', payload: { job: 'deploy the auth service to production' } }));

    log("\n6. A specialist's model escalates a decision above its pay grade");
    show(await org.submit({ id: 'drop-users', type: 'sql', payload: { statement: 'DROP TABLE users', environment: 'production' } }));

    log(`\nStatus ${JSON.stringify(org.status())}`);
  },
});

export default scenario;
const interactive = isMainModule(import.meta.url) && process.stdout.isTTY === true;
if (isMainModule(import.meta.url)) await runScenario(scenario);

/**
 * Shows what agents say: each model turn under `agent › task path`, its words written as they
 * arrive when `write` is given (a terminal), or logged as one line when the turn ends.
 */
function speaking(log: (line: string) => void, write: ((text: string) => void) | undefined) {
  const turns = new Map<string, string>();
  let inline: string | undefined;
  const endInline = () => {
    if (inline !== undefined) write?.('\n');
    inline = undefined;
  };
  return {
    log: (text: string) => {
      endInline();
      log(text);
    },
    progress: (event: ProgressEvent) => {
      const data = event.data as LlmProgress;
      const speaker = `${event.agent} › ${event.path.join(' › ')}`;
      const key = `${speaker}#${event.attempt}`;
      if (data.kind === 'text') {
        if (write === undefined) turns.set(key, (turns.get(key) ?? '') + data.text);
        else {
          if (inline !== key) write(`${inline === undefined ? '' : '\n'}    💬 ${speaker}: `);
          inline = key;
          write(data.text);
        }
      } else if (data.kind === 'tool-call') {
        endInline();
        log(`    💬 ${speaker} calls ${data.toolName}(${JSON.stringify(data.input)})`);
      } else if (data.kind === 'step' && write === undefined && turns.has(key)) {
        log(`    💬 ${speaker}: ${turns.get(key)}`);
        turns.delete(key);
      }
    },
  };
}

// ─── Models ─────────────────────────────────────────────────────────────────────────────

type Models = Record<'worker' | 'router' | 'planner' | 'approver', LanguageModel>;

/** One OpenAI-compatible model for every job. */
function liveModels(apiKey: string, log: (line: string) => void): Models {
  const baseURL = process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  const name = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
  log(`Using ${name} at ${baseURL}.`);
  // includeUsage: streamed answers report their tokens only when asked, and the token budget counts them.
  const provider = createOpenAICompatible({ name: 'openai-compatible', baseURL, apiKey, includeUsage: true, supportsStructuredOutputs: process.env.OPENAI_STRUCTURED_OUTPUTS !== 'false' });
  const model = provider.chatModel(name);
  return { worker: model, router: model, planner: model, approver: model };
}

/** Offline stand-ins that read the prompt and answer as a sensible model would — the same mocks the tests use. */
function scriptedModels(log: (line: string) => void): Models {
  log('No OPENAI_API_KEY set: running with scripted mock models (offline).');
  log('For real models set OPENAI_API_KEY, and OPENAI_BASE_URL / OPENAI_MODEL for any OpenAI-compatible provider.');
  const usage = (text: string) => ({
    inputTokens: { total: 400, noCache: 400, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: Math.ceil(text.length / 4), text: Math.ceil(text.length / 4), reasoning: undefined },
  });
  /** A mock answering from the request (the user message), the instructions (system) and the tools offered. */
  const reply = (respond: (request: string, system: string, tools: string[]) => string | { tool: string; input: object }) => {
    const answer = (call: Parameters<MockLanguageModelV3['doGenerate']>[0]) => {
      const text = (role: string) =>
        call.prompt
          .filter((m) => m.role === role)
          .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n')))
          .join('\n');
      return respond(text('user'), text('system'), (call.tools ?? []).map((tool) => tool.name));
    };
    return new MockLanguageModelV3({
      doGenerate: async (call) => {
        const said = answer(call);
        if (typeof said === 'string') return { content: [{ type: 'text', text: said }], finishReason: { unified: 'stop', raw: undefined }, usage: usage(said), warnings: [] };
        const input = JSON.stringify(said.input);
        return { content: [{ type: 'tool-call', toolCallId: `call-${Date.now()}`, toolName: said.tool, input }], finishReason: { unified: 'tool-calls', raw: undefined }, usage: usage(input), warnings: [] };
      },
      // Streamed, word by word, when someone listens to the task (here: the terminal).
      doStream: async (call) => {
        const said = answer(call);
        const body =
          typeof said === 'string'
            ? [{ type: 'text-start' as const, id: 't' }, ...said.split(/(?<= )/).map((delta) => ({ type: 'text-delta' as const, id: 't', delta })), { type: 'text-end' as const, id: 't' }]
            : [{ type: 'tool-call' as const, toolCallId: `call-${Date.now()}`, toolName: said.tool, input: JSON.stringify(said.input) }];
        const spent = usage(typeof said === 'string' ? said : JSON.stringify(said.input));
        const finish = { type: 'finish' as const, finishReason: { unified: typeof said === 'string' ? ('stop' as const) : ('tool-calls' as const), raw: undefined }, usage: spent };
        return { stream: simulateReadableStream({ chunks: [{ type: 'stream-start' as const, warnings: [] }, ...body, finish], chunkDelayInMs: interactive ? 15 : null }) };
      },
    });
  };
  const feature = (prompt: string) => /"(?:feature|job)": "([^"]*)"/.exec(prompt)?.[1] ?? 'the task';
  return {
    worker: reply((prompt, system, tools) => {
      const agent = /You are (\w+)/.exec(system)?.[1] ?? 'agent';
      if (prompt.includes('DROP TABLE') && !prompt.includes('Escalations so far')) {
        return { tool: 'escalate', input: { reason: 'policy_decision', message: 'Dropping a production table needs a lead\'s decision.' } };
      }
      if (prompt.includes('DROP TABLE')) return `${agent}: no drops in production — archive the table and drop it after 30 days.`;
      if (prompt.includes('production') && tools.includes('requestApproval')) return { tool: 'requestApproval', input: { reason: 'Production deployment.' } };
      return `${agent}: done — ${feature(prompt)}.`;
    }),
    router: reply((prompt) => {
      const ids = /exactly one of: (.*)\./.exec(prompt)?.[1]?.split(', ') ?? [];
      const ui = /form|page|button|style/i.test(prompt);
      const agent = ids.find((id) => id.includes(ui ? 'frontend' : 'backend')) ?? ids[0];
      return JSON.stringify({ agent, reason: ui ? 'It is user-interface work.' : 'It is server-side work.' });
    }),
    planner: reply((prompt) => {
      const name = feature(prompt);
      return JSON.stringify({
        subtasks: ['backend', 'frontend'].map((part) => ({ key: part, type: part, payload: { feature: name, part }, to: `${part}_lead` })),
      });
    }),
    approver: reply((prompt) => {
      if (/delete/i.test(prompt)) return JSON.stringify({ decision: 'reject', reason: 'Deleting customer data is against policy.' });
      if (/production/i.test(prompt)) return JSON.stringify({ decision: 'defer', reason: 'Production deployments go to a person.' });
      return JSON.stringify({ decision: 'approve', reason: 'A routine change that comes with tests.' });
    }),
  };
}
