/**
 * What a crash-test run does, from its seed: which tasks the dev team gets (some needing a
 * person's approval, one split into parts), and where each one must end up. Shared by the
 * child process that runs it and the test that checks it.
 */
import { seeded } from '../support/helpers.js';

export interface PlannedTask {
  readonly id: string;
  readonly type: string;
  readonly approval: boolean;
}

const TYPES = ['python', 'react', 'sql', 'css', 'api_design', 'javascript', 'database', 'optimization'];

/** Nine tasks: eight of random types (two of them waiting for approval) and a full-stack feature. */
export function planFor(seed: number): PlannedTask[] {
  const random = seeded(seed);
  const tasks: PlannedTask[] = [];
  for (let index = 0; index < 8; index++) {
    const type = TYPES[Math.floor(random() * TYPES.length)]!;
    tasks.push({ id: `s${seed}-t${index}-${type}`, type, approval: false });
  }
  for (const index of [Math.floor(random() * 4), 4 + Math.floor(random() * 4)]) tasks[index] = { ...tasks[index]!, approval: true };
  tasks.splice(Math.floor(random() * tasks.length), 0, { id: `s${seed}-feature`, type: 'full_stack_feature', approval: false });
  return tasks;
}
