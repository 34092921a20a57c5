import { shownEscaped } from '../show.js';

/**
 * Text inside Mermaid labels: entity codes for the characters Mermaid's syntax would read — its
 * punctuation, a backtick (which starts Markdown in a label), `&` (a label is HTML: `R&amp;D` showed
 * as `R&D`) and control characters (a newline ends the statement) — and a bidi override as its
 * `\u202e`-style escape, shown as the CLI and the live view show it (as an entity code it would still
 * reverse the rest of the label).
 */
export function mermaidText(text: string): string {
  return shownEscaped(text).replace(/[#&"<>{}[\]|`\u0000-\u001f\u007f]/g, code);
}

/**
 * Text of a state diagram's names, transition labels and notes: what Mermaid would read as markup
 * (`<b>`, an entity, a quote) as entity codes, a control character as a space (a newline would end
 * the statement), and a line "end note", which would close a note, with its space encoded. Brackets
 * stay as they are: `[guard]` reads plainly there.
 */
export function mermaidStateText(text: string): string {
  return text
    .replace(/[#"<>&;]/g, code)
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/^(\s*end)\s+(note\s*)$/i, '$1#32;$2');
}

function code(char: string): string {
  return `#${char.charCodeAt(0)};`;
}
