/** Shapes of what callers pass in, and the check that refuses unknown keys with "did you mean". */
export { anything, boolean, checkShape, either, fields, fn, implementing, implementingNamed, number, perAgent, readingCaller, record, setting, shapeContext, string, text, textProblem, MAX_TEXT_CHARACTERS, type Names, type Shape, type ShapeContext } from './shape.js';
export { closest } from './suggest.js';
