/**
 * The live view's task list and an id submitted again (a finished id runs again, and so does a
 * forgotten one): the list holds the latest run, which ages out as its own, not as the earlier one.
 */
import { expect, it } from 'vitest';
import { developmentTeam, type LiveView } from '../src/index.js';
import { serveLiveView } from '../src/inspect/index.js';
import { deferred, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });

const listed = async (view: LiveView) => ((await (await fetch(`${view.url}api/tasks`)).json()) as Array<{ id: string; status: string }>).map((task) => `${task.id}: ${task.status}`);

it('keeps listing an id submitted again while it runs, after its earlier run would have aged out', async () => {
  const hold = deferred<string>();
  let runs = 0;
  const org = start({ executors: (task) => (task.id === 'x' && ++runs === 2 ? hold.promise : 'done') });
  const view = await serveLiveView(org, { history: 2 });
  try {
    await org.submit({ id: 'x', type: 'python' });
    const again = org.submit({ id: 'x', type: 'python' });
    await org.submit({ id: 'a', type: 'css' });
    await org.submit({ id: 'b', type: 'sql' });
    // Before, the earlier run's place among the finished went first, and took the running one off the list.
    expect(await listed(view)).toEqual(['b: completed', 'a: completed', 'x: active']);
    hold.resolve('held');
    expect((await again).result).toBe('held');
    expect(await listed(view)).toEqual(['b: completed', 'x: completed']);
  } finally {
    await view.close();
  }
});
