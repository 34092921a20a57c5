/** Text inside Mermaid labels: entity codes for the characters Mermaid's syntax would read. */
export function mermaidText(text: string): string {
  return text.replace(/[#"<>{}[\]|]/g, (char) => `#${char.charCodeAt(0)};`);
}
