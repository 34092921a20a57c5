/**
 * A vitest reporter for `npm run mutate` only: each test file that failed without holding a
 * single test (it threw while loading — a mutant in code that runs at import, such as a
 * hierarchy built at the top of a test file) gets one failed test carrying its load error.
 *
 * Why: StrykerJS's vitest runner (9.6.1, and 10) builds a mutant's result from the tests it
 * collected alone, so a mutant that stops a test file from loading counted as survived though
 * the file cannot even run (stryker-js#6150). With this reporter it counts as killed.
 */
import type { Reporter, Vitest } from 'vitest/node';

type FileTask = ReturnType<Vitest['state']['getFiles']>[number];
type Task = FileTask['tasks'][number];

const holdsTests = (tasks: readonly Task[]): boolean => tasks.some((task) => task.type === 'test' || (task.type === 'suite' && holdsTests(task.tasks)));

/** The one failed test a file that could not load stands for. */
function loadFailure(file: FileTask): Task {
  return {
    type: 'test',
    id: `${file.id}_load`,
    name: 'loads',
    mode: 'run',
    file,
    suite: file,
    meta: {},
    context: {} as never,
    timeout: 0,
    annotations: [],
    artifacts: [],
    fullName: `${file.name} loads`,
    result: { state: 'fail', errors: file.result?.errors ?? [{ message: `${file.name} failed to load.` } as never] },
  } as unknown as Task;
}

export class LoadFailuresAsFailedTests implements Reporter {
  #vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunEnd(): void {
    for (const file of this.#vitest?.state.getFiles() ?? []) {
      if (file.result?.state === 'fail' && !holdsTests(file.tasks)) file.tasks.push(loadFailure(file));
    }
  }
}
