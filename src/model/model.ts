import { DoesNotExist, FieldError, IntegrityError, ParamsError } from '../errors.js';
import type { UsingDb } from '../execution/target.js';
import type { LazyResult } from '../query/lazy-result.js';
import { QuerySet, type FilterArg, type SelectForUpdateOptions } from '../query/queryset.js';
import type { CreateInput, FieldKeys, FilterInput, OrderKey, PkValue, UpdateInput, UpdateValues, WritableKeys } from '../types/model-types.js';
import type { FilterArgs } from '../types/filter-types.js';
import type { RelationPath } from '../types/relation-types.js';
import type { Annotated, AnnotationValues, CheckedExpressions } from '../types/annotation-types.js';
import { Expression, checkExpression } from '../query/expressions.js';
import { bulkCreate, bulkUpdate, type BulkCreateOptions, type BulkUpdateOptions } from './bulk.js';
import { LOADED, SAVED, type InstanceState } from './instance-state.js';
import { boundMeta, notInitialised, type ModelMeta, type ModelOptions } from './meta.js';
import { deleteInstance, insertInstance, settleConstructed, updateInstance } from './persistence.js';
import { Prefetch, prefetchSpecs, runPrefetch } from './prefetch.js';
import { emit, hasListeners, registerListener, type Listener, type SignalName } from './signals.js';
import { describeModel, type ModelDescription } from './describe.js';
import { fullHydrator } from './hydrate.js';
import { column, emptySelect } from '../sql/ast.js';
import type { Target } from '../execution/target.js';
import { TransactionClient } from '../transaction/transaction-client.js';

/** How often updateOrCreate, in a transaction of its own, runs again after a deadlock. */
const UPSERT_RETRY = { attempts: 10 } as const;

/** `query` as a locking read with a shared lock. */
function shareLocked<M extends Model, R>(query: QuerySet<M, R>): QuerySet<M, R> {
  return new QuerySet<M, R>({ ...query.state, lock: { nowait: false, skipLocked: false, of: [], share: true } });
}

/** A model class, as static methods see `this`. */
export interface ModelClass<M extends Model = Model> {
  new (): M;
  readonly name: string;
  readonly prototype: M;
  meta?: ModelOptions;
}

export interface SaveOptions<M> {
  /** Write only these fields (autoNow fields are added); needed for instances loaded with only(). */
  updateFields?: readonly WritableKeys<M>[];
  /** Always INSERT, even if the instance came from the database. */
  forceCreate?: boolean;
  /** Always UPDATE; IntegrityError when no row has the primary key. */
  forceUpdate?: boolean;
  usingDb?: UsingDb;
}

export interface RefreshOptions<M> {
  /** Reload only these fields. */
  fields?: readonly WritableKeys<M>[];
  usingDb?: UsingDb;
}

export interface DbOptions {
  usingDb?: UsingDb;
}

type Instance = Record<string, unknown> & InstanceState;

/** The model's default QuerySet: its manager's (Meta.manager), or every row. */
function baseQuery<M extends Model>(meta: ModelMeta): QuerySet<M> {
  const all = new QuerySet<M>(meta);
  const manager = meta.manager;
  if (manager === undefined) return all;
  const query = manager.getQueryset(all as never);
  if (!(query instanceof QuerySet) || query.state.meta !== meta) {
    throw new ParamsError(`${meta.name}: Meta.manager.getQueryset() must return a QuerySet of ${meta.name}.`);
  }
  return query as QuerySet<M>;
}

/** The metadata of a registered model class, or the error that says to call Terrapin.init. */
export function metaOf(cls: { readonly name: string }): ModelMeta {
  const meta = boundMeta<ModelMeta>(cls as never);
  if (meta === undefined) throw notInitialised(cls.name);
  return meta;
}

