/**
 * Small helpers the three dialects' introspection share: reading catalog values (drivers hand
 * back numbers, bigints or strings) and normalizing what every catalog spells its own way.
 */
import type { LiveReferentialAction } from '../schema/live-schema.js';

export const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
export const optionalText = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
export const flag = (value: unknown): boolean => value === true || value === 1 || value === 1n || value === '1' || value === 't';

/** The referential action for the words a catalog uses ('SET NULL', 'NO ACTION', …). */
export function referentialAction(words: unknown): LiveReferentialAction {
  const action = text(words).trim().toUpperCase().replace(/\s+/g, '_');
  if (action === 'CASCADE' || action === 'RESTRICT' || action === 'SET_NULL' || action === 'SET_DEFAULT' || action === 'NO_ACTION') {
    return action;
  }
  throw new TypeError(`unknown referential action '${text(words)}'`);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A default as normalized SQL text: trimmed, NULL as no default, and a quoted numeric literal of
 * a numeric column unquoted (PostgreSQL writes DEFAULT -1 back as '-1'; MySQL 8 leaves them bare
 * anyway), so the same default reads the same however it was written.
 */
export function normalizedDefault(raw: string | null, numericColumn: boolean): string | null {
  if (raw === null) return null;
  const value = raw.trim();
  if (value === '' || value.toUpperCase() === 'NULL') return null;
  if (numericColumn && value.length >= 2 && value.startsWith("'") && value.endsWith("'") && NUMBER.test(value.slice(1, -1))) {
    return value.slice(1, -1);
  }
  return value;
}
