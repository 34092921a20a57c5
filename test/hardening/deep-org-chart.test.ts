/** The org chart `echelon run`, `step` and `replay` print, for an organisation thousands of levels deep. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { formatTree } from '../../src/cli/format.js';
import { hierarchyFromList } from '../../src/index.js';
import { agents, DEPTH } from '../fixtures/deep-organisation.js';

describe('a deep org chart', () => {
  it('echelon run prints a chain of 3,000 agents (no stack overflow), indented no wider than its first levels', async () => {
    const lines: string[] = [];
    const code = await main(['run', 'test/fixtures/deep-organisation.ts', '--compact'], { out: (line) => lines.push(...line.split('\n')), input: new PassThrough() as unknown as NodeJS.ReadStream });
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('» failed by undefined: Task deep was delegated 65 levels deep (limit 64).');
    const chart = lines.filter((line) => /level_\d+ +receiving/.test(line));
    expect(chart).toHaveLength(DEPTH);
    expect(Math.max(...chart.map((line) => line.length))).toBeLessThan(160);
  });

  it('marks each agent past the indented levels with its level, in org-chart order', () => {
    const hierarchy = hierarchyFromList(agents);
    const rows = formatTree(hierarchy, []);
    expect(rows).toHaveLength(DEPTH);
    expect(rows[1]).toBe('    └─ level_1');
    expect(rows.at(-1)).toMatch(/└─ \[level 2999\] level_2999$/);
    expect(rows.map((row) => /level_(\d+)$/.exec(row)![1])).toEqual(agents.map((_, level) => String(level)));
  });
});