/** A new, unsaved instance from data: known fields only, values checked, defaults filled. */
function buildInstance(meta: ModelMeta, data: Readonly<Record<string, unknown>>): Instance {
  if (data === null || typeof data !== 'object') {
    throw new ParamsError(`${meta.name}: expected an object of field values, got ${data === null ? 'null' : typeof data}.`);
  }
  const instance = Object.create(meta.cls.prototype) as Instance;
  const related: [string, unknown][] = [];
  for (const key of Object.keys(data)) {
    if (meta.fieldsByName.has(key)) continue;
    const relation = meta.relations.get(key);
    if (relation === undefined || (relation.kind === 'm2m' && relation.hidden)) {
      const relations = meta.relationNames;
      throw new FieldError(
        `${meta.name} has no field '${key}'. Valid fields: ${meta.fieldNames.join(', ')}${relations.length > 0 ? `; relations: ${relations.join(', ')}` : ''}.`,
      );
    }
    if (relation.kind !== 'fk' && relation.kind !== 'o2o') {
      throw new ParamsError(
        `${meta.name}.${key} is a ${relation.kind === 'm2m' ? 'many-to-many' : 'reverse'} relation and cannot be set on create; save the ${meta.name}, then use ${relation.kind === 'm2m' ? `${key}.add(...)` : `the ${relation.target.name} side`}.`,
      );
    }
    if (data[relation.idField.name] !== undefined) {
      throw new ParamsError(`${meta.name}: give ${key} or ${relation.idField.name}, not both.`);
    }
    if (data[key] !== undefined) related.push([key, data[key]]);
  }
  for (const field of meta.fields) {
    const value = data[field.name];
    if (value === undefined) {
      const fallback = field.makeDefault();
      if (fallback !== undefined) instance[field.name] = fallback;
    } else {
      instance[field.name] = value === null ? field.validate(null) : field.normalize(value);
    }
  }
  // Through the relation setters: they check the instance's model and set the key.
  for (const [key, value] of related) instance[key] = value;
  return instance;
}

/**
 * The base class of every model. Declare fields as class properties:
 *
 * ```ts
 * class User extends Model {
 *   id = fields.IntField({ pk: true });
 *   name = fields.CharField({ maxLength: 50 });
 *   static meta = { table: 'auth_user' };
 * }
 * ```
 *
 * Instances read from the database are built without running the constructor; make new ones
 * with `User.build({...})` or `User.create({...})`.
 */
export class Model {
  /** Table options, as Tortoise's `class Meta`. */
  static meta?: ModelOptions;

  /** A QuerySet over every row. */
  static all<M extends Model>(this: ModelClass<M>): QuerySet<M> {
    return baseQuery<M>(metaOf(this));
  }

  /** Rows matching the filters: `User.filter({ name__icontains: 'an' })`. */
  static filter<M extends Model, A extends readonly object[]>(this: ModelClass<M>, ...args: FilterArgs<M, A>): QuerySet<M> {
    return baseQuery<M>(metaOf(this)).filter(...(args as FilterArgs<M, FilterArg<M>[]>));
  }

  static exclude<M extends Model, A extends readonly object[]>(this: ModelClass<M>, ...args: FilterArgs<M, A>): QuerySet<M> {
    return baseQuery<M>(metaOf(this)).exclude(...(args as FilterArgs<M, FilterArg<M>[]>));
  }

  /** Exactly one row; DoesNotExist or MultipleObjectsReturned otherwise. */
  static get<M extends Model, A extends readonly object[]>(this: ModelClass<M>, ...args: FilterArgs<M, A>): QuerySet<M, M> {
    return baseQuery<M>(metaOf(this)).get(...(args as FilterArgs<M, FilterArg<M>[]>));
  }

  static getOrNone<M extends Model, A extends readonly object[]>(this: ModelClass<M>, ...args: FilterArgs<M, A>): QuerySet<M, M | null> {
    return baseQuery<M>(metaOf(this)).getOrNone(...(args as FilterArgs<M, FilterArg<M>[]>));
  }

  static first<M extends Model>(this: ModelClass<M>): QuerySet<M, M | null> {
    return baseQuery<M>(metaOf(this)).first();
  }

  /** `Author.annotate({ n: Count('books') })`: a shortcut for `Author.all().annotate(...)`. */
  static annotate<M extends Model, const N extends Record<string, Expression>>(
    this: ModelClass<M>,
    annotations: N & CheckedExpressions<M, N>,
  ): QuerySet<M & AnnotationValues<M, N>, Annotated<M, M, N>[]> {
    return baseQuery<M>(metaOf(this)).annotate<N>(annotations);
  }

  /** The last row by Meta.ordering (reversed) or primary key, or null. */
  static last<M extends Model>(this: ModelClass<M>): QuerySet<M, M | null> {
    return baseQuery<M>(metaOf(this)).last();
  }

