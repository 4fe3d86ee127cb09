import { NoValuesFetched, OperationalError, ParamsError } from '../errors.js';
import type { UsingDb } from '../execution/target.js';
import { QuerySet, type FilterArg } from '../query/queryset.js';
import { column, param, type Expr } from '../sql/ast.js';
import type { RelationMarker } from '../types/relation-brand.js';
import type { OrderKey } from '../types/model-types.js';
import type { FilterArgs } from '../types/filter-types.js';
import { SAVED } from './instance-state.js';
import type { ModelMeta } from './meta.js';
import type { Model } from './model.js';
import type { BackwardRelation, ManyToManyRelationMeta } from './relations.js';

type Instance = Record<string, unknown>;

/** The primary key of a saved owner, or the error that says to save it first. */
export function ownerKey(owner: Instance, meta: ModelMeta, relation: string): unknown {
  const pk = owner[meta.pk.name];
  if (pk === undefined || pk === null) {
    throw new OperationalError(`${meta.name}.${relation} cannot be queried before the ${meta.name} is saved (it has no ${meta.pk.name} yet).`);
  }
  return pk;
}

/**
 * The value the other side's key holds for a saved owner: its primary key, or the `toField` the
 * foreign key points at. Undefined when that field is NULL (then no row can point at the owner).
 */
export function ownerTargetKey(owner: Instance, meta: ModelMeta, relation: BackwardRelation): unknown {
  const pk = ownerKey(owner, meta, relation.name);
  const target = relation.forward.targetField;
  if (target === meta.pk) return pk;
  const value = owner[target.name];
  return value === null ? undefined : value;
}

/**
 * The many side of a relation seen from one instance: `author.books`. Awaiting it fetches the
 * rows (or returns what prefetchRelated/fetchRelated loaded); query methods return QuerySets;
 * once fetched it is iterable and has `length` and `related`.
 */
// The merged interface adds the phantom relation brand, so typed lookups can see the related model.
export interface ReverseRelation<T extends Model, K extends 'reverseFk' | 'm2m' = 'reverseFk'> extends RelationMarker<T, K> {}

export class ReverseRelation<T extends Model, K extends 'reverseFk' | 'm2m' = 'reverseFk'> implements PromiseLike<T[]>, Iterable<T> {
  /** @internal Rows loaded by prefetching or an earlier await. */
  fetched: T[] | undefined;

  constructor(
    /** @internal */ readonly owner: Instance,
    /** @internal */ readonly ownerMeta: ModelMeta,
    /** @internal */ readonly relation: BackwardRelation | ManyToManyRelationMeta,
  ) {}

  /** @internal The QuerySet of the related rows. */
  query(): QuerySet<T> {
    const key = ownerKey(this.owner, this.ownerMeta, this.relation.name);
    const relation = this.relation;
    if (relation.kind === 'm2m') {
      const reverse = [...relation.target.relations.values()].find(
        (r) => r.kind === 'm2m' && r.through === relation.through && r.reversed !== relation.reversed,
      )!;
      return new QuerySet<T>(relation.target).filter({ [reverse.name]: key } as never);
    }
    const targetKey = ownerTargetKey(this.owner, this.ownerMeta, relation);
    // A NULL toField value matches no row (comparing the key with NULL would match the keyless ones).
    if (targetKey === undefined) return new QuerySet<T>(relation.target).filter({ pk__in: [] } as never);
    return new QuerySet<T>(relation.target).filter({ [relation.forward.idField.name]: targetKey } as never);
  }

  all(): QuerySet<T> {
    return this.query();
  }

  filter<A extends readonly object[]>(...args: FilterArgs<T, A>): QuerySet<T> {
    return this.query().filter(...(args as FilterArgs<T, FilterArg<T>[]>));
  }

  exclude<A extends readonly object[]>(...args: FilterArgs<T, A>): QuerySet<T> {
    return this.query().exclude(...(args as FilterArgs<T, FilterArg<T>[]>));
  }

  orderBy(...keys: OrderKey<T>[]): QuerySet<T> {
    return this.query().orderBy(...keys);
  }

  limit(count: number): QuerySet<T> {
    return this.query().limit(count);
  }

  offset(count: number): QuerySet<T> {
    return this.query().offset(count);
  }

  count(): PromiseLike<number> {
    return this.query().count();
  }

  first(): QuerySet<T, T | null> {
    return this.query().first();
  }

  usingDb(db: UsingDb): QuerySet<T> {
    return this.query().usingDb(db);
  }

  then<A = T[], B = never>(
    onFulfilled?: ((value: T[]) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    const fetched = this.fetched;
    const rows =
      fetched !== undefined
        ? Promise.resolve(fetched)
        : this.query().execute().then((loaded) => (this.fetched = loaded));
    return rows.then(onFulfilled, onRejected);
  }

  /** The fetched rows; NoValuesFetched before they are loaded. */
  get related(): T[] {
    if (this.fetched === undefined) {
      const name = `${this.ownerMeta.name}.${this.relation.name}`;
      throw new NoValuesFetched(
        `${name} is not fetched: await it first (await ${this.ownerMeta.name.toLowerCase()}.${this.relation.name}), or load it with fetchRelated('${this.relation.name}') or prefetchRelated('${this.relation.name}').`,
      );
    }
    return this.fetched;
  }

  get length(): number {
    return this.related.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.related[Symbol.iterator]();
  }

  toJSON(): T[] | undefined {
    return this.fetched;
  }
}

/** `book.tags`: a ReverseRelation plus `add`, `remove` and `clear` on the through table. */
export class ManyToManyRelation<T extends Model> extends ReverseRelation<T, 'm2m'> {
  private get m2m(): ManyToManyRelationMeta {
    return this.relation as ManyToManyRelationMeta;
  }

