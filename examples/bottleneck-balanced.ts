/**
 * The fix for `bottleneck.ts`: a second database administrator, and managers that give each task
 * to the least loaded capable report (`loadBalancing()`) instead of the first one. Compare the two
 * on the same day's work (or run it: npx tsx examples/bottleneck-balanced.ts):
 *
 *   npm run echelon -- simulate examples/bottleneck.ts --compare examples/bottleneck-balanced.ts
 */
import { defineHierarchy, loadBalancing } from '../src/index.js';
import { defineDesign } from '../src/simulate/index.js';
import { isMainModule, runScenario } from '../src/scenario/index.js';
import { designScenario, EXECUTION, simulationFor, webTeam } from './bottleneck.js';

export const design = defineDesign({ organisation: { hierarchy: defineHierarchy(webTeam(['dba', 'dba_2'])), strategy: loadBalancing(), execution: EXECUTION }, simulation: simulationFor(['dba', 'dba_2']) });
const scenario = designScenario(design, 'The web team with load balancing and a second DBA: the same few tasks spread over the team');

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
