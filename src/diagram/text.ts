/**
 * Text inside Mermaid labels: entity codes for the characters Mermaid's syntax would read — its
 * punctuation, a backtick (which starts Markdown in a label) and control characters (a newline ends
 * the statement).
 */
export function mermaidText(text: string): string {
  return text.replace(/[#"<>{}[\]|`\u0000-\u001f\u007f]/g, (char) => `#${char.charCodeAt(0)};`);
}
