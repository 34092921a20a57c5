/**
 * `echelon/inspector` — the Stately inspector for a whole organisation, apart from the core so
 * that organisations that never inspect never load `@statelyai/inspect` or `ws` (optional peers:
 * `npm install @statelyai/inspect ws`). Without either, importing `echelon/inspector` fails with an
 * `EchelonError` `missing_dependency` that says what to install. Editors read the declarations of
 * `inspect/stately.ts` (the package's `types` for this subpath), which exports the same values
 * (test/hardening/installed-package.test.ts): a value taken from `await import()` carries no
 * documentation.
 */
import { importPeer } from './peers.js';

// ws first: a missing ws would otherwise read as a missing @statelyai/inspect, should it load ws too.
await importPeer('ws', 'ws', 'echelon/inspector');
await importPeer('@statelyai/inspect', '@statelyai/inspect', 'echelon/inspector');

export const { inspectOrganisation } = await import('./inspect/stately.js');
export type { InspectOrganisationOptions, OrganisationInspector } from './inspect/stately.js';
