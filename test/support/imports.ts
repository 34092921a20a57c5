/**
 * The import statements of TypeScript sources, read with regular expressions: static `import` /
 * `export … from` starting a line (with whether they are type-only and the names they bring, the
 * clause may span lines), side-effect imports, and literal dynamic `import()`s on lines that are
 * not comments. Enough for a layout test over this codebase, where every static import starts at
 * column 0 and TSDoc examples sit on ` * ` lines; not a TypeScript parser (TypeScript 7 has no
 * JavaScript API to parse with).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

export interface ImportStatement {
  /** The module as written: `'../runtime/options.js'`. */
  readonly specifier: string;
  /** The source file it names (repository-relative, `.ts`), or undefined for a package. */
  readonly target: string | undefined;
  /** `import type …`, `export type … from`, or braces where every name is marked `type`. */
  readonly typeOnly: boolean;
  /** The names imported (`*` for a namespace, `default` for a default import), empty for a side-effect or dynamic import. */
  readonly names: readonly string[];
  /** The 1-based line the statement starts on. */
  readonly line: number;
  /** The statement's text, on one line, for messages. */
  readonly text: string;
}

/** A line that is a comment's (a TSDoc line, `// …`, `/* …`): its examples are not imports. */
const COMMENT_LINE = /^\s*(?:\*|\/\/|\/\*)/;

const NAME = String.raw`[\w$]+`;
const CLAUSE = String.raw`(?:${NAME}\s*,\s*)?(?:\{[^}]*\}|\*\s*(?:as\s+${NAME})?)|${NAME}`;
const STATIC = new RegExp(String.raw`^(?:import|export)\s+(type\s+)?(${CLAUSE})\s*from\s*['"]([^'"\n]+)['"]`, 'gm');
const BARE = /^import\s*['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"`]([^'"`\n]+)['"`]\s*\)/g;

/** The names a clause brings in, each with whether it is marked `type`. */
function namesOf(clause: string): { name: string; type: boolean }[] {
  const names: { name: string; type: boolean }[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim();
  if (outside.startsWith('*')) names.push({ name: '*', type: false });
  else if (outside !== '') names.push({ name: 'default', type: false });
  for (const part of (braces?.[1] ?? '').split(',')) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const type = words[0] === 'type' && words.length > 1;
    names.push({ name: type ? words[1]! : words[0]!, type });
  }
  return names;
}

/** Where a relative specifier leads from `file` (both repository-relative, POSIX). */
export function resolveSpecifier(file: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(file), specifier));
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, posix.join(base, 'index.ts'), base];
  return candidates.find(exists) ?? base.replace(/\.js$/, '.ts');
}

/** Every import statement of `source` (the text of `file`). */
export function importsOf(file: string, source: string, exists: (path: string) => boolean = () => false): ImportStatement[] {
  const text = source;
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const statement = (index: number, specifier: string, typeOnly: boolean, names: string[], raw: string): ImportStatement => ({
    specifier,
    target: resolveSpecifier(file, specifier, exists),
    typeOnly,
    names,
    line: lineOf(index),
    text: raw.trim().replace(/\s+/g, ' '),
  });
  const found: ImportStatement[] = [];
  for (const match of text.matchAll(STATIC)) {
    const names = namesOf(match[2]!);
    const typeOnly = match[1] !== undefined || (names.length > 0 && names.every((name) => name.type));
    found.push(statement(match.index, match[3]!, typeOnly, names.map((name) => name.name), match[0]));
  }
  for (const match of text.matchAll(BARE)) found.push(statement(match.index, match[1]!, false, [], match[0]));
  for (const [index, line] of text.split('\n').entries()) {
    if (COMMENT_LINE.test(line)) continue;
    const code = line.replace(/\s\/\/\s.*$/, '');
    for (const match of code.matchAll(DYNAMIC)) found.push({ ...statement(0, match[1]!, false, [], match[0]), line: index + 1 });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The TypeScript sources under `dirs` of `root` (repository-relative paths, declaration files left out), with their text. */
export function sources(root: string, dirs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(posix.join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.set(path, readFileSync(posix.join(root, path), 'utf8'));
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
