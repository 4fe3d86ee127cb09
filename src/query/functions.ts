import { FieldError, NotSupportedError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { Condition } from '../lookups/resolve.js';
import { resolveArgs } from '../lookups/resolve.js';
import { conditionsToExpr } from '../plan/conditions.js';
import type { AggregateNode, Expr, FuncNode } from '../sql/ast.js';
import { Expression, FieldRef, NUMERIC_KINDS, Value, resultField, toExpression, type CheckContext, type ExpressionContext, type Operand } from './expressions.js';
import type { QueryState } from './state.js';
import { planSelect } from '../plan/select.js';
import type { Dialect } from '../dialects/dialect.js';
import { QNode, type FilterDict } from './q.js';

/** A field name or an expression, as aggregates and functions take. */
export type Source<P extends string = string> = P | Expression;

function sourceExpression(source: Source): Expression {
  if (typeof source === 'string') return new FieldRef(source);
  if (source instanceof Expression) return source;
  throw new ParamsError('Aggregates and functions take a field name or an expression (F(...), another function).');
}

/** Marks a result as "the value type of field P" (resolved against the model in annotate()). */
export interface FieldValueOf<P extends string> {
  readonly __fieldPath: P;
}

export interface AggregateOptions {
  /** COUNT(DISTINCT …) and the like. */
  distinct?: boolean;
  /** Only rows matching these filters count: AGG(CASE WHEN … THEN … END). */
  filter?: QNode | FilterDict;
}

/**
 * An aggregate over the rows of a group: Count, Sum, Avg, Min, Max. `P` is the field path it
 * was given (a phantom), so annotate() and aggregate() can reject a misspelt one at compile time.
 */
export class Aggregate<T = unknown, P extends string = string> extends Expression<T> {
  declare readonly __sourcePath?: P;
  private readonly source: Expression;
  constructor(
    readonly fn: AggregateNode['fn'],
    source: Source,
    readonly options: AggregateOptions = {},
  ) {
    super();
    this.source = sourceExpression(source);
  }

  get aggregate(): boolean {
    return true;
  }

  check(ctx: CheckContext): void {
    if (this.source.aggregate) throw new FieldError(`${ctx.meta.name}: aggregates cannot be nested (in ${ctx.where}).`);
    this.source.check(ctx);
    if (this.fn === 'SUM' || this.fn === 'AVG') {
      const field = this.source.outputField(ctx);
      if (!NUMERIC_KINDS.has(field.kind)) {
        throw new FieldError(`${ctx.meta.name}: ${this.fn === 'SUM' ? 'Sum' : 'Avg'} needs a numeric field; '${field.name}' is a ${field.fieldType} (in ${ctx.where}).`);
      }
    }
    if (this.options.filter !== undefined) this.filterConditions(ctx);
  }

  private filterConditions(ctx: CheckContext): Condition[] {
    const registry = ctx.meta.bound().runtime.lookups;
    return resolveArgs(ctx.meta, registry, [this.options.filter as QNode | FilterDict]);
  }

  outputField(ctx: CheckContext): Field {
    if (this.fn === 'COUNT') return resultField('int', 'count', ctx.meta.name);
    if (this.fn === 'AVG') return resultField('float', 'avg', ctx.meta.name);
    return this.source.outputField(ctx);
  }

  toExpr(ctx: ExpressionContext): Expr {
    const filter = this.options.filter === undefined ? undefined : conditionsToExpr(this.filterConditions(ctx), ctx.joins, ctx.conventions);
    return {
      kind: 'aggregate',
      fn: this.fn,
      expr: this.source.toExpr(ctx),
      distinct: this.options.distinct === true,
      ...(filter === undefined ? {} : { filter }),
    };
  }
}

/** COUNT(field) — across a relation counts related rows: `Count('books')`. */
export function Count<P extends string = 'pk'>(source: Source<P> = 'pk' as P, options?: AggregateOptions): Aggregate<number, P> {
  return new Aggregate<number, P>('COUNT', source, options);
}
/** SUM(field); null over no rows. */
export function Sum<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null, P> {
  return new Aggregate('SUM', source, options);
}
/** AVG(field) as a number; null over no rows. */
export function Avg<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<number | null, P> {
  return new Aggregate('AVG', source, options);
}
/** MIN(field); null over no rows. */
export function Min<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null, P> {
  return new Aggregate('MIN', source, options);
}
/** MAX(field); null over no rows. */
export function Max<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null, P> {
  return new Aggregate('MAX', source, options);
}

/** A scalar SQL function over field names and expressions. */
export class Func<T = unknown> extends Expression<T> {
  readonly args: readonly Expression[];
  constructor(
    readonly fn: FuncNode['fn'],
    args: readonly (Source | Operand)[],
    private readonly output: 'text' | 'int' | 'float' | 'first',
  ) {
    super();
    this.args = args.map((a) => (typeof a === 'string' ? new FieldRef(a) : toExpression(a as Operand)));
  }

  get aggregate(): boolean {
    return this.args.some((a) => a.aggregate);
  }

  check(ctx: CheckContext): void {
    for (const arg of this.args) arg.check(ctx);
  }

  outputField(ctx: CheckContext): Field {
    if (this.output === 'first') return this.args[0]!.outputField(ctx);
    return resultField(this.output, this.fn.toLowerCase(), ctx.meta.name);
  }

  toExpr(ctx: ExpressionContext): Expr {
    return { kind: 'func', fn: this.fn, args: this.args.map((a) => a.toExpr(ctx)) };
  }
}

export const Lower = (source: Source): Func<string> => new Func('LOWER', [source], 'text');
export const Upper = (source: Source): Func<string> => new Func('UPPER', [source], 'text');
export const Trim = (source: Source): Func<string> => new Func('TRIM', [source], 'text');
/** Length in characters on every backend. */
export const Length = (source: Source): Func<number> => new Func('LENGTH', [source], 'int');
/** The first non-null of the arguments: `Coalesce('nickname', 'name')`. */
export const Coalesce = <P extends string>(first: Source<P>, ...rest: (Source | Operand)[]): Func<FieldValueOf<P>> =>
  new Func('COALESCE', [first, ...rest], 'first');
/** Text concatenation; NULL arguments are skipped on every backend. */
export const Concat = (...args: Source[]): Func<string> => {
  if (args.length < 2) throw new ParamsError('Concat takes at least two fields or expressions.');
  return new Func('CONCAT', args, 'text');
};
/** A random number in [0, 1), e.g. `orderBy` over `annotate({ r: Random() })`. */
export const Random = (): Func<number> => new Func('RANDOM', [], 'float');

/**
 * SQL text of your own as an expression: `annotate({ bucket: RawSQL('age / ?', [10], 'int') })`.
 * Values go in `params` (each `?` is bound, never pasted into the text); the SQL itself is trusted.
 */
export class RawSQLExpression<T = unknown> extends Expression<T> {
  constructor(
    readonly sql: string,
    readonly params: readonly unknown[] = [],
    /** How to read the result: as an integer, a float or text (default: as the driver returns it). */
    readonly type?: 'int' | 'float' | 'text',
  ) {
    super();
    if (typeof sql !== 'string' || sql.trim() === '') throw new ParamsError('RawSQL takes SQL text, e.g. RawSQL("price * ?", [2]).');
  }
  get aggregate(): boolean {
    return false;
  }
  check(): void {}
  outputField(ctx: CheckContext): Field {
    return resultField(this.type ?? 'text', 'raw', ctx.meta.name);
  }
  toExpr(): Expr {
    return { kind: 'raw', sql: this.sql, params: this.params };
  }
}

/** `RawSQL('age * ?', [2], 'int')`: see RawSQLExpression. */
export function RawSQL<T = unknown>(sql: string, params: readonly unknown[] = [], type?: 'int' | 'float' | 'text'): RawSQLExpression<T> {
  return new RawSQLExpression<T>(sql, params, type);
}

/** One branch of a Case: rows matching `condition` take `then`. */
export class WhenClause<T = unknown> {
  constructor(
    readonly condition: QNode | FilterDict,
    readonly then: T | Expression<T>,
  ) {}
}

/**
 * CASE WHEN … THEN … ELSE … END:
 * `annotate({ band: Case(When({ age__lt: 18 }, 'minor'), When({ age__lt: 65 }, 'adult'), { default: 'senior' }) })`.
 */
export class CaseExpression<T = unknown> extends Expression<T> {
  constructor(
    readonly whens: readonly WhenClause<T>[],
    readonly otherwise: T | Expression<T> | undefined,
  ) {
    super();
    if (whens.length === 0) throw new ParamsError('Case needs at least one When(condition, value).');
  }

  get aggregate(): boolean {
    return [...this.whens.map((w) => w.then), this.otherwise].some((v) => v instanceof Expression && v.aggregate);
  }

  private conditions(ctx: CheckContext, when: WhenClause<T>): Condition[] {
    return resolveArgs(ctx.meta, ctx.meta.bound().runtime.lookups, [when.condition], ctx.annotations as never);
  }

  check(ctx: CheckContext): void {
    for (const when of this.whens) {
      this.conditions(ctx, when);
      if (when.then instanceof Expression) when.then.check(ctx);
    }
    if (this.otherwise instanceof Expression) this.otherwise.check(ctx);
  }

  outputField(ctx: CheckContext): Field {
    const first = this.whens[0]!.then;
    if (first instanceof Expression) return first.outputField(ctx);
    return new Value(first).outputField(ctx);
  }

  private value(v: T | Expression<T>, ctx: ExpressionContext): Expr {
    return v instanceof Expression ? v.toExpr(ctx) : new Value(v).toExpr(ctx);
  }

  toExpr(ctx: ExpressionContext): Expr {
    return {
      kind: 'case',
      whens: this.whens.map((when) => ({
        when: conditionsToExpr(this.conditions(ctx, when), ctx.joins, ctx.conventions) ?? { kind: 'bool', value: true },
        then: this.value(when.then, ctx),
      })),
      else: this.otherwise === undefined ? undefined : this.value(this.otherwise, ctx),
    };
  }
}

/** `When({ age__lt: 18 }, 'minor')`: a branch of Case. */
export function When<T>(condition: QNode | FilterDict, then: T | Expression<T>): WhenClause<T> {
  return new WhenClause(condition, then);
}

/** `Case(When(...), When(...), { default })`. */
export function Case<T>(...args: (WhenClause<T> | { default: T | Expression<T> })[]): CaseExpression<T> {
  const whens = args.filter((a): a is WhenClause<T> => a instanceof WhenClause);
  const options = args.find((a) => !(a instanceof WhenClause)) as { default: T | Expression<T> } | undefined;
  return new CaseExpression(whens, options?.default);
}

/**
 * The queries whose rows an OuterRef refers to, innermost last. Planning is synchronous, so the
 * stack is only ever non-empty while a Subquery or Exists plans its inner query.
 */
const outerScopes: (ExpressionContext & { readonly innerTable: string })[] = [];

/** Plans an inner query with `ctx` as the query OuterRef refers to. */
function planInner(state: QueryState, ctx: ExpressionContext) {
  outerScopes.push({ ...ctx, innerTable: state.meta.table });
  try {
    // The planner reads only the value conventions of the dialect.
    return planSelect(state, { values: ctx.conventions } as Dialect);
  } finally {
    outerScopes.pop();
  }
}

/**
 * A QuerySet as a single value, as Tortoise's Subquery:
 * `annotate({ newest: Subquery(Book.all().orderBy('-id').limit(1).values('title')) })`.
 * Inside it, `OuterRef('pk')` is a column of the outer query's row (a correlated subquery).
 */
export class SubqueryExpression<T = unknown> extends Expression<T> {
  constructor(readonly query: { readonly state: QueryState }) {
    super();
    const shape = query.state.shape;
    if (shape.mode === 'objects' || shape.columns.length !== 1) {
      throw new ParamsError('Subquery takes a QuerySet of one column: end it with .values(field) or .valuesList(field, { flat: true }).');
    }
  }
  get aggregate(): boolean {
    return false;
  }
  check(): void {}
  outputField(): Field {
    const shape = this.query.state.shape as Exclude<QueryState['shape'], { mode: 'objects' }>;
    return shape.columns[0]!.field;
  }
  toExpr(ctx: ExpressionContext): Expr {
    return { kind: 'subquery', select: planInner(this.query.state, ctx) };
  }
}

/** `Subquery(Book.all().orderBy('-id').limit(1).values('title'))`: see SubqueryExpression. */
export function Subquery<T = unknown>(query: { readonly state: QueryState }): SubqueryExpression<T> {
  return new SubqueryExpression<T>(query);
}

/**
 * Whether the QuerySet has any row, for each outer row: `annotate({ hasBooks: Exists(Book.filter({ author: OuterRef('pk') })) })`,
 * then `filter({ hasBooks: true })` or `orderBy('-hasBooks')`.
 */
export class ExistsExpression extends Expression<boolean> {
  constructor(readonly query: { readonly state: QueryState }) {
    super();
    if (query === null || typeof query !== 'object' || typeof query.state !== 'object') {
      throw new ParamsError('Exists takes a QuerySet, e.g. Exists(Book.filter({ author: OuterRef("pk") })).');
    }
  }
  get aggregate(): boolean {
    return false;
  }
  check(): void {}
  outputField(ctx: CheckContext): Field {
    return resultField('bool', 'exists', ctx.meta.name);
  }
  toExpr(ctx: ExpressionContext): Expr {
    return { kind: 'exists', select: planInner(this.query.state, ctx) };
  }
}

/** `Exists(Book.filter({ author: OuterRef('pk') }))`: see ExistsExpression. */
export function Exists(query: { readonly state: QueryState }): ExistsExpression {
  return new ExistsExpression(query);
}

/**
 * A field of the outer query's row, inside a Subquery or Exists (Django's and Tortoise's OuterRef):
 * `Book.filter({ author: OuterRef('pk') })`. Names are checked against the outer model when the
 * outer query is planned.
 */
export class OuterRefExpression<T = unknown> extends Expression<T> {
  constructor(readonly name: string) {
    super();
    if (typeof name !== 'string' || name === '') throw new ParamsError('OuterRef() takes a field name of the outer query, e.g. OuterRef("pk").');
  }
  get aggregate(): boolean {
    return false;
  }
  /** Checked against the outer model, which is known only once the outer query is planned. */
  check(): void {}
  outputField(ctx: CheckContext): Field {
    return resultField('int', this.name, ctx.meta.name);
  }
  toExpr(): Expr {
    const outer = outerScopes.pop();
    if (outer === undefined) {
      throw new ParamsError(`OuterRef('${this.name}') refers to the outer query's row, so it only works inside Subquery(...) or Exists(...) used in another query.`);
    }
    if (outer.innerTable === outer.meta.table) {
      outerScopes.push(outer);
      // Both queries name the table itself in the SQL, so the inner one would hide the outer row.
      throw new NotSupportedError(`OuterRef('${this.name}'): a subquery on ${outer.meta.name}'s own table cannot refer to the outer ${outer.meta.name} row yet; compare through a related model instead.`);
    }
    try {
      return new FieldRef(this.name).toExpr({ ...outer, where: `OuterRef('${this.name}')` });
    } finally {
      outerScopes.push(outer);
    }
  }
}

/** `OuterRef('pk')`: see OuterRefExpression. */
export function OuterRef<T = unknown>(name: string): OuterRefExpression<T> {
  return new OuterRefExpression<T>(name);
}
