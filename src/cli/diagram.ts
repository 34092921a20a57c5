/**
 * `echelon diagram [scenario | design]`: the hierarchy (the file's, or the reference development
 * team) and the agent statechart as Mermaid, read from a live organisation so they match the code.
 */
import type { AnyStateMachine } from 'xstate';
import { hierarchyToMermaid } from '../diagram/hierarchy.js';
import { statechartToMermaid } from '../diagram/statechart.js';
import { EchelonError } from '../errors.js';
import { developmentTeam } from '../hierarchy/presets.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { createOrchestrator, type Orchestrator } from '../runtime/orchestrator.js';
import { loadDesign } from './design.js';

export interface DiagramCommandOptions {
  readonly file?: string;
  /** Only one diagram, as bare Mermaid (for piping into a renderer); both in Markdown otherwise. */
  readonly only?: 'hierarchy' | 'statechart';
  readonly out: (line: string) => void;
}

export async function diagramCommand(options: DiagramCommandOptions): Promise<number> {
  // A design's hierarchy, or the one a scenario's organisation builds (as echelon check reads them).
  const org = drawn(options.file === undefined ? developmentTeam() : (await loadDesign(options.file)).design.organisation.hierarchy);
  try {
    const hierarchy = hierarchyToMermaid(org.hierarchy);
    // The root agent is an XState `Actor`, whose logic is the agent machine every agent runs.
    const statechart = statechartToMermaid((org.actor as unknown as { readonly logic: AnyStateMachine }).logic);
    if (options.only === 'hierarchy') options.out(hierarchy);
    else if (options.only === 'statechart') options.out(statechart);
    else {
      options.out(['## Hierarchy', '', '```mermaid', hierarchy, '```', '', '## Agent statechart', '', '```mermaid', statechart, '```'].join('\n'));
    }
    return 0;
  } finally {
    await org.stop();
  }
}

/** An organisation started only to be drawn: nothing is submitted, so nothing executes. */
function drawn(hierarchy: Hierarchy): Orchestrator {
  return createOrchestrator({
    hierarchy,
    executors: {
      default: () => {
        throw new EchelonError('invalid_option', 'The organisation `echelon diagram` draws does not execute tasks.');
      },
    },
  });
}
