/**
 * echelon/ai — language-model agents through the Vercel AI SDK (`ai`, with `zod`): executors
 * that do the work, a delegation strategy that routes, a decomposer that plans, an approver
 * that decides. The core (`echelon`) never imports this: install `ai` and `zod` to use it.
 * Without them, importing `echelon/ai` fails with an `EchelonError` `missing_dependency` that
 * says what to install (the modules below import them, so they load only once both are found).
 * Editors read the declarations of `api.ts` (the package's `types` for `./ai`), which name the same
 * values (test/hardening/installed-package.test.ts).
 */
import { importPeer } from '../peers.js';

// zod first: `ai` imports it too, so a missing zod would otherwise read as a missing ai.
await importPeer('zod/v4', 'zod', 'echelon/ai');
await importPeer('ai', 'ai', 'echelon/ai');

export const { llmExecutor, DEFAULT_MAX_STEPS, llmDelegation, llmDecomposer, llmApprover, isRetryableModelError, tokenCost, DEFAULT_DECISION_TIMEOUT_MS, AGENT_TOOL_NAMES, MODEL_ESCALATION_REASONS, organisationUIStream } = await import('./api.js');
export type * from './api.js';
