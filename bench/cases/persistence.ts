/**
 * Persistence cost: throughput with the SQLite store against in-memory. Durability has not
 * landed yet, so this case only looks for it — the `echelon/sqlite` subpath in package.json —
 * and reports why it is skipped. When the store lands, measure it here (same job shape as
 * throughput, with and without the store) and the runner and table pick it up.
 */
import { readFileSync } from 'node:fs';

export interface PersistenceResult {
  readonly skipped: string;
}

/** Where the package manifest is, from this file (in bench/cases or its compiled copy). */
function manifest(): { exports?: Record<string, unknown> } {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; exports?: Record<string, unknown> };
      if (parsed.name === 'echelon') return parsed;
    } catch {
      // not here; try one level up
    }
  }
  return {};
}

export async function measurePersistence(): Promise<PersistenceResult> {
  const exports = manifest().exports ?? {};
  if (!('./sqlite' in exports)) {
    return { skipped: 'durability has not landed: package.json exports no "echelon/sqlite" store, so there is nothing to measure yet' };
  }
  return { skipped: '"echelon/sqlite" exists, but this benchmark does not measure it yet: add the store run to bench/cases/persistence.ts' };
}
