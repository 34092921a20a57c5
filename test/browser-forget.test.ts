/**
 * The live view in a real browser after `org.forget` (test/support/browser.ts): the tasks it took
 * leave the open page's list, the timeline of one of them that was open closes, and what their
 * agents said under them goes.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, developmentTeam, memoryStore } from '../src/index.js';
import { serveLiveView } from '../src/inspect/index.js';
import { llmExecutor } from '../src/ai/index.js';
import { streaming, streamWords } from './support/mock-model.js';
import { SHOWS, useBrowser } from './support/browser.js';

const tabs = useBrowser();

describe('the live view in a browser, after org.forget', () => {
  it('drops the forgotten tasks from the open page and closes the timeline of the one open', async () => {
    const clock = new SimulatedClock();
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }), store: memoryStore(), clock });
    tabs.cleanup.push(() => org.stop());
    const view = await serveLiveView(org);
    tabs.cleanup.push(() => view.close());
    await org.submit({ id: 'old', type: 'python' });
    await org.submit({ id: 'older', type: 'sql' });
    clock.increment(100);
    await org.submit({ id: 'late', type: 'python' });
    const opened = await tabs.open(view.url);
    const { page } = opened;
    await page.locator('#tasks [data-open="old"]').click();
    await page.locator('#timeline', { hasText: 'from the journal' }).waitFor(SHOWS);

    expect(await org.forget({ settledBefore: 50 })).toMatchObject({ tasks: 2 });
    // Before, the page kept listing them, and the open one's timeline stayed as it was.
    await page.locator('#tasks [data-open="old"]').waitFor({ ...SHOWS, state: 'detached' });
    await page.locator('#timeline-section').waitFor({ ...SHOWS, state: 'hidden' });
    expect(await page.locator('#tasks [data-open]').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-open')))).toEqual(['late']);
    expect(await page.locator('#events').innerText()).toContain('forgot 2 finished tasks settled before 50');
    expect(opened.outside).toEqual([]);
    expect(opened.errors).toEqual([]);
  });

  it('lets go of what a forgotten task\'s agent said under it; a later task\'s words show there as before', async () => {
    const clock = new SimulatedClock();
    const model = streaming([streamWords(['old ', 'words']), streamWords(['new ', 'words'])]);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: { byId: { backend_dev_1: llmExecutor({ model }) }, default: async () => 'done' }, store: memoryStore(), clock });
    tabs.cleanup.push(() => org.stop());
    const view = await serveLiveView(org);
    tabs.cleanup.push(() => view.close());
    const { page, errors } = await tabs.open(view.url);
    await page.waitForSelector('#connection.live', SHOWS);
    await org.submit({ id: 'old', type: 'python' });
    await page.locator('[data-said="backend_dev_1"].done', { hasText: 'old words' }).waitFor(SHOWS);
    await org.forget({ settledBefore: 1 });
    await page.locator('[data-said="backend_dev_1"]').waitFor({ ...SHOWS, state: 'detached' });
    clock.increment(100);
    await org.submit({ id: 'new', type: 'python' });
    await page.locator('[data-said="backend_dev_1"].done', { hasText: 'new words' }).waitFor(SHOWS);
    expect(errors).toEqual([]);
  });
});
