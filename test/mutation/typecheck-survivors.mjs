/**
 * Typechecks the mutants a module's Stryker run left alive (survived, or covered by no test):
 * each is applied alone to a scratch copy of the repository and `tsc --noEmit` runs on it, as CI
 * does. A mutant `tsc` rejects would never reach a release, so it counts as caught. Stryker's
 * own typecheck cannot do this: it needs the TypeScript JS API, which TypeScript 7 does not have.
 *
 * Answers are cached by file content and mutant (reports/mutation/<module>/typecheck.json), so a
 * rerun only checks new survivors.
 *
 * Usage: node test/mutation/typecheck-survivors.mjs <module>
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { reportDir } from './modules.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const COPIED = ['src', 'machines', 'test', 'examples', 'bench', 'scripts', 'tsconfig.json', 'vitest.config.ts', 'package.json'];

/** Offset in `text` of a 1-based line and 1-based column (the mutation report's positions). */
function offsetOf(text, { line, column }) {
  let offset = 0;
  for (let at = 1; at < line; at++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

/** The file's text with one mutant applied. */
export function applyMutant(text, mutant) {
  return text.slice(0, offsetOf(text, mutant.location.start)) + mutant.replacement + text.slice(offsetOf(text, mutant.location.end));
}

const ALIVE = new Set(['Survived', 'NoCoverage']);

export function typecheckSurvivors(module) {
  const dir = join(ROOT, reportDir(module));
  const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8'));
  const cacheFile = join(dir, 'typecheck.json');
  const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  // Outside the repository, so no Stryker sandbox copies it.
  const scratch = join(tmpdir(), `echelon-typecheck-${module}-${process.pid}`);
  let prepared = false;
  const prepare = () => {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    for (const entry of COPIED) if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(scratch, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    prepared = true;
  };
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const answers = {};
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    for (const mutant of mutants.filter((m) => ALIVE.has(m.status))) {
      const key = `${file}@${hash}:${mutant.location.start.line}:${mutant.location.start.column}-${mutant.location.end.line}:${mutant.location.end.column}:${mutant.mutatorName}:${mutant.replacement}`;
      if (cache[key] === undefined) {
        if (!prepared) prepare();
        const target = join(scratch, file);
        writeFileSync(target, applyMutant(source, mutant));
        try {
          execFileSync(tsc, ['--noEmit', '-p', join(scratch, 'tsconfig.json')], { cwd: scratch, stdio: 'pipe' });
          cache[key] = { rejected: false };
        } catch (error) {
          const out = String(error.stdout ?? '') + String(error.stderr ?? '');
          cache[key] = { rejected: true, error: out.split('\n').find((line) => line.includes('error')) ?? out.slice(0, 200) };
        } finally {
          writeFileSync(target, source);
        }
      }
      answers[mutant.id] = { file, line: mutant.location.start.line, mutator: mutant.mutatorName, replacement: mutant.replacement, status: mutant.status, ...cache[key] };
    }
  }
  writeFileSync(cacheFile, JSON.stringify(cache, null, 1));
  if (prepared) rmSync(scratch, { recursive: true, force: true });
  return answers;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const module = process.argv[2];
  if (module === undefined) throw new Error('Usage: node test/mutation/typecheck-survivors.mjs <module>');
  const answers = typecheckSurvivors(module);
  for (const answer of Object.values(answers)) {
    console.log(`${answer.rejected ? 'rejected by tsc' : 'ALIVE          '} ${answer.file}:${answer.line} ${answer.mutator} → ${answer.replacement.split('\n')[0].slice(0, 80)}`);
  }
}
