/**
 * Optional peer dependencies: the libraries a subpath (`echelon/sqlite`, `echelon/ai`,
 * `echelon/otel`) needs and the core never loads. Each is loaded where its subpath starts, and a
 * missing one is one clear error — `missing_dependency`, saying what to install — instead of the
 * module loader's own.
 */
import { createRequire } from 'node:module';
import { EchelonError } from './errors.js';

/** The refusal for a peer that is not installed. */
function missing(name: string, needs: string, cause: unknown): EchelonError {
  return new EchelonError('missing_dependency', `${needs} needs ${name}, an optional peer dependency of echelon: npm install ${name}`, { details: { dependency: name }, cause });
}

const notFound = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/**
 * Imports `specifier` of package `name`, or throws `missing_dependency` when it is not installed.
 *
 * @example
 * ```ts
 * await importPeer('@opentelemetry/api', '@opentelemetry/api', 'echelon/otel');
 * ```
 */
export async function importPeer(specifier: string, name: string, needs: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    throw notFound(error) ? missing(name, needs, error) : error;
  }
}

/**
 * Requires `name` synchronously (for a peer that is needed inside a synchronous call), or throws
 * `missing_dependency` when it is not installed.
 *
 * @example
 * ```ts
 * const Driver = requirePeer<typeof BetterSqlite3>('better-sqlite3', 'The SQLite store (echelon/sqlite)');
 * ```
 */
export function requirePeer<T>(name: string, needs: string): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    throw notFound(error) ? missing(name, needs, error) : error;
  }
}
