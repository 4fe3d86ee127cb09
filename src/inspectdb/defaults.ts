/**
 * A column's default (introspectSchema's normalized SQL text) as the TypeScript value a field's
 * `default` takes, where one maps; otherwise a note saying what the database does.
 */
import type { ColumnFieldFactory } from '../schema/column-field.js';
import { quote } from './source-text.js';

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** A single-quoted SQL string with '' for a quote, and nothing after it. */
const SQL_STRING = /^'((?:[^']|'')*)'$/;

export interface MappedDefault {
  /** TypeScript source of the value, e.g. `7`, `'new'`, `true`, `10n`. */
  readonly source?: string;
  /** What the database default is, when it does not map. */
  readonly note?: string;
}

function unquoted(text: string): string | undefined {
  const match = SQL_STRING.exec(text);
  return match === null ? undefined : match[1]!.replace(/''/g, "'");
}

export function mappedDefault(factory: ColumnFieldFactory, text: string): MappedDefault {
  const bare = unquoted(text) ?? text;
  switch (factory) {
    case 'IntField':
    case 'SmallIntField':
      if (INTEGER.test(bare)) return { source: String(Number(bare)) };
      break;
    case 'FloatField':
      if (NUMBER.test(bare)) return { source: String(Number(bare)) };
      break;
    case 'BigIntField':
      if (INTEGER.test(bare)) return { source: `${BigInt(bare)}n` };
      break;
    case 'DecimalField':
      if (NUMBER.test(bare)) return { source: quote(bare) };
      break;
    case 'BooleanField':
      if (/^(true|1|'1'|'t')$/i.test(text)) return { source: 'true' };
      if (/^(false|0|'0'|'f')$/i.test(text)) return { source: 'false' };
      break;
    case 'CharField':
    case 'TextField':
    case 'UUIDField': {
      const value = unquoted(text);
      if (value !== undefined) return { source: quote(value) };
      break;
    }
    default:
      break;
  }
  return { note: `the database default ${text} is not mapped (Terrapin fills a field's default itself on create)` };
}
