/** Heap readings that mean something: after full garbage collections (run node with --expose-gc). */

const gc = (globalThis as { gc?: () => void }).gc;

/** True when the process can force garbage collection (started with `--expose-gc`). */
export const canCollectGarbage = gc !== undefined;

/** Collects garbage (twice, so objects freed by finalisers go too); a no-op without --expose-gc. */
export function collectGarbage(): void {
  gc?.();
  gc?.();
}

/** Bytes of heap in use after collecting garbage. */
export function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