  /** `Post.latest('createdAt')`: the row with the greatest value, or null. */
  static latest<M extends Model>(this: ModelClass<M>, ...keys: OrderKey<M>[]): QuerySet<M, M | null> {
    return baseQuery<M>(metaOf(this)).latest(...keys);
  }

  /** `Post.earliest('createdAt')`: the row with the smallest value, or null. */
  static earliest<M extends Model>(this: ModelClass<M>, ...keys: OrderKey<M>[]): QuerySet<M, M | null> {
    return baseQuery<M>(metaOf(this)).earliest(...keys);
  }

  static exists<M extends Model, A extends readonly object[]>(this: ModelClass<M>, ...args: FilterArgs<M, A>): LazyResult<boolean> {
    return baseQuery<M>(metaOf(this)).filter(...(args as FilterArgs<M, FilterArg<M>[]>)).exists();
  }

  static selectForUpdate<M extends Model>(this: ModelClass<M>, options?: SelectForUpdateOptions): QuerySet<M> {
    return baseQuery<M>(metaOf(this)).selectForUpdate(options);
  }

  /** A QuerySet bound to a connection or transaction. */
  static usingDb<M extends Model>(this: ModelClass<M>, db: UsingDb): QuerySet<M> {
    return baseQuery<M>(metaOf(this)).usingDb(db);
  }

  /** A new unsaved instance; `save()` writes it. */
  static build<M extends Model>(this: ModelClass<M>, data: CreateInput<M>): M {
    return buildInstance(metaOf(this), data as Record<string, unknown>) as unknown as M;
  }

  /** Builds and inserts an instance; returns it with its primary key and automatic values set. */
  static async create<M extends Model>(this: ModelClass<M>, data: CreateInput<M>, options: DbOptions = {}): Promise<M> {
    const meta = metaOf(this);
    const instance = buildInstance(meta, data as Record<string, unknown>);
    if (hasListeners(meta, ['preSave', 'postSave'])) {
      // Through save(), which runs the listeners in the insert's transaction.
      await (instance as unknown as Model).save({ forceCreate: true, ...(options.usingDb === undefined ? {} : { usingDb: options.usingDb }) });
    } else {
      await insertInstance(meta.bound().runtime.target(meta, options.usingDb, 'write'), meta, instance);
    }
    return instance as unknown as M;
  }

  /** The model's metadata as plain data (fields, relations, constraints), as Tortoise's describe(). */
  static describe<M extends Model>(this: ModelClass<M>): ModelDescription {
    return describeModel(metaOf(this));
  }

  /**
   * Instances from your own SQL: `await User.raw('SELECT * FROM auth_user WHERE name = ?', ['x'])`.
   * Values go in `params` (each `?` is bound); the SQL must return the model's columns.
   */
  static async raw<M extends Model>(this: ModelClass<M>, sql: string, params: readonly unknown[] = [], options: DbOptions = {}): Promise<M[]> {
    const meta = metaOf(this);
    const target = meta.bound().runtime.target(meta, options.usingDb, 'read');
    const source = '_raw';
    const compiled = target.dialect.compiler.compile({
      ...emptySelect({ name: source, alias: undefined }),
      columns: meta.fields.map((f) => ({ expr: column(source, f.column), alias: undefined })),
      rawSource: { sql, params },
    });
    const rows = await target.rows(compiled.sql, compiled.params, meta.hasBigInt ? { bigint: true } : undefined);
    const hydrate = fullHydrator(meta, target.dialect.values);
    return rows.map((row) => hydrate(row) as M);
  }

  /**
   * Calls `listener` on this model's preSave, postSave, preDelete or postDelete; listeners are
   * awaited in order, inside the same transaction as the write. Returns a remover.
   */
  static registerListener<M extends Model, S extends SignalName>(this: ModelClass<M>, signal: S, listener: Listener<M, S>): () => void {
    return registerListener(this, signal, listener);
  }

