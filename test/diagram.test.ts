import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { and, createMachine, not } from 'xstate';
import { createOrchestrator, defineHierarchy, developmentTeam, hierarchyToMermaid, statechartToMermaid, type Orchestrator } from '../src/index.js';

const orgs: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(orgs.splice(0).map((org) => org.stop()));
});

/** The agent machine, read from a running organisation (as `echelon diagram` does). */
const agentMachine = () => {
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 });
  orgs.push(org);
  return (org.actor as unknown as { logic: Parameters<typeof statechartToMermaid>[0] }).logic;
};

describe('Mermaid diagrams', () => {
  it('escapes what Mermaid would read in agent ids and capabilities', () => {
    const hierarchy = defineHierarchy({ id: 'ceo "big"', role: 'executive', children: [{ id: 'w[1]', role: 'worker', capabilities: ['a|b', '<c>'] }] });
    expect(hierarchyToMermaid(hierarchy).split('\n')).toEqual([
      'flowchart TD',
      '  a0["ceo #34;big#34;<br/><i>executive</i>"]',
      '  a1["w#91;1#93;<br/><i>worker</i><br/>a#124;b, #60;c#62;"]',
      '  a0 --> a1',
      '  classDef executive fill:#1d2430,stroke:#1d2430,color:#fff',
      '  class a0 executive',
      '  classDef worker fill:#fff3d1,stroke:#d99a00,color:#1d2430',
      '  class a1 worker',
    ]);
  });

  it('draws nested states, guarded and eventless transitions, and lists messages handled in place', () => {
    const machine = createMachine({
      id: 'door',
      initial: 'closed',
      on: { knock: { actions: () => {} } },
      states: {
        closed: { on: { open: { target: 'opened', guard: 'unlocked' } } },
        opened: {
          initial: 'swinging',
          states: { swinging: { after: { 100: 'still' } }, still: {} },
          on: { close: { target: 'closed', guard: and(['empty', not('windy')]) } },
          always: { target: 'closed', guard: 'alarm' },
        },
      },
    });
    expect(statechartToMermaid(machine).split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> closed',
      '  state "closed" as closed',
      '  state "opened" as opened {',
      '    [*] --> opened__swinging',
      '    state "swinging" as opened__swinging',
      '    state "still" as opened__still',
      '    opened__swinging --> opened__still: after 100 ms',
      '  }',
      '  closed --> opened: open [unlocked]',
      '  opened --> closed: close [empty and not windy]',
      '  opened --> closed: [alarm]',
      '  note right of closed',
      '    In every state, handled without leaving it:',
      '    knock',
      '  end note',
    ]);
  });

  it('the README shows the diagrams the code draws now (regenerate with: npm run echelon -- diagram)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = (heading: string) => new RegExp(`#### ${heading}[^\\n]*\\n\\n\`\`\`mermaid\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1];
    expect(block('The reference development team')).toBe(hierarchyToMermaid(developmentTeam()));
    expect(block('The agent statechart')).toBe(statechartToMermaid(agentMachine()));
  });
});
