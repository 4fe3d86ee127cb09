/**
 * The field a live column maps back to, as each dialect's introspection sees it: what `inspectdb`
 * writes for a column before keys, defaults and options are added.
 */

/** The `fields.*` factories a column can map to. */
export type ColumnFieldFactory =
  | 'IntField'
  | 'SmallIntField'
  | 'BigIntField'
  | 'FloatField'
  | 'DecimalField'
  | 'CharField'
  | 'TextField'
  | 'UUIDField'
  | 'BooleanField'
  | 'DatetimeField'
  | 'DateField'
  | 'TimeField'
  | 'JSONField'
  | 'BinaryField';

export interface ColumnField {
  readonly factory: ColumnFieldFactory;
  /** Options the type itself implies: CharField's maxLength, DecimalField's maxDigits and decimalPlaces. */
  readonly options?: { readonly maxLength?: number; readonly maxDigits?: number; readonly decimalPlaces?: number };
  /** Why this field would not recreate the column's type exactly; written as a comment above the field. */
  readonly note?: string;
  /** No field stores the type: the factory is a placeholder the user must replace (written with FIXME). */
  readonly unmapped?: boolean;
  /** The database fills the column though it is not `autoIncrement` (SQLite's rowid): an integer field left `generated`. */
  readonly filled?: boolean;
}

/**
 * A type split into its first word, numeric arguments and the rest:
 * 'decimal(8,2)' → { name: 'decimal', args: [8, 2], rest: '' }, 'int unsigned' → { name: 'int', args: [], rest: 'unsigned' }.
 */
export function typeParts(type: string): { name: string; args: number[]; rest: string } {
  const match = /^([a-z_][a-z0-9_]*)\s*(?:\(([\d,\s]+)\))?\s*(.*)$/.exec(type);
  if (match === null) return { name: type, args: [], rest: '' };
  return { name: match[1]!, args: match[2] === undefined ? [] : match[2].split(',').map((n) => Number(n.trim())), rest: match[3]! };
}

/**
 * For notes: the type a field writes on a backend, found as the first type that maps to it
 * exactly (`extra` for fields no exact type maps to there).
 */
export function writtenType(
  exact: Readonly<Record<string, ColumnField>>,
  factory: ColumnFieldFactory,
  extra: Partial<Record<ColumnFieldFactory, string>> = {},
): string {
  return extra[factory] ?? Object.keys(exact).find((type) => exact[type]!.factory === factory) ?? 'another type';
}

/**
 * The types with a size that PostgreSQL and MySQL spell alike: varchar(n) → CharField,
 * char(n) → CharField (which writes varchar), decimal(p,s) → DecimalField.
 */
export function sizedField(name: string, args: readonly number[]): ColumnField | undefined {
  if (name === 'varchar' && args.length === 1) return { factory: 'CharField', options: { maxLength: args[0]! } };
  if (name === 'char' && args.length === 1) {
    return { factory: 'CharField', options: { maxLength: args[0]! }, note: `was char(${args[0]}); CharField writes varchar(${args[0]})` };
  }
  if (name === 'decimal' && args.length === 2) return { factory: 'DecimalField', options: { maxDigits: args[0]!, decimalPlaces: args[1]! } };
  return undefined;
}
