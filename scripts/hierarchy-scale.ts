/**
 * How long building a `Hierarchy` takes, and how much heap it keeps, on the shapes that used
 * to be cliffs: deep chains, wide stars, a large 10-per-manager organisation, a deep nested
 * spec. CPU time (user + system) and retained heap, medians over several runs.
 *
 *   node --expose-gc --import tsx scripts/hierarchy-scale.ts [baseline/src/hierarchy/index.ts]
 *
 * Given a second implementation (e.g. an older commit's `src/hierarchy` copied elsewhere),
 * the two are alternated run by run in this one process, so both see the same machine.
 */
import { pathToFileURL } from 'node:url';
import * as current from '../src/hierarchy/index.js';
import type { AgentSpec, FlatAgentSpec } from '../src/hierarchy/index.js';

type Builders = Pick<typeof current, 'hierarchyFromList' | 'defineHierarchy'>;

/** Every agent has one capability of its own, the worst case for a set of capabilities per agent. */
const agent = (i: number, parent: number | null): FlatAgentSpec => ({
  id: `a${i}`,
  role: 'worker',
  capabilities: [`c${i}`, 'work'],
  parent: parent === null ? null : `a${parent}`,
});

const shapes: Record<string, { list?: FlatAgentSpec[]; nested?: AgentSpec }> = {
  'chain 10k': { list: Array.from({ length: 10_000 }, (_, i) => agent(i, i === 0 ? null : i - 1)) },
  'chain 100k': { list: Array.from({ length: 100_000 }, (_, i) => agent(i, i === 0 ? null : i - 1)) },
  'tree 100k (10 per manager)': { list: Array.from({ length: 100_000 }, (_, i) => agent(i, i === 0 ? null : Math.floor((i - 1) / 10))) },
  'star 10k': { list: Array.from({ length: 10_000 }, (_, i) => agent(i, i === 0 ? null : 0)) },
  'star 100k': { list: Array.from({ length: 100_000 }, (_, i) => agent(i, i === 0 ? null : 0)) },
  'nested spec 10k deep': { nested: nestedChain(10_000) },
  'nested spec 100k deep': { nested: nestedChain(100_000) },
};

function nestedChain(depth: number): AgentSpec {
  let spec: AgentSpec = { id: `a${depth - 1}`, role: 'worker', capabilities: [`c${depth - 1}`] };
  for (let i = depth - 2; i >= 0; i--) spec = { id: `a${i}`, role: 'manager', capabilities: [`c${i}`], children: [spec] };
  return spec;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('Run with node --expose-gc.');

/** One build: CPU milliseconds and retained heap in MB, or the error it threw. */
function measure(builders: Builders, shape: (typeof shapes)[string]): { cpu: number; heap: number } | { error: string } {
  gc!();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  try {
    const built = shape.list ? builders.hierarchyFromList(shape.list) : builders.defineHierarchy(shape.nested!);
    const cpu = process.cpuUsage(cpuBefore);
    gc!();
    const heap = process.memoryUsage().heapUsed - heapBefore;
    if (built.size === 0) throw new Error('unreachable');
    return { cpu: (cpu.user + cpu.system) / 1000, heap: heap / 2 ** 20 };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message.slice(0, 60)}` };
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const baselinePath = process.argv[2];
const variants: Array<[string, Builders]> = [['current', current]];
if (baselinePath) variants.push(['baseline', (await import(pathToFileURL(baselinePath).href)) as Builders]);
const runs = Number(process.env.RUNS ?? 5);
/** Shapes a baseline is not asked to build (e.g. quadratic ones that would exhaust memory). */
const skip = new Set((process.env.SKIP_BASELINE ?? '').split(',').filter(Boolean));

for (const [name, shape] of Object.entries(shapes)) {
  const results = new Map<string, Array<ReturnType<typeof measure>>>(variants.map(([variant]) => [variant, []]));
  for (let run = 0; run < runs; run++) {
    for (const [variant, builders] of run % 2 === 0 ? variants : [...variants].reverse()) {
      if (variant === 'baseline' && skip.has(name)) continue;
      results.get(variant)!.push(measure(builders, shape));
    }
  }
  for (const [variant, outcomes] of results) {
    if (outcomes.length === 0) continue;
    const failed = outcomes.find((outcome) => 'error' in outcome);
    const ok = outcomes.filter((outcome): outcome is { cpu: number; heap: number } => 'cpu' in outcome);
    const line = failed
      ? (failed as { error: string }).error
      : `cpu ${median(ok.map((o) => o.cpu)).toFixed(1)} ms, heap ${median(ok.map((o) => o.heap)).toFixed(1)} MB (median of ${ok.length})`;
    console.log(`${name.padEnd(28)} ${variant.padEnd(9)} ${line}`);
  }
}
