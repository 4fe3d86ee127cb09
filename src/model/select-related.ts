import type { ValueConventions } from '../dialects/dialect.js';
import type { QueryState } from '../query/state.js';
import { fullHydrator, type RowMapper } from './hydrate.js';
import { cacheForward } from './instance-state.js';

type Instance = Record<string, unknown>;

/**
 * Wraps the main row mapper so each row also builds the models read by selectRelated (their
 * columns follow the main model's, path by path) and attaches them to their parents.
 * A related row whose primary key is NULL (a LEFT JOIN that found nothing) becomes null.
 */
export function withSelectRelated(root: RowMapper, state: QueryState, conventions: ValueConventions): RowMapper {
  let offset = (state.only ?? state.meta.fields).length;
  const parts = state.selectRelated.map((path) => {
    const relation = path[path.length - 1]!;
    const target = relation.target;
    const part = {
      parentKey: path.slice(0, -1).map((r) => r.name).join('__'),
      key: path.map((r) => r.name).join('__'),
      name: relation.name,
      keyName: relation.idField.name,
      pkIndex: offset + target.fields.indexOf(target.pk),
      hydrate: fullHydrator(target, conventions, offset),
    };
    offset += target.fields.length;
    return part;
  });
  return (row) => {
    const instance = root(row) as Instance;
    const byPath = new Map<string, Instance | null>([['', instance]]);
    for (const part of parts) {
      const parent = byPath.get(part.parentKey);
      if (parent === null || parent === undefined) {
        byPath.set(part.key, null);
        continue;
      }
      const child = row[part.pkIndex] === null ? null : (part.hydrate(row) as Instance);
      cacheForward(parent, part.name, parent[part.keyName], child);
      byPath.set(part.key, child);
    }
    return instance;
  };
}