  /**
   * The row matching `filters`, or a new one made from the filters and `defaults`.
   * Safe under concurrency: a create that loses a unique-key race returns the winner's row, inside
   * a transaction too (the insert runs in a savepoint, and the winner is read with a locking read).
   */
  static async getOrCreate<M extends Model>(
    this: ModelClass<M>,
    filters: FilterInput<M>,
    defaults?: UpdateInput<M>,
    options: DbOptions = {},
  ): Promise<[M, boolean]> {
    const meta = metaOf(this);
    let base = new QuerySet<M>(meta);
    if (options.usingDb !== undefined) base = base.usingDb(options.usingDb);
    const found = await base.filter(filters as never).getOrNone();
    if (found !== null) return [found, false];
    const data = creationData(meta, filters as Record<string, unknown>, (defaults ?? {}) as Record<string, unknown>);
    const { runtime } = meta.bound();
    const target = runtime.target(meta, options.usingDb, 'write');
    try {
      // Its own transaction, or a savepoint inside the caller's: a lost race undoes only the insert.
      const created = await runtime.inTransaction(
        async (tx) => {
          const instance = buildInstance(meta, data);
          await insertInstance(tx, meta, instance);
          return instance as unknown as M;
        },
        { connection: target.connectionName },
      );
      return [created, true];
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      // Lost the race: the winner has committed. Inside a transaction a plain read would look at
      // its snapshot (MySQL's REPEATABLE READ took it at the first read above, before the winner's
      // row); a locking read sees the latest committed row. Shared, so the other losers' reads
      // neither wait for it nor deadlock with it (each holds a shared lock on the key already).
      const again = base.filter(filters as never);
      const winner = await (target instanceof TransactionClient ? shareLocked(again) : again).getOrNone();
      if (winner === null) throw error;
      return [winner, false];
    }
  }

  /**
   * Updates the row matching `filters` with `defaults` (locking it), or creates it. Safe under
   * concurrency: a create that loses the race updates the winner's row instead. On its own it
   * runs in a transaction that is run again after a deadlock (InnoDB's gap locks make them common
   * here); inside your transaction a deadlock reaches you as TransactionRetryError, for your
   * inTransaction's `retry`.
   */
  static async updateOrCreate<M extends Model>(
    this: ModelClass<M>,
    filters: FilterInput<M>,
    defaults?: UpdateInput<M>,
    options: DbOptions = {},
  ): Promise<[M, boolean]> {
    const meta = metaOf(this);
    const { runtime } = meta.bound();
    const target = runtime.target(meta, options.usingDb, 'write');
    const cls = this as unknown as typeof Model & ModelClass<M>;
    const update = async (row: M, tx: Target): Promise<[M, boolean]> => {
      row.updateFromDict((defaults ?? {}) as never);
      await row.save({ usingDb: tx });
      return [row, false];
    };
    return runtime.inTransaction(
      async (tx) => {
        const locked = new QuerySet<M>(meta).usingDb(tx).filter(filters as never).selectForUpdate();
        const existing = await locked.getOrNone();
        if (existing !== null) return update(existing, tx);
        const [row, created] = (await cls.getOrCreate.call(this, filters as never, defaults, { usingDb: tx })) as [M, boolean];
        if (created) return [row, true];
        // Another transaction created it meanwhile: lock the winner's row and update it.
        return update(await locked.get(), tx);
      },
      { connection: target.connectionName, ...(target instanceof TransactionClient ? {} : { retry: UPSERT_RETRY }) },
    );
  }

  /**
   * Inserts many objects (instances or plain data) in as few statements as possible and returns
   * the instances with primary keys set. Unlike Tortoise, the keys are filled in.
   */
  static async bulkCreate<M extends Model>(
    this: ModelClass<M>,
    objects: readonly (NoInfer<M> | CreateInput<NoInfer<M>>)[],
    options: BulkCreateOptions = {},
  ): Promise<M[]> {
    const meta = metaOf(this);
    const instances = objects.map((o) =>
      o instanceof this ? (settleConstructed(meta, o as unknown as Instance), o as unknown as Instance) : buildInstance(meta, o as Record<string, unknown>),
    );
    await bulkCreate(meta, instances, options);
    return instances as unknown as M[];
  }

  /** Writes the named fields of each instance in batched UPDATEs; returns the rows changed. */
  static bulkUpdate<M extends Model>(
    this: ModelClass<M>,
    objects: readonly M[],
    fields: readonly WritableKeys<M>[],
    options: BulkUpdateOptions = {},
  ): Promise<number> {
    return bulkUpdate(metaOf(this), objects as unknown as Instance[], fields, options);
  }

