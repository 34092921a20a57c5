/**
 * A simulation says why tasks did not complete: each error code with how many tasks ended with it
 * and what one of them said — in the report, in the terminal text and on the page. Before, a design
 * whose strategy throws showed "12 failed" and no reason.
 */
import { describe, expect, it } from 'vitest';
import { formatComparison, formatReport } from '../../src/cli/simulate-format.js';
import { delegateWith, developmentTeam } from '../../src/index.js';
import { latency, renderReportHtml, simulate, type SimulationOptions } from '../../src/simulate/index.js';
import { withoutIds } from '../../src/simulate/collect.js';

const design = (): SimulationOptions => ({
  organisation: {
    hierarchy: developmentTeam(),
    strategy: { byId: { backend_lead: delegateWith('broken router', () => { throw new Error('the routing model is down'); }) } },
  },
  agents: { default: { latency: latency.fixed(1_000) } },
  workload: { arrivals: [{ task: 'python', everyMs: 60_000 }, { task: 'react', everyMs: 60_000 }, { task: { type: 'css', context: { requiresApproval: true } }, everyMs: 600_000 }], durationMs: 3_600_000 },
  people: { approvals: { responseMs: latency.fixed(10_000), rejectRate: 1 } },
  seed: 1,
});

describe('simulate: why tasks did not complete', () => {
  it('counts each error code, most frequent first, with one message, and shows it in the text and on the page', async () => {
    const report = await simulate(design());
    const { notCompleted } = report.tasks;
    expect(notCompleted.map((why) => why.code)).toEqual(['strategy_error', 'rejected']);
    expect(notCompleted[0]).toMatchObject({ count: report.byType.find((type) => type.type === 'python')!.failed, example: expect.stringContaining('the routing model is down') });
    expect(notCompleted[1]!.count).toBe(report.tasks.rejected);
    expect(notCompleted.reduce((sum, why) => sum + why.count, 0)).toBe(report.tasks.failed + report.tasks.rejected + report.tasks.cancelled);

    const text = formatReport('broken', report);
    expect(text[2]).toBe('  not completed:');
    expect(text[3]).toMatch(/^ {4}\d+ strategy_error, e\.g\. .*the routing model is down/);
    const fine = await simulate({ ...design(), organisation: { hierarchy: developmentTeam() }, people: { approvals: { responseMs: latency.fixed(10_000) } } });
    expect(formatComparison([{ name: 'broken', report, hierarchy: developmentTeam() }, { name: 'fine', report: fine, hierarchy: developmentTeam() }])).toContainEqual(expect.stringMatching(/^ {2}most not completed +\d+ strategy_error +—$/));
    const page = await renderReportHtml([{ name: 'broken', report, hierarchy: developmentTeam() }]);
    expect(page).toContain('<h3>Not completed</h3>');
    expect(page).toMatch(/<li><b>\d+ strategy_error<\/b>, e\.g\. [^<]*the routing model is down/);
  });

  it('says nothing when every task completed', async () => {
    const report = await simulate({ ...design(), organisation: { hierarchy: developmentTeam() }, people: { approvals: { responseMs: latency.fixed(10_000) } } });
    expect(report.tasks.notCompleted).toEqual([]);
    expect(formatReport('fine', report)[2]).toBe('');
    expect(await renderReportHtml([{ name: 'fine', report, hierarchy: developmentTeam() }])).not.toContain('Not completed');
  });

  it('masks every random id in a message, whichever of nanoid\'s characters it starts or ends with', () => {
    // A CI run failed on `apv_P--Hw2fIO-`: an id ending in `-` has no word boundary after it.
    const ids = ['apv_P--Hw2fIO-', 'apv_-abcdefghi', `task_${'_'.repeat(10)}`, 'esc_0123456789', `apv_${'-'.repeat(9)}_`];
    for (const id of ids) expect(id.length - id.indexOf('_') - 1).toBe(10);
    for (const id of ids) {
      const kind = id.slice(0, id.indexOf('_'));
      expect(withoutIds(`Approval ${id} expired undecided.`)).toBe(`Approval ${kind}_… expired undecided.`);
      expect(withoutIds(`(${id})`)).toBe(`(${kind}_…)`);
      expect(withoutIds(id)).toBe(`${kind}_…`);
    }
    // What is not one of those ids stays as it is: a named task, a longer or shorter run, an id inside a word.
    for (const kept of ['task_1', 'apv_abcdefghijk', 'apv_abcdefghi', 'xapv_abcdefghij', 'my-task_abcdefghij', 'apv_abcdefghij-x']) {
      expect(withoutIds(kept)).toBe(kept);
    }
  });
});