  private keysOf(objects: readonly T[], method: string): unknown[] {
    const target = this.m2m.target;
    return objects.map((object, index) => {
      if (!(object instanceof (target.cls as unknown as typeof Model))) {
        throw new ParamsError(
          `${this.ownerMeta.name}.${this.relation.name}.${method}() takes ${target.name} instances; argument ${index} is not one.`,
        );
      }
      const pk = (object as unknown as Instance)[target.pk.name];
      if (pk === undefined || pk === null || (object as unknown as Record<symbol, unknown>)[SAVED] !== true) {
        throw new OperationalError(
          `${this.ownerMeta.name}.${this.relation.name}.${method}(): the ${target.name} at argument ${index} is not saved; save it first.`,
        );
      }
      return pk;
    });
  }

  private runTarget(usingDb: UsingDb | undefined) {
    const { runtime } = this.ownerMeta.bound();
    return runtime.target(this.ownerMeta, usingDb, 'write');
  }

  /** Links the objects; pairs that already exist are left alone. */
  async add(...objects: T[]): Promise<void> {
    await this.addUsing(undefined, objects);
  }

  /** @internal */
  async addUsing(usingDb: UsingDb | undefined, objects: readonly T[]): Promise<void> {
    const own = ownerKey(this.owner, this.ownerMeta, this.relation.name);
    const keys = this.keysOf(objects, 'add');
    if (keys.length === 0) return;
    const target = this.runTarget(usingDb);
    const m2m = this.m2m;
    const conventions = target.dialect.values;
    const ownEncoded = this.ownerMeta.pk.encoder(conventions)(own);
    const encodeTarget = m2m.target.pk.encoder(conventions);
    let wanted = [...new Set(keys.map(encodeTarget))];
    if (!m2m.through.unique) {
      // No unique pair to conflict on: skip the pairs that exist already.
      const existing = await this.existingPairs(target, ownEncoded, wanted);
      wanted = wanted.filter((k) => !existing.has(String(k)));
      if (wanted.length === 0) return this.forget();
    }
    const { sql, params } = target.dialect.compiler.compile({
      kind: 'insert',
      table: m2m.through.table,
      columns: [m2m.ownKey, m2m.targetKey],
      rows: wanted.map((k) => [param(ownEncoded), param(k)]),
      returning: [],
      onConflict: m2m.through.unique ? { action: 'ignore' } : undefined,
    });
    await target.write(sql, params);
    this.forget();
  }

  private async existingPairs(target: ReturnType<ManyToManyRelation<T>['runTarget']>, own: unknown, keys: readonly unknown[]) {
    const m2m = this.m2m;
    const where: Expr = {
      kind: 'and',
      items: [
        { kind: 'compare', op: '=', left: column(undefined, m2m.ownKey), right: param(own) },
        { kind: 'in', expr: column(undefined, m2m.targetKey), values: keys.map(param), negated: false },
      ],
    };
    const { sql, params } = target.dialect.compiler.compile({
      kind: 'select',
      from: { name: m2m.through.table, alias: undefined },
      joins: [],
      columns: [{ expr: column(undefined, m2m.targetKey), alias: undefined }],
      distinct: false,
      where,
      groupBy: [],
      orderBy: [],
      limit: undefined,
      offset: undefined,
      lock: undefined,
    });
    return new Set((await target.rows(sql, params)).map((row) => String(row[0])));
  }

  /** Unlinks the objects (the rows themselves stay). */
  async remove(...objects: T[]): Promise<void> {
    if (objects.length === 0) {
      throw new ParamsError(`${this.ownerMeta.name}.${this.relation.name}.remove() needs at least one object; use clear() to unlink all.`);
    }
    await this.deletePairs(this.keysOf(objects, 'remove'));
  }

  /** Unlinks every related object. */
  async clear(): Promise<void> {
    await this.deletePairs(undefined);
  }

  private async deletePairs(keys: readonly unknown[] | undefined): Promise<void> {
    const own = ownerKey(this.owner, this.ownerMeta, this.relation.name);
    const target = this.runTarget(undefined);
    const m2m = this.m2m;
    const conventions = target.dialect.values;
    const items: Expr[] = [
      { kind: 'compare', op: '=', left: column(undefined, m2m.ownKey), right: param(this.ownerMeta.pk.encoder(conventions)(own)) },
    ];
    if (keys !== undefined) {
      const encode = m2m.target.pk.encoder(conventions);
      items.push({ kind: 'in', expr: column(undefined, m2m.targetKey), values: keys.map((k) => param(encode(k))), negated: false });
    }
    const { sql, params } = target.dialect.compiler.compile({
      kind: 'delete',
      table: { name: m2m.through.table, alias: undefined },
      where: { kind: 'and', items },
    });
    await target.write(sql, params);
    this.forget();
  }

  /** Drops fetched rows after a change, so the next await reads the table again. */
  private forget(): void {
    this.fetched = undefined;
  }
}
