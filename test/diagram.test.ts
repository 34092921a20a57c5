import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { and, createMachine, not } from 'xstate';
import { createOrchestrator, defineHierarchy, developmentTeam, type Orchestrator } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { hierarchyToMermaid, statechartToMermaid } from '../src/diagram/index.js';
import { statechartToSvg } from '../src/inspect/index.js';
import { UNSHOWABLE } from '../src/show.js';

/** One unshowable character anywhere (`UNSHOWABLE` is global, for `replace`). */
const UNSHOWABLE_ONCE = new RegExp(UNSHOWABLE.source);

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
    // A backtick would start Markdown; ids with a newline (which would end the statement) are refused by defineHierarchy.
    const odd = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: '`code`', role: 'worker', capabilities: ['x'] }] });
    expect(hierarchyToMermaid(odd).split('\n')[2]).toBe('  a1["#96;code#96;<br/><i>worker</i><br/>x"]');
    // A label is HTML: an entity in an id shows as written (before: R&amp;D showed R&D); a bidi override shows as its escape (before: the rest of the label read backwards).
    const entities = defineHierarchy({ id: 'R&amp;D', role: 'executive', capabilities: ['&lt;b&gt;'], children: [{ id: 'dev\u202eved', role: 'worker', capabilities: ['%%', 'click x call alert()'] }] });
    expect(hierarchyToMermaid(entities).split('\n').slice(1, 3)).toEqual([
      '  a0["R#38;amp;D<br/><i>executive</i><br/>#38;lt;b#38;gt;"]',
      '  a1["dev\\u202eved<br/><i>worker</i><br/>%%, click x call alert()"]',
    ]);
  });

  it('keeps a newline in a state or event name from ending the statement', () => {
    const machine = createMachine({ id: 'odd', initial: 'two\nlines', states: { 'two\nlines': { on: { 'go\r\nnow': 'done' } }, done: {} } });
    expect(statechartToMermaid(machine).split('\n').slice(1)).toEqual(['  [*] --> two_lines', '  state "two lines" as two_lines', '  state "done" as done', '  two_lines --> done: go  now']);
  });

  it('gives states whose names differ only in punctuation ids of their own, and shows HTML and quotes in names as text', () => {
    const machine = createMachine({
      id: 'odd',
      initial: 'e-f',
      on: { 'end note': { actions: () => {} } },
      states: {
        'e-f': { on: { go: 'e_f' } },
        e_f: { on: { '<img src=x onerror=alert(1)>': '<b>bold</b>', back: { target: 'e-f', guard: 'a "b" & c' } } },
        '<b>bold</b>': {},
      },
    });
    expect(statechartToMermaid(machine).split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> e_f',
      '  state "e-f" as e_f',
      '  state "e_f" as e_f_2',
      '  state "#60;b#62;bold#60;/b#62;" as _b_bold__b_',
      '  e_f --> e_f_2: go',
      '  e_f_2 --> _b_bold__b_: #60;img src=x onerror=alert(1)#62;',
      '  e_f_2 --> e_f: back [a #34;b#34; #38; c]',
      '  note right of e_f',
      '    In every state, handled without leaving it:',
      '    end#32;note', // a line "end note" would close the note
      '  end note',
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

describe('SVG statecharts (what the live view draws)', () => {
  it('draws each state as a box named by its path, one arrow per direction and pair, labelled with its events and guards', () => {
    const machine = createMachine({
      id: 'door',
      initial: 'closed',
      states: {
        closed: { on: { OPEN: 'open', LOCK: 'locked' } },
        open: { on: { CLOSE: 'closed' } },
        locked: { initial: 'bolted', states: { bolted: { on: { TURN: 'turning' } }, turning: {} }, on: { UNLOCK: { target: 'closed', guard: 'hasKey' } } },
      },
    });
    const svg = statechartToSvg(machine);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="statechart" viewBox="[-\d. ]+" role="img" aria-label="statechart door">/);
    expect([...svg.matchAll(/data-state="([^"]+)"/g)].map((match) => match[1])).toEqual(['closed', 'open', 'locked', 'locked.bolted', 'locked.turning']);
    expect([...svg.matchAll(/<title>([^<]+)<\/title>/g)].map((match) => match[1])).toEqual([
      'closed → open: OPEN',
      'closed → locked: LOCK',
      'open → closed: CLOSE',
      'locked → closed: UNLOCK [hasKey]',
      'bolted → turning: TURN',
    ]);
    // Pairs joined both ways bend apart (a quadratic curve off the straight line); one-way arrows stay straight.
    const paths = [...svg.matchAll(/<path class="edge" d="M([-\d.]+) ([-\d.]+)Q([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/g)].map((m) => m.slice(1).map(Number));
    const offLine = ([x1, y1, cx, cy, x2, y2]: number[]) => Math.abs((x2! - x1!) * (cy! - y1!) - (y2! - y1!) * (cx! - x1!)) / Math.hypot(x2! - x1!, y2! - y1!);
    expect(paths.map((path) => offLine(path) > 5)).toEqual([true, true, true, true, false]);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('shows control characters and bidi overrides in names and events as their escapes (an override would turn a label around); data-state keeps the path as it is', () => {
    const machine = createMachine({
      id: 'door\u202e',
      initial: 'shut\u0007',
      states: { 'shut\u0007': { on: { 'OPEN\u202eNEPO': 'open' } }, open: {} },
    });
    const svg = statechartToSvg(machine);
    // What is shown; a state's path stays its own in data-state, where the live view matches it.
    expect(svg.replace(/data-state="[^"]*"/g, '')).not.toMatch(UNSHOWABLE_ONCE);
    expect(svg).toContain('aria-label="statechart door\\u202e"');
    expect(svg).toContain('>shut\\u0007</text>');
    expect(svg).toContain('data-state="shut\u0007"');
    expect(svg).toContain('<title>shut\\u0007 → open: OPEN\\u202eNEPO</title>');
  });

  it('reads on its own, without the live view’s stylesheet: light boxes with dark names, unfilled grey arrows (CSS still overrides)', () => {
    const svg = statechartToSvg(agentMachine());
    const tags = (name: string) => [...svg.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map((match) => match[0]);
    expect(tags('rect').length).toBe(AGENT_STATES.length);
    for (const rect of tags('rect')) expect(rect).toContain('fill="#f4f6f9" stroke="#9aa3ae"');
    const edges = [...tags('path'), ...tags('line')].filter((tag) => tag.includes('class="edge"'));
    expect(edges.length).toBeGreaterThan(AGENT_STATES.length);
    for (const edge of edges) expect(edge).toContain('fill="none" stroke="#8a93a0"');
    for (const text of tags('text')) expect(text).toMatch(/font-family="system-ui, sans-serif" font-size="1[02]" fill="#[\da-f]{6}" text-anchor="middle"/);
  });

  it('draws the agent statechart with its five states, from the running organisation\'s definition', () => {
    const svg = statechartToSvg(agentMachine());
    for (const state of AGENT_STATES) expect(svg).toContain(`<g class="state" data-state="${state}">`);
    expect(svg).toMatch(/<title>receiving → evaluatingEscalation: \[hasReady\], \[restsAt evaluatingEscalation\]<\/title>/);
    expect(svg).toMatch(/<title>evaluatingEscalation → delegating: \[inPipeline\], \[restsAt delegating\]<\/title>/);
  });

  it('refuses what is no hierarchy or no machine with invalid_option, not a TypeError', () => {
    const refusal = (draw: () => unknown) => {
      try {
        draw();
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
      return 'drawn';
    };
    for (const value of [undefined, null, {}, 'cto']) {
      expect(refusal(() => hierarchyToMermaid(value as never))).toBe('invalid_option');
      expect(refusal(() => statechartToMermaid(value as never))).toBe('invalid_option');
      expect(refusal(() => statechartToSvg(value as never))).toBe('invalid_option');
    }
    expect(refusal(() => statechartToMermaid(createMachine({ initial: 'a', states: { a: {} } })))).toBe('drawn');
  });
});
