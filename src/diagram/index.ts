/** Diagrams: the hierarchy and the agent statechart as Mermaid text (what `echelon diagram` prints). */
export { hierarchyToMermaid } from './hierarchy.js';
export { statechartToMermaid } from './statechart.js';
