import { DoesNotExist, FieldError, MultipleObjectsReturned, NotSupportedError, ParamsError } from '../errors.js';
import type { Target, UsingDb } from '../execution/target.js';
import type { RowsOptions } from '../execution/driver.js';
import type { Field } from '../fields/base.js';
import { resolveArgs } from '../lookups/resolve.js';
import { fullHydrator, listMapper, partialHydrator, valuesMapper, type RowMapper } from '../model/hydrate.js';
import type { ModelMeta, OrderSpec } from '../model/meta.js';
import type { Model } from '../model/model.js';
import { isGrouped, planKeys, planSelect, selectedFields } from '../plan/select.js';
import { fieldPath } from '../lookups/path.js';
import { assignedExpr, planDelete, planUpdate } from '../plan/write.js';
import { onWindow } from '../plan/conditions.js';
import { param, type Expr, type SelectNode, type UpdateNode } from '../sql/ast.js';
import { compileDeleteCached, compileSelectCached, compileUpdateCached } from '../plan/statement-cache.js';
import { Expression, checkExpression } from './expressions.js';
import type { FilterArgs } from '../types/filter-types.js';
import type { FilterInput, ModelData, OrderKey, UpdateValues, ValueAtPath, ValueKey, WritableKeys } from '../types/model-types.js';
import type { ForwardPath, RelationPath } from '../types/relation-types.js';
import { describeConditions } from './describe-conditions.js';
import { LazyResult } from './lazy-result.js';
import { QNode, type FilterDict } from './q.js';
import { initialState, type Annotation, type QueryState, type Shape, type ValueColumn } from './state.js';
import type { ForwardRelation } from '../model/relations.js';
import { withAnnotations } from '../model/hydrate.js';
import type { Annotated, AnnotationValues, CheckedExpressions } from '../types/annotation-types.js';
import { Prefetch, prefetchSpecs, runPrefetch } from '../model/prefetch.js';
import { withSelectRelated } from '../model/select-related.js';
import { afterRow, keysetPlan } from './keyset.js';
import { relationAsKey } from './relation-values.js';

/** A filter argument: keyword filters or a Q tree. */
export type FilterArg<M> = FilterInput<M> | QNode<M>;

/** The result type after changing the row shape: lists stay lists, single results stay single. */
export type Reshape<R, Row> = R extends readonly unknown[] ? Row[] : null extends R ? Row | null : Row;
/** The row type of a list result (or the single result itself). */
export type ElementOf<R> = R extends readonly (infer E)[] ? E : R;

type ValuesTuple<M, K extends readonly ValueKey<M>[]> = { -readonly [I in keyof K]: ValueAtPath<M, K[I]> };

export interface SelectForUpdateOptions {
  /** Fail at once instead of waiting for a locked row. */
  nowait?: boolean;
  /** Skip rows other transactions hold. */
  skipLocked?: boolean;
  /** Tables to lock, when the query joins several. */
  of?: readonly string[];
}

const STREAM_BATCH = 1000;

