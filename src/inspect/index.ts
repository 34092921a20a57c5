/**
 * Watching an organisation: echelon's live view server (`echelon/view`), the snapshot it draws
 * and the one-line event summaries it streams.
 */
export { serveLiveView } from './server.js';
export { serveReplay } from './replay-view.js';
export { statechartToSvg } from '../diagram/svg.js';
export { liveSnapshot } from './snapshot.js';
export type { LiveAgent, LiveApproval, LiveEscalation, LiveViewSnapshot } from './snapshot.js';
export { describeEvent, summarizeEvent } from './summary.js';
export type { EventSummary } from './summary.js';
export { isLoopback } from './options.js';
export type { LiveView, LiveViewOptions } from './options.js';
