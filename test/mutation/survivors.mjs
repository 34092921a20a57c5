/**
 * Lists a module's live mutants from its last report: file:line, mutator, the mutated text.
 * Usage: node test/mutation/survivors.mjs <module> [file-substring]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportDir } from './modules.mjs';

const [module, only = ''] = process.argv.slice(2);
if (module === undefined) throw new Error('Usage: node test/mutation/survivors.mjs <module> [file-substring]');
const report = JSON.parse(readFileSync(join(resolve(import.meta.dirname, '../..'), reportDir(module), 'mutation.json'), 'utf8'));
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  if (!file.includes(only)) continue;
  const lines = source.split('\n');
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { start, end } = m.location;
    const original = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
    console.log(`${file}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${original.trim().slice(0, 90)}  →  ${m.replacement.replace(/\s+/g, ' ').slice(0, 90)}`);
  }
}
