/**
 * `echelon/inspector` — the Stately inspector for a whole organisation, apart from the core so
 * that organisations that never inspect never load `@statelyai/inspect` or `ws` (optional peers:
 * `npm install @statelyai/inspect`).
 */
export { inspectOrganisation, type InspectOrganisationOptions, type OrganisationInspector } from './inspect/stately.js';
