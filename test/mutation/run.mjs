/**
 * `npm run mutate [module…]`: one Stryker run per module of modules.mjs (all by default), each
 * incremental (a rerun only runs the mutants whose code or tests changed), then the survivors'
 * typecheck, then the score table the README's testing section shows:
 * caught = killed + timed out + rejected by `tsc`, out of the valid mutants (those that compiled
 * and ran). `--report` prints the table from the reports already there, without running;
 * `--no-typecheck` leaves the survivors' typecheck out (about a minute a survivor on a loaded machine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODULES, reportDir } from './modules.mjs';
import { typecheckSurvivors } from './typecheck-survivors.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const reportOnly = args.includes('--report');
const chosen = args.filter((arg) => !arg.startsWith('--'));
for (const name of chosen) if (!(name in MODULES)) throw new Error(`No module "${name}": the modules are ${Object.keys(MODULES).join(', ')}.`);
const modules = chosen.length > 0 ? chosen : Object.keys(MODULES);

if (!reportOnly) {
  for (const module of modules) {
    console.log(`\n=== mutating ${module}: ${MODULES[module].mutate.join(', ')}`);
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'stryker'), ['run', 'stryker.config.mjs'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, MUTATE_MODULE: module },
    });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}

const DETECTED = new Set(['Killed', 'Timeout']);
const VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const rows = [];
for (const module of modules) {
  const file = join(ROOT, reportDir(module), 'mutation.json');
  if (!existsSync(file)) {
    rows.push(`| ${module} | (not run) | | | |`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const typecheck = args.includes('--no-typecheck') ? {} : typecheckSurvivors(module);
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const valid = mutants.filter((m) => VALID.has(m.status));
    const detected = valid.filter((m) => DETECTED.has(m.status)).length;
    const rejected = valid.filter((m) => typecheck[m.id]?.rejected).length;
    const score = valid.length === 0 ? 100 : (100 * (detected + rejected)) / valid.length;
    rows.push(`| \`${path}\` | ${detected} | ${rejected} | ${detected + rejected} / ${valid.length} | ${Math.floor(score * 10) / 10} % |`);
  }
}
console.log('\n| file | killed + timed out | rejected by tsc | caught / valid | score |\n|---|---|---|---|---|');
for (const row of rows) console.log(row);
