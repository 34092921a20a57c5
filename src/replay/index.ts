/**
 * Replaying stored runs: a journal as steps, each with every agent's state at that moment, and
 * the org chart a store keeps.
 */
export { replaySteps, describeEntry, type AgentLink, type ReplayOptions, type ReplayAgent, type ReplayEntry, type ReplayStep } from './steps.js';
export { chartFromLinks, type LinkedChart } from './chart.js';
