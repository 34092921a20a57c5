/** Static checks of an organisation before it runs (`echelon check`, `echelon/simulate`). */
export { checkOrganisation } from './check.js';
export type { CheckOptions, CheckReport, Finding, FindingCode, OrganisationOptions, Severity } from './types.js';