  /** Instances whose `field` (default the primary key) is in `values`, keyed by that value. */
  static async inBulk<M extends Model, K extends FieldKeys<M> | 'pk' = 'pk'>(
    this: ModelClass<M>,
    values: readonly unknown[],
    field?: K,
    options: DbOptions = {},
  ): Promise<Map<K extends FieldKeys<M> ? M[K] : PkValue<M>, M>> {
    const meta = metaOf(this);
    const target = meta.field(field ?? 'pk', 'inBulk');
    if (!target.unique) {
      throw new FieldError(`${meta.name}.${target.name} is not unique, so inBulk could return several rows per value; use filter() with ${target.name}__in.`);
    }
    let query = new QuerySet<M>(meta).filter({ [`${target.name}__in`]: values } as never);
    if (options.usingDb !== undefined) query = query.usingDb(options.usingDb);
    const rows = await query;
    return new Map(rows.map((row) => [(row as unknown as Instance)[target.name], row])) as never;
  }

  /** The primary key's value, whatever the field is called. */
  get pk(): unknown {
    const meta = metaOf(this.constructor);
    // `new Model()` still holds field descriptors; settle them so pk reads as on a built instance.
    settleConstructed(meta, this as unknown as Instance);
    return (this as unknown as Instance)[meta.pk.name];
  }

  set pk(value: unknown) {
    (this as unknown as Instance)[metaOf(this.constructor).pk.name] = value;
  }

  /**
   * INSERTs a new instance or UPDATEs a loaded one (every field, or `updateFields`).
   * All values are validated first; a ValidationError means nothing was sent.
   */
  // `this: T` rather than `SaveOptions<this>`: TypeScript measures FieldKeys<M> as invariant, so a
  // `this`-typed parameter would make no subclass assignable to Model (test/types/model-types.test.ts).
  async save<T extends Model>(this: T, options: SaveOptions<T> = {}): Promise<T> {
    const meta = metaOf(this.constructor);
    const instance = this as unknown as Instance;
    settleConstructed(meta, instance);
    const { runtime } = meta.bound();
    const pkMissing = instance[meta.pk.name] === undefined || instance[meta.pk.name] === null;
    const update =
      options.forceUpdate === true ||
      (options.forceCreate !== true && !pkMissing && (instance[SAVED] === true || options.updateFields !== undefined));
    const write = async (target: Target) => {
      if (!update) return insertInstance(target, meta, instance);
      const computed = await updateInstance(target, meta, instance, options.updateFields, options.forceUpdate === true);
      // Fields the database computed (F expressions) are read back, so the instance holds values, not expressions.
      if (computed.length > 0) await this.refreshFromDb({ fields: computed.map((f) => f.name) as never, usingDb: target });
    };
    const target = runtime.target(meta, options.usingDb, 'write');
    if (!hasListeners(meta, ['preSave', 'postSave'])) {
      await write(target);
      return this;
    }
    // Listeners run in the write's transaction: one that throws undoes the write.
    const pkBefore = instance[meta.pk.name];
    try {
      await runtime.inTransaction(
        async (tx) => {
          const updateFields = options.updateFields as readonly string[] | undefined;
          await emit(meta, 'preSave', { sender: meta.cls, instance: this, usingDb: tx, updateFields });
          await write(tx);
          await emit(meta, 'postSave', { sender: meta.cls, instance: this, usingDb: tx, updateFields, created: !update });
        },
        { connection: target.connectionName },
      );
    } catch (error) {
      // The insert was rolled back: forget the generated key, so a retried save() inserts again
      // instead of updating a row that does not exist.
      if (!update) {
        instance[SAVED] = false;
        if (pkMissing) instance[meta.pk.name] = pkBefore;
      }
      throw error;
    }
    return this;
  }

  /** Deletes this instance's row. */
  async delete(options: DbOptions = {}): Promise<void> {
    const meta = metaOf(this.constructor);
    const { runtime } = meta.bound();
    const target = runtime.target(meta, options.usingDb, 'write');
    if (!hasListeners(meta, ['preDelete', 'postDelete'])) {
      await deleteInstance(target, meta, this as unknown as Instance);
      return;
    }
    await runtime.inTransaction(
      async (tx) => {
        await emit(meta, 'preDelete', { sender: meta.cls, instance: this, usingDb: tx });
        await deleteInstance(tx, meta, this as unknown as Instance);
        await emit(meta, 'postDelete', { sender: meta.cls, instance: this, usingDb: tx });
      },
      { connection: target.connectionName },
    );
  }

