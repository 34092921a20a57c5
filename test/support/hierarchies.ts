/** Small hierarchies several suites share. */
import { defineHierarchy, type Hierarchy } from '../../src/index.js';

/** A lead with two interchangeable workers, `w1` and `w2`, that can both do `job`. */
export const leadWithTwoWorkers = (): Hierarchy =>
  defineHierarchy({
    id: 'lead',
    role: 'manager',
    children: [
      { id: 'w1', role: 'worker', capabilities: ['job'] },
      { id: 'w2', role: 'worker', capabilities: ['job'] },
    ],
  });
