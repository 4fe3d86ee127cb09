/** Pieces of TypeScript source: string literals and object literals wrapped at a line width. */

/** A single-quoted string literal: `quote("it's")` → `'it\'s'`. */
export function quote(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

/** `[['a', 'b'], ['c']]` for groups of names. */
export function nameGroups(groups: readonly (readonly string[])[]): string {
  return `[${groups.map((g) => `[${g.map(quote).join(', ')}]`).join(', ')}]`;
}

export type Entries = readonly (readonly [string, string])[];

const WIDTH = 120;

/**
 * `{ a: 1, b: 'x' }` on one line when `prefix` + it fits in the width, else one entry per line
 * indented under `indent`. An empty list gives `{}`.
 */
export function objectLiteral(entries: Entries, indent: string, prefixLength: number): string {
  if (entries.length === 0) return '{}';
  const inline = `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  if (prefixLength + inline.length <= WIDTH) return inline;
  return `{\n${entries.map(([k, v]) => `${indent}  ${k}: ${v},`).join('\n')}\n${indent}}`;
}