  /** Reloads fields from the database (all, or the named ones). */
  async refreshFromDb<T extends Model>(this: T, options: RefreshOptions<T> = {}): Promise<T> {
    const meta = metaOf(this.constructor);
    const instance = this as unknown as Instance;
    const pk = instance[meta.pk.name];
    if (pk === undefined || pk === null || instance[SAVED] !== true) {
      throw new DoesNotExist(`Cannot refresh an unsaved ${meta.name}: it has no row in the database yet.`, meta.name);
    }
    const names = options.fields ?? meta.fields.map((f) => f.name);
    let query = new QuerySet<Model>(meta).filter({ pk } as never);
    if (options.usingDb !== undefined) query = query.usingDb(options.usingDb);
    const row = await query.values(...(names as never[])).first();
    if (row === null) throw new DoesNotExist(`${meta.name} with ${meta.pk.name}=${String(pk)} no longer exists.`, meta.name);
    for (const name of names) {
      Object.defineProperty(instance, name, { value: (row as Instance)[name], writable: true, enumerable: true, configurable: true });
    }
    if (options.fields === undefined) delete instance[LOADED];
    return this;
  }

  /**
   * Loads relations of this instance: `await author.fetchRelated('books', 'books__tags')`.
   * Afterwards `author.books` is iterable and `book.author` reads synchronously.
   */
  async fetchRelated<T extends Model>(this: T, ...names: (RelationPath<T> | Prefetch)[]): Promise<T> {
    const meta = metaOf(this.constructor);
    await runPrefetch([this as unknown as Instance], prefetchSpecs(meta, names), undefined);
    return this;
  }

  /** `fetchRelated` for many instances of one model at once (one query per relation level). */
  static async fetchForList<M extends Model>(
    this: ModelClass<M>,
    instances: readonly M[],
    ...names: (RelationPath<M> | Prefetch)[]
  ): Promise<void> {
    const meta = metaOf(this);
    await runPrefetch(instances as unknown as Instance[], prefetchSpecs(meta, names), undefined);
  }

  /**
   * Sets fields from an object (unknown names raise FieldError); returns the instance. An expression
   * (`{ score: F('score').add(1) }`) is kept for the next save(), which has the database compute it.
   */
  updateFromDict<T extends Model>(this: T, data: UpdateValues<T>): T {
    const meta = metaOf(this.constructor);
    const instance = this as unknown as Instance;
    for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
      const field = meta.field(name, 'updateFromDict');
      if (value === undefined) continue;
      if (value instanceof Expression) {
        checkExpression(value, meta, `updateFromDict({ ${name} })`);
        instance[field.name] = value;
        continue;
      }
      instance[field.name] = value === null ? field.validate(null) : field.normalize(value);
    }
    return this;
  }

  /** An unsaved copy; the primary key is left for the database (or its default), or set from `pk`. */
  clone(options: { pk?: unknown } = {}): this {
    const meta = metaOf(this.constructor);
    const source = this as unknown as Instance;
    const copy = Object.create(Object.getPrototypeOf(this)) as Instance;
    for (const field of meta.fields) {
      if (Object.prototype.propertyIsEnumerable.call(source, field.name)) copy[field.name] = source[field.name];
    }
    if ('pk' in options) copy[meta.pk.name] = options.pk;
    else if (meta.pk.generated) delete copy[meta.pk.name];
    else if (meta.pk.hasDefault) copy[meta.pk.name] = meta.pk.makeDefault();
    else {
      throw new ParamsError(`${meta.name}.${meta.pk.name} is neither generated nor defaulted; pass clone({ pk: value }).`);
    }
    return copy as unknown as this;
  }
}

/** Plain-field filters plus defaults: the data a get-or-create inserts. */
function creationData(
  meta: ModelMeta,
  filters: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const data: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(filters)) {
    if (key.includes('__')) continue;
    const name = key === 'pk' ? meta.pk.name : key;
    if (name in defaults && defaults[name] !== value) {
      throw new ParamsError(
        `${meta.name}: '${name}' is both a filter (${String(value)}) and a default (${String(defaults[name])}); give it once.`,
      );
    }
    data[name] = value;
  }
  return data;
}
