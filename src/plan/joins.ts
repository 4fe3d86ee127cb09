import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import { isMultiValued, type ManyToManyRelationMeta, type Relation } from '../model/relations.js';
import { column, type ColumnNode, type JoinNode } from '../sql/ast.js';

/** Identifier lengths stop at 63 (PostgreSQL) and 64 (MySQL); long paths get short aliases. */
const MAX_ALIAS = 60;

/**
 * The joins one query needs, each added once per relation path however many conditions,
 * orderings or columns use it. Aliases are the path ('author__publisher'), so SQL stays readable.
 */
export class JoinContext {
  readonly joins: JoinNode[] = [];
  private readonly aliases = new Map<string, string>();
  /** A join over a reverse or many-to-many relation can repeat rows of the root table. */
  multiplies = false;

  constructor(
    readonly root: ModelMeta,
    /** The root table's qualifier; undefined in single-table UPDATE/DELETE. */
    readonly rootAlias: string | undefined,
  ) {}

  /** The column of `field`, reached from the root through `path`. */
  column(path: readonly Relation[], field: Field): ColumnNode {
    if (path.length === 0) return column(this.rootAlias, field.column);
    const last = path[path.length - 1]!;
    // The related key of a many-to-many is in the through table: no need to join the far table.
    if (last.kind === 'm2m' && field === last.target.pk) return column(this.through(path), last.targetKey);
    return column(this.table(path), field.column);
  }

  private aliasFor(key: string): string {
    const taken = new Set(this.aliases.values());
    let alias = key;
    if (alias.length > MAX_ALIAS || alias === this.rootAlias || alias === this.root.table || taken.has(alias)) {
      alias = `j${this.aliases.size + 1}`;
    }
    return alias;
  }

  private parentAlias(path: readonly Relation[]): string | undefined {
    return path.length === 1 ? (this.rootAlias ?? this.root.table) : this.table(path.slice(0, -1));
  }

  /** Alias of the through table of the path's last (many-to-many) step. */
  private through(path: readonly Relation[]): string {
    const key = `${path.map((r) => r.name).join('__')}__through`;
    const existing = this.aliases.get(key);
    if (existing !== undefined) return existing;
    const relation = path[path.length - 1] as ManyToManyRelationMeta;
    const parent = this.parentAlias(path)!;
    const alias = this.aliasFor(key);
    this.aliases.set(key, alias);
    this.multiplies = true;
    this.joins.push({
      type: 'left',
      table: { name: relation.through.table, alias },
      on: {
        kind: 'compare',
        op: '=',
        left: column(alias, relation.ownKey),
        right: column(parent, relation.model.pk.column),
      },
    });
    return alias;
  }

  /** Alias of the table the path leads to, joining each step once. */
  private table(path: readonly Relation[]): string {
    const key = path.map((r) => r.name).join('__');
    const existing = this.aliases.get(key);
    if (existing !== undefined) return existing;
    const relation = path[path.length - 1]!;
    if (isMultiValued(relation)) this.multiplies = true;
    let parent: string;
    let on: JoinNode['on'];
    let alias: string;
    if (relation.kind === 'm2m') {
      const through = this.through(path);
      alias = this.aliasFor(key);
      on = { kind: 'compare', op: '=', left: column(alias, relation.target.pk.column), right: column(through, relation.targetKey) };
    } else {
      parent = this.parentAlias(path)!;
      alias = this.aliasFor(key);
      if (relation.kind === 'fk' || relation.kind === 'o2o') {
        on = { kind: 'compare', op: '=', left: column(alias, relation.targetField.column), right: column(parent, relation.idField.column) };
      } else if (relation.kind === 'reverseFk' || relation.kind === 'reverseO2o') {
        const forward = relation.forward;
        on = { kind: 'compare', op: '=', left: column(alias, forward.idField.column), right: column(parent, forward.targetField.column) };
      } else {
        throw new Error('unreachable: many-to-many handled above');
      }
    }
    this.aliases.set(key, alias);
    this.joins.push({ type: 'left', table: { name: relation.target.table, alias }, on });
    return alias;
  }
}
