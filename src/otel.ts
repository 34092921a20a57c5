/**
 * `echelon/otel` — OpenTelemetry spans for an organisation (see `inspect/otel.ts`), apart from
 * the core so that organisations without it never load `@opentelemetry/api` (an optional peer:
 * `npm install @opentelemetry/api`). Without it, importing `echelon/otel` fails with an
 * `EchelonError` `missing_dependency` that says what to install. Editors read the declarations of
 * `inspect/otel.ts` (the package's `types` for this subpath), which exports the same values
 * (test/hardening/installed-package.test.ts): a value taken from `await import()` carries no
 * documentation.
 */
import { importPeer } from './peers.js';

await importPeer('@opentelemetry/api', '@opentelemetry/api', 'echelon/otel');

export const { traceOrganisation } = await import('./inspect/otel.js');
export type { TracingOptions } from './inspect/otel.js';
