/** Diagrams: the hierarchy and the agent statechart as Mermaid text (what `echelon diagram` prints), and a statechart as SVG (what the live view draws). */
export { hierarchyToMermaid } from './hierarchy.js';
export { statechartToMermaid } from './statechart.js';
export { statechartToSvg } from './svg.js';
