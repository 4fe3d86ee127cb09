import type { Condition } from '../lookups/resolve.js';

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  return String(value);
}

/** A short human description of filters for error messages: "email='a@b.c', age__gte=18". */
export function describeConditions(conditions: readonly Condition[]): string {
  return conditions
    .map((c) => {
      if (c.kind === 'lookup') {
        const key = c.lookup.name === 'exact' ? c.field.name : `${c.field.name}__${c.lookup.name}`;
        return `${key}=${describeValue(c.value)}`;
      }
      const inner = describeConditions(c.children).split(', ').join(c.connector === 'OR' ? ' OR ' : ', ');
      return `${c.negated ? 'NOT ' : ''}(${inner})`;
    })
    .join(', ');
}