function checkCount(value: unknown, what: string, meta: ModelMeta): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ParamsError(`${meta.name}: ${what} takes a non-negative integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * A lazy, immutable, awaitable query over a model, as in Tortoise: every method returns a new
 * QuerySet and nothing runs until it is awaited (or iterated with `for await`).
 * `R` is what awaiting it gives: `M[]`, a single `M`, `M | null`, or rows from `values()`.
 */
const BIGINT_ROWS: RowsOptions = { bigint: true };

export class QuerySet<M extends Model, R = M[]> implements Promise<R>, AsyncIterable<ElementOf<R>> {
  /** @internal */
  readonly state: QueryState;

  constructor(metaOrState: ModelMeta | QueryState) {
    this.state = 'where' in metaOrState ? metaOrState : initialState(metaOrState);
  }

  private next<R2 = R>(change: Partial<QueryState>): QuerySet<M, R2> {
    return new QuerySet<M, R2>({ ...this.state, ...change });
  }

  private get meta(): ModelMeta {
    return this.state.meta;
  }

  /** Rows matching every argument (AND). Keys: `field`, `field__lookup`; values are bound parameters. */
  filter<A extends readonly object[]>(...args: FilterArgs<M, A>): QuerySet<M, R> {
    if (args.length === 0) return this;
    return this.filtered(args as readonly FilterArg<M>[], this.state.single);
  }

  /** The QuerySet narrowed by `args`, returning `single`, built in one step (get() runs per request). */
  private filtered<R2>(args: readonly FilterArg<M>[], single: QueryState['single']): QuerySet<M, R2> {
    const where =
      args.length === 0
        ? this.state.where
        : [...this.state.where, ...resolveArgs(this.meta, this.meta.bound().runtime.lookups, args as (QNode | FilterDict)[], this.annotationMap())];
    return new QuerySet<M, R2>({ ...this.state, where, single });
  }

  /** Rows not matching the arguments: NOT (a AND b). */
  exclude<A extends readonly object[]>(...args: FilterArgs<M, A>): QuerySet<M, R> {
    if (args.length === 0) return this;
    const conditions = resolveArgs(this.meta, this.meta.bound().runtime.lookups, args as readonly unknown[] as (QNode | FilterDict)[], this.annotationMap());
    return this.next({
      where: [...this.state.where, { kind: 'group', connector: 'AND', negated: true, children: conditions }],
    });
  }

  /** A copy of this QuerySet. */
  all(): QuerySet<M, R> {
    return this.next({});
  }

  /** Orders by fields; '-name' is descending. Replaces any earlier ordering and Meta.ordering. */
  orderBy(...keys: OrderKey<M>[]): QuerySet<M, R> {
    const ordering: OrderSpec[] = keys.map((key) => {
      if (typeof key !== 'string') throw new ParamsError(`${this.meta.name}: orderBy takes field names, got ${typeof key}.`);
      const desc = key.startsWith('-');
      const name = desc ? key.slice(1) : key;
      const annotation = this.annotationMap().get(name);
      if (annotation !== undefined) return { field: annotation.field, desc, path: [], annotation };
      const { path, field } = fieldPath(this.meta, name, `orderBy('${key}')`);
      return { field, desc, path };
    });
    return this.next({ ordering });
  }

  /** @internal Annotations by name. */
  annotationMap(): ReadonlyMap<string, Annotation> {
    return new Map(this.state.annotations.map((a) => [a.name, a]));
  }

  /**
   * Adds computed values to each row: `Author.all().annotate({ bookCount: Count('books') })`.
   * Aggregates group by the other selected columns; filters on them become HAVING.
   */
  annotate<const N extends Record<string, Expression>>(
    annotations: N & CheckedExpressions<M, N>,
  ): QuerySet<M & AnnotationValues<M, N>, Reshape<R, Annotated<ElementOf<R>, M, N>>> {
    if (annotations === null || typeof annotations !== 'object') {
      throw new ParamsError(`${this.meta.name}: annotate() takes an object of named expressions, e.g. { bookCount: Count('books') }.`);
    }
    const added: Annotation[] = [...this.state.annotations];
    for (const [name, expression] of Object.entries(annotations)) {
      if (!(expression instanceof Expression)) {
        throw new ParamsError(`${this.meta.name}: annotate({ ${name} }) takes an expression (Count(...), F(...), Lower(...)…), got ${typeof expression}.`);
      }
      if (name.includes('__') || this.meta.fieldsByName.has(name) || this.meta.relations.has(name) || added.some((a) => a.name === name)) {
        throw new FieldError(`${this.meta.name}: the annotation name '${name}' is taken by a field, relation or annotation (or contains '__'); choose another.`);
      }
      const scope: ReadonlyMap<string, Annotation> = new Map(added.map((a) => [a.name, a]));
      const where = `annotate({ ${name} })`;
      expression.check({ meta: this.meta, where, annotations: scope });
      const field = expression.outputField({ meta: this.meta, where, annotations: scope });
      added.push({ name, expression, aggregate: expression.aggregate, scope, field });
    }
    return this.next({ annotations: added }) as never;
  }

  /** Groups by these fields (call before values()): `Book.all().groupBy('authorId').annotate(...).values('authorId', 'n')`. */
  groupBy(...names: ValueKey<M>[]): QuerySet<M, R> {
    return this.next({ groupBy: this.pickColumns(names, 'groupBy') });
  }

  /** Aggregates over all matching rows: `await Book.all().aggregate({ total: Sum('price') })` → `{ total: … }`. */
  aggregate<const N extends Record<string, Expression>>(aggregates: N & CheckedExpressions<M, N>): LazyResult<AnnotationValues<M, N>> {
    if (aggregates === null || typeof aggregates !== 'object') {
      throw new ParamsError(`${this.meta.name}: aggregate() takes an object of named aggregates, e.g. { total: Sum('price') }.`);
    }
    // The result is a plain object, so names may repeat field names (`{ price: Sum('price') }`),
    // and each aggregate sees the fields and earlier annotate() names, not its siblings.
    const scope = this.annotationMap();
    const names = Object.keys(aggregates);
    const columns = Object.entries(aggregates).map(([name, expression]) => {
      const where = `aggregate({ ${name} })`;
      if (!(expression instanceof Expression) || !expression.aggregate) {
        throw new ParamsError(`${this.meta.name}: ${where} takes an aggregate (Count, Sum, Avg, Min, Max or arithmetic over them).`);
      }
      expression.check({ meta: this.meta, where, annotations: scope });
      const field = expression.outputField({ meta: this.meta, where, annotations: scope });
      return { path: [], field, annotation: { name, expression, aggregate: true, scope, field } };
    });
    const shape: Shape = { mode: 'values', columns, keys: names };
    const state: QueryState = { ...this.state, annotations: [...this.state.annotations, ...columns.map((c) => c.annotation)] };
    const query = new QuerySet<M, Record<string, unknown>[]>({ ...state, shape, ordering: [], groupBy: [], single: undefined });
    return new LazyResult(async () => ((await query.execute())[0] ?? {}) as AnnotationValues<M, N>);
  }

  limit(count: number): QuerySet<M, R> {
    return this.next({ limit: checkCount(count, 'limit()', this.meta) });
  }

  offset(count: number): QuerySet<M, R> {
    return this.next({ offset: checkCount(count, 'offset()', this.meta) });
  }

  /** SELECT DISTINCT; meaningful with values()/valuesList(). */
  distinct(): QuerySet<M, R> {
    return this.next({ distinct: true });
  }

  /** Loads only these fields (and the primary key); reading another raises IncompleteInstanceError. */
  only(...fields: WritableKeys<M>[]): QuerySet<M, R> {
    const chosen = new Set<Field>([this.meta.pk]);
    for (const name of fields) chosen.add(this.meta.field(name, `only('${name}')`));
    return this.next({ only: this.meta.fields.filter((f) => chosen.has(f)) });
  }

  /**
   * Loads forward foreign keys and one-to-ones in the same query, with joins:
   * `Book.all().selectRelated('author', 'author__publisher')`.
   */
  selectRelated(...names: ForwardPath<M>[]): QuerySet<M, R> {
    const paths = [...this.state.selectRelated];
    for (const name of names) {
      const path: ForwardRelation[] = [];
      let current = this.meta;
      for (const part of String(name).split('__')) {
        const relation = current.relations.get(part);
        if (relation === undefined || (relation.kind !== 'fk' && relation.kind !== 'o2o')) {
          const hint = relation === undefined ? `${current.name} has no relation '${part}'` : `'${part}' holds many rows; use prefetchRelated('${name}')`;
          throw new FieldError(`${this.meta.name}: cannot selectRelated('${name}'): ${hint}.`);
        }
        path.push(relation);
        current = relation.target;
        // Each prefix is loaded too, so every parent exists when its child is attached.
        if (!paths.some((p) => p.length === path.length && p.every((r, i) => r === path[i]))) paths.push([...path]);
      }
    }
    paths.sort((a, b) => a.length - b.length);
    return this.next({ selectRelated: paths });
  }

  /**
   * Loads relations after the query, one query per relation level whatever the number of rows:
   * `Author.all().prefetchRelated('books', 'books__tags', new Prefetch('books', { queryset, toAttr }))`.
   */
  prefetchRelated(...items: (RelationPath<M> | Prefetch)[]): QuerySet<M, R> {
    return this.next({ prefetch: [...this.state.prefetch, ...prefetchSpecs(this.meta, items)] });
  }

  /** Runs on this connection or transaction instead of the model's default. */
  usingDb(db: UsingDb): QuerySet<M, R> {
    return this.next({ usingDb: db });
  }

  /** Locks the selected rows until the transaction ends (a no-op on SQLite, which locks the whole database). */
  selectForUpdate(options: SelectForUpdateOptions = {}): QuerySet<M, R> {
    if (options.nowait && options.skipLocked) {
      throw new ParamsError(`${this.meta.name}: selectForUpdate takes nowait or skipLocked, not both.`);
    }
    return this.next({
      lock: { nowait: options.nowait === true, skipLocked: options.skipLocked === true, of: options.of ?? [] },
    });
  }

  /** Plain objects instead of instances: all fields, or the named ones. */
  values(): QuerySet<M, Reshape<R, ModelData<M>>>;
  // The row type is written out (no alias) so that editors show `{ name: string; … }`.
  values<K extends ValueKey<M>>(...fields: K[]): QuerySet<M, Reshape<R, { [P in K]: ValueAtPath<M, P> }>>;
  values(...names: string[]): QuerySet<M, unknown> {
    const columns = this.pickColumns(names, 'values');
    const shape: Shape = { mode: 'values', columns, keys: names.length === 0 ? columns.map((c) => c.field.name) : names };
    return this.next({ shape });
  }

  /** Tuples of the named fields; with `{ flat: true }` and one field, the bare values. */
  valuesList<K extends ValueKey<M>>(field: K, options: { flat: true }): QuerySet<M, Reshape<R, ValueAtPath<M, K>>>;
  valuesList<const K extends readonly ValueKey<M>[]>(...fields: K): QuerySet<M, Reshape<R, ValuesTuple<M, K>>>;
  valuesList(...args: unknown[]): QuerySet<M, unknown> {
    const last = args[args.length - 1];
    const flat = typeof last === 'object' && last !== null && (last as { flat?: unknown }).flat === true;
    const names = (flat || (typeof last === 'object' && last !== null) ? args.slice(0, -1) : args) as string[];
    const columns = this.pickColumns(names, 'valuesList');
    if (flat && columns.length !== 1) {
      throw new ParamsError(`${this.meta.name}: valuesList with { flat: true } takes exactly one field, got ${columns.length}.`);
    }
    return this.next({ shape: { mode: 'list', columns, flat } });
  }

  private pickColumns(names: readonly unknown[], method: string): ValueColumn[] {
    const annotations = this.annotationMap();
    if (names.length === 0) {
      const own: ValueColumn[] = this.meta.fields.map((field) => ({ path: [], field }));
      return [...own, ...this.state.annotations.map((annotation) => ({ path: [], field: annotation.field, annotation }))];
    }
    const seen = new Set<string>();
    return names.map((name) => {
      if (typeof name !== 'string') throw new ParamsError(`${this.meta.name}: ${method}() takes field names, got ${typeof name}.`);
      if (seen.has(name)) throw new FieldError(`${this.meta.name}: ${method}() names '${name}' twice.`);
      seen.add(name);
      const annotation = annotations.get(name);
      if (annotation !== undefined) return { path: [], field: annotation.field, annotation };
      const { path, field } = fieldPath(this.meta, name, `${method}('${name}')`);
      return { path, field };
    });
  }

  /** The first row (by the current ordering, else by primary key), or null. */
  first(): QuerySet<M, ElementOf<R> | null> {
    const ordering = this.state.ordering ?? (this.meta.ordering.length > 0 ? undefined : [{ field: this.meta.pk, desc: false, path: [] }]);
    return this.next({ single: 'first', ordering });
  }

  /** The last row (by the current ordering reversed, else by primary key descending), or null. */
  last(): QuerySet<M, ElementOf<R> | null> {
    const current = this.state.ordering ?? (this.meta.ordering.length > 0 ? this.meta.ordering : [{ field: this.meta.pk, desc: false, path: [] }]);
    // Reversing every key reverses NULL placement too: NULLs sort first ascending on every backend.
    return this.next({ single: 'first', ordering: current.map((o) => ({ ...o, desc: !o.desc })) });
  }

  /** The row with the greatest value of the keys (Tortoise's latest): `Post.all().latest('createdAt')`; null when none. */
  latest(...keys: OrderKey<M>[]): QuerySet<M, ElementOf<R> | null> {
    return this.orderBy(...this.orderingKeys('latest', keys).map((key) => (key.startsWith('-') ? key.slice(1) : `-${key}`) as OrderKey<M>)).first();
  }

  /** The row with the smallest value of the keys (Tortoise's earliest): `Post.all().earliest('createdAt')`; null when none. */
  earliest(...keys: OrderKey<M>[]): QuerySet<M, ElementOf<R> | null> {
    return this.orderBy(...(this.orderingKeys('earliest', keys) as OrderKey<M>[])).first();
  }

  private orderingKeys(method: string, keys: readonly unknown[]): string[] {
    if (keys.length === 0) throw new ParamsError(`${this.meta.name}: ${method}() needs at least one field to order by, e.g. ${method}('createdAt').`);
    for (const key of keys) if (typeof key !== 'string') throw new ParamsError(`${this.meta.name}: ${method}() takes field names, got ${typeof key}.`);
    return keys as string[];
  }

  /** Exactly one row: DoesNotExist when none matches, MultipleObjectsReturned when several do. */
  get<A extends readonly object[]>(...args: FilterArgs<M, A>): QuerySet<M, ElementOf<R>> {
    return this.filtered(args as readonly FilterArg<M>[], 'get');
  }

  /** One row or null; still MultipleObjectsReturned when several match. */
  getOrNone<A extends readonly object[]>(...args: FilterArgs<M, A>): QuerySet<M, ElementOf<R> | null> {
    return this.filtered(args as readonly FilterArg<M>[], 'getOrNone');
  }

  /** The number of matching rows (honouring limit and offset). */
  count(): LazyResult<number> {
    return new LazyResult(async () => {
      const target = this.target();
      const { state } = this;
      let node: SelectNode | { kind: 'count'; inner: SelectNode };
      if (state.limit === undefined && state.offset === undefined && !state.distinct && !isGrouped(state)) {
        node = { ...planKeys(state, target.dialect), columns: [{ expr: { kind: 'countAll' }, alias: undefined }] };
      } else {
        node = { kind: 'count', inner: planKeys(state, target.dialect) };
      }
      const { sql, params } = target.dialect.compiler.compile(node);
      const rows = await target.rows(sql, params);
      return Number(rows[0]?.[0] ?? 0);
    });
  }

  /** Whether any row matches. */
  exists(): LazyResult<boolean> {
    return new LazyResult(async () => {
      const target = this.target();
      // limit(0) must stay 0: no row can exist in an empty slice.
      const node = { ...planKeys(this.state, target.dialect), limit: Math.min(this.state.limit ?? 1, 1) };
      const { sql, params } = target.dialect.compiler.compile(node);
      const rows = await target.rows(sql, params);
      return rows.length > 0;
    });
  }

  /** Sets fields on every matching row; returns the number of rows changed. Values are validated first. */
  update(data: UpdateValues<M>): LazyResult<number> {
    const set = this.updateFields(data as Record<string, unknown>);
    this.refuseSlicing('update');
    return new LazyResult(async () => {
      const target = this.target('write');
      const dialect = target.dialect;
      const conventions = dialect.values;
      const plan = (): UpdateNode => {
        const values: [Field, Expr][] = set.map(([field, value]) => [
          field,
          value instanceof Expression
            ? assignedExpr(this.meta, value, conventions, `update({ ${field.name} })`)
            : param(field.canonicalEncoder(conventions)(value)),
        ]);
        return planUpdate(this.state, dialect, values);
      };
      const { sql, params } = compileUpdateCached(this.state, dialect, set, () => dialect.compiler.compile(plan()));
      return (await target.write(sql, params)).affected;
    });
  }

  private updateFields(data: Record<string, unknown>): [Field, unknown][] {
    if (data === null || typeof data !== 'object') throw new ParamsError(`${this.meta.name}: update() takes an object of field values.`);
    const entries = Object.entries(data);
    if (entries.length === 0) throw new ParamsError(`${this.meta.name}: update() needs at least one field to set.`);
    return entries.map(([name, given]) => {
      const { field, value } = relationAsKey(this.meta, name, given);
      if (field.pk) {
        throw new FieldError(`${this.meta.name}: update() cannot change the primary key '${field.name}'; create a new row instead.`);
      }
      if (value instanceof Expression) {
        checkExpression(value, this.meta, `update({ ${name} })`);
        return [field, value];
      }
      return [field, field.validate(value)];
    });
  }

  /** Deletes every matching row; returns how many. */
  delete(): LazyResult<number> {
    this.refuseSlicing('delete');
    return new LazyResult(async () => {
      const target = this.target('write');
      const dialect = target.dialect;
      const { sql, params } = compileDeleteCached(this.state, dialect, () => dialect.compiler.compile(planDelete(this.state, dialect)));
      return (await target.write(sql, params)).affected;
    });
  }

  private refuseSlicing(method: string): void {
    if (this.state.where.some(onWindow)) {
      throw new NotSupportedError(`${this.meta.name}: ${method}() cannot filter on a window annotation (SQL computes windows after WHERE); select the keys first with valuesList('pk', { flat: true }) and ${method} with pk__in.`);
    }
    if (this.state.limit !== undefined || this.state.offset !== undefined) {
      throw new NotSupportedError(
        `${this.meta.name}: ${method}() with limit/offset is not supported on every backend; select the keys first and ${method} with pk__in.`,
      );
    }
  }

  /** The backend's query plan for this query. */
  explain(): LazyResult<unknown[][]> {
    return new LazyResult(async () => {
      const target = this.target();
      const { sql, params } = target.dialect.compiler.compile({ kind: 'explain', statement: this.selectNode(target) });
      return target.rows(sql, params);
    });
  }

  /** The SQL this QuerySet runs on the model's connection, with placeholders (values are bound separately). */
  sql(): string {
    return this.compile(this.target()).sql;
  }

  /**
   * @internal The target a statement runs on. Reads go where routers send reads, unless they
   * lock rows (selectForUpdate), which, like writes, go to the write connection.
   */
  target(access: 'read' | 'write' = this.state.lock === undefined ? 'read' : 'write'): Target {
    return this.meta.bound().runtime.target(this.meta, this.state.usingDb, access);
  }

  private selectNode(target: Target): SelectNode {
    const single = this.state.single;
    const limit = single === 'get' || single === 'getOrNone' ? 2 : single === 'first' ? 1 : undefined;
    return planSelect(this.state, target.dialect, limit);
  }

  private compile(target: Target): { sql: string; params: readonly unknown[] } {
    const dialect = target.dialect;
    return compileSelectCached(this.state, dialect, () => dialect.compiler.compile(this.selectNode(target)));
  }

  private mapper(target: Target): RowMapper {
    const { shape, meta, only } = this.state;
    const conventions = target.dialect.values;
    switch (shape.mode) {
      case 'objects': {
        const root = only === undefined ? fullHydrator(meta, conventions) : partialHydrator(meta, only, conventions);
        const related = this.state.selectRelated.length === 0 ? root : withSelectRelated(root, this.state, conventions);
        return this.state.annotations.length === 0 ? related : withAnnotations(related, this.state, conventions);
      }
      case 'values':
        return valuesMapper(shape.keys, shape.columns.map((c) => c.field), conventions);
      case 'list':
        return listMapper(shape.columns.map((c) => c.field), conventions, shape.flat);
    }
  }

  private readsBigInt(): boolean {
    const { shape, meta, selectRelated, annotations } = this.state;
    if (shape.mode === 'objects' && selectRelated.length === 0 && annotations.length === 0) return meta.hasBigInt;
    return selectedFields(this.state).some((f) => f.kind === 'bigint') || (shape.mode === 'objects' && meta.hasBigInt);
  }

  /** Runs the query and shapes the result. */
  execute(): Promise<R> {
    return this.then() as Promise<R>;
  }

  private describeFilters(): string {
    return this.state.where.length === 0 ? 'the query (no filters)' : describeConditions(this.state.where);
  }

  /** Instances (or values) from the rows; the result itself, or a promise when prefetching. */
  private fromRows(rows: unknown[][], target: Target): R | Promise<R> {
    const map = this.mapper(target);
    const single = this.state.single;
    if (single === undefined) {
      const result = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) result[i] = map(rows[i]!);
      if (this.state.prefetch.length > 0) return runPrefetch(result, this.state.prefetch, this.state.usingDb).then(() => result as R);
      return result as R;
    }
    if (rows.length > 1 && single !== 'first') {
      throw new MultipleObjectsReturned(
        `More than one ${this.meta.name} matches ${this.describeFilters()}; get() expects exactly one. Narrow the filters, or use first() or filter().`,
        this.meta.name,
      );
    }
    if (rows.length === 0) {
      if (single === 'get') {
        throw new DoesNotExist(`No ${this.meta.name} matches ${this.describeFilters()}.`, this.meta.name);
      }
      return null as R;
    }
    const one = map(rows[0]!);
    if (this.state.prefetch.length > 0) return runPrefetch([one as Record<string, unknown>], this.state.prefetch, this.state.usingDb).then(() => one as R);
    return one as R;
  }

  then<A = R, B = never>(
    onFulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    // `await qs` lands here: one `then` on the driver's promise does the mapping and hands the
    // result on (not an async function, not execute()'s promise plus another `then`: each promise
    // costs, and more so under AsyncLocalStorage's hooks). A target that refuses synchronously
    // (an ended transaction) still gives a rejection, never a throw.
    let target: Target;
    let rows: Promise<unknown[][]>;
    try {
      target = this.target();
      const { sql, params } = this.compile(target);
      rows = target.rows(sql, params, this.readsBigInt() ? BIGINT_ROWS : undefined);
    } catch (error) {
      return Promise.reject(error).then(onFulfilled, onRejected);
    }
    return rows.then((result): A | B | PromiseLike<A | B> => {
      let value: R | Promise<R>;
      try {
        value = this.fromRows(result, target);
      } catch (error) {
        if (typeof onRejected === 'function') return onRejected(error);
        throw error;
      }
      if (value instanceof Promise) return value.then(onFulfilled, onRejected);
      return typeof onFulfilled === 'function' ? onFulfilled(value) : (value as unknown as A);
    }, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<R | B> {
    return this.execute().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.execute().finally(onFinally);
  }

  /** Makes a QuerySet usable wherever a Promise is expected (it runs when awaited). */
  readonly [Symbol.toStringTag] = 'QuerySet';

  /**
   * Streams rows in pages of 1000, so a large result is never held in memory at once: ordered,
   * with the primary key as the last tie-breaker, each page starting after the last row read
   * (keyset pagination, see keyset.ts).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<ElementOf<R>> {
    if (this.state.single !== undefined) {
      const value = await this.execute();
      if (value !== null) yield value as ElementOf<R>;
      return;
    }
    const ordering = [...(this.state.ordering ?? this.meta.ordering)];
    if (!ordering.some((o) => o.field === this.meta.pk && o.path.length === 0)) ordering.push({ field: this.meta.pk, desc: false, path: [] });
    const registry = this.meta.bound().runtime.lookups;
    const plan = keysetPlan(this.state, ordering, (field) => registry.applies(field, 'gt') && registry.applies(field, 'lt'));
    if (plan === undefined) {
      yield* this.offsetPages(ordering);
      return;
    }
    let offset = this.state.offset;
    let remaining = this.state.limit ?? Number.POSITIVE_INFINITY;
    let where = this.state.where;
    while (remaining > 0) {
      const size = Math.min(STREAM_BATCH, remaining);
      const page = (await this.next<unknown[]>({ ordering, offset, limit: size, where, shape: plan.shape, only: plan.only }).execute()) as unknown[];
      if (page.length === 0) return;
      // Read the cursor before output() strips its columns from the last row.
      where = [...this.state.where, afterRow(plan, plan.cursor(page[page.length - 1]), registry)];
      for (const row of page) yield plan.output(row) as ElementOf<R>;
      if (page.length < size) return;
      offset = undefined;
      remaining -= size;
    }
  }

  /** OFFSET pages, for orderings keyset pagination cannot follow (see keysetPlan). */
  private async *offsetPages(ordering: readonly OrderSpec[]): AsyncGenerator<ElementOf<R>> {
    let offset = this.state.offset ?? 0;
    let remaining = this.state.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const size = Math.min(STREAM_BATCH, remaining);
      const page = (await this.next<unknown[]>({ ordering, offset, limit: size }).execute()) as ElementOf<R>[];
      for (const row of page) yield row;
      if (page.length < size) return;
      offset += size;
      remaining -= size;
    }
  }
}
