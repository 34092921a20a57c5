/**
 * The README's table of error codes names every `EchelonErrorCode` once, and nothing else: a code
 * added to the union without a word for users fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The codes of the `EchelonErrorCode` union, as src/errors.ts declares them. */
function declaredCodes(): string[] {
  const source = readFileSync('src/errors.ts', 'utf8');
  const union = /export type EchelonErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/\|\s*'([a-z_]+)'/g)].map((match) => match[1]!);
}

/** The codes the README's table lists in its second column. */
function documentedCodes(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('Every code, by where it arises');
  expect(start).toBeGreaterThan(-1);
  const rows = readme.slice(start).split('\n\n')[1]!.split('\n').slice(2);
  return rows.flatMap((row) => [...(row.split('|')[2] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!));
}

describe("the README's error codes", () => {
  it('lists every code of EchelonErrorCode exactly once', () => {
    const declared = declaredCodes();
    expect(declared.length).toBeGreaterThan(40);
    const documented = documentedCodes();
    expect([...documented].sort()).toEqual([...declared].sort());
  });
});
