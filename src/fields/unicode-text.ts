/**
 * The one rule for characters no backend keeps faithfully, applied to every text value before it
 * reaches SQL (field values, filter values, LIKE patterns, strings inside JSON):
 *
 * - NUL (U+0000): PostgreSQL refuses it in text and JSONB ("invalid byte sequence for encoding
 *   UTF8: 0x00"), SQLite's LIKE stops at it (a `name__icontains` holding NUL matched every row),
 *   MySQL stores it. One answer everywhere: a ValidationError.
 * - A lone surrogate (U+D800–U+DFFF not in a pair): not Unicode, so it has no UTF-8 form; the
 *   drivers write U+FFFD instead, and the row read back differs from the one written. Refused too.
 *
 * The error names the model, field, the character and its position (counted in code points, as
 * the databases count characters), so a web layer answers 422 and the client knows what to fix.
 */

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UnstorableCharacter {
  /** Position in code points, from 0. */
  readonly position: number;
  /** 'U+0000' or the surrogate's code, e.g. 'U+D83D'. */
  readonly code: string;
  /** Why it is refused, for the message. */
  readonly reason: string;
}

/** The first character of `text` that cannot be stored faithfully, or undefined when there is none. */
export function findUnstorableCharacter(text: string): UnstorableCharacter | undefined {
  const match = UNSTORABLE.exec(text);
  if (match === null) return undefined;
  let position = 0;
  for (const _ of text.slice(0, match.index)) position++;
  const unit = match[0].charCodeAt(0);
  const code = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
  const reason =
    unit === 0
      ? 'a NUL character, which PostgreSQL cannot store and SQLite cannot match'
      : 'a lone surrogate, which is not valid Unicode (it would be stored as U+FFFD)';
  return { position, code, reason };
}

/** The message part for an unstorable character: "contains a NUL character (U+0000) at position 1; remove it". */
export function describeUnstorable(found: UnstorableCharacter, where = ''): string {
  return `contains ${found.reason} (${found.code}) at position ${found.position}${where}; remove or replace it`;
}

/**
 * The first unstorable character in any string (or object key) inside a JSON value, with the path
 * to it (`$.tags[2]`). Cycles are not followed (JSON.stringify refuses them).
 */
export function findUnstorableInJson(value: unknown, path = '$', seen = new Set<object>()): { path: string; found: UnstorableCharacter } | undefined {
  if (typeof value === 'string') {
    const found = findUnstorableCharacter(value);
    return found === undefined ? undefined : { path, found };
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorableInJson(value[i], `${path}[${i}]`, seen);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const inKey = findUnstorableCharacter(key);
    if (inKey !== undefined) return { path: `${path} (key ${JSON.stringify(key)})`, found: inKey };
    const hit = findUnstorableInJson(item, `${path}.${key}`, seen);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** What a field offers for refusing a value (Field.invalid); a structural type, so lookups need not import Field. */
interface RefusingField {
  invalid(value: unknown, reason: string): Error;
}

/** Returns `text` unchanged, or throws the field's ValidationError when it holds an unstorable character. */
export function checkStorableText(field: RefusingField, text: string, what = ''): string {
  const found = findUnstorableCharacter(text);
  if (found !== undefined) throw field.invalid(text, `${what}${describeUnstorable(found)}`);
  return text;
}
