import { FieldError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { Condition } from '../lookups/resolve.js';
import { resolveArgs } from '../lookups/resolve.js';
import { conditionsToExpr } from '../plan/conditions.js';
import type { AggregateNode, Expr, FuncNode } from '../sql/ast.js';
import { Expression, FieldRef, NUMERIC_KINDS, resultField, toExpression, type CheckContext, type ExpressionContext, type Operand } from './expressions.js';
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

/** An aggregate over the rows of a group: Count, Sum, Avg, Min, Max. */
export class Aggregate<T = unknown> extends Expression<T> {
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
export function Count(source: Source = 'pk', options?: AggregateOptions): Aggregate<number> {
  return new Aggregate<number>('COUNT', source, options);
}
/** SUM(field); null over no rows. */
export function Sum<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null> {
  return new Aggregate('SUM', source, options);
}
/** AVG(field) as a number; null over no rows. */
export function Avg(source: Source, options?: AggregateOptions): Aggregate<number | null> {
  return new Aggregate('AVG', source, options);
}
/** MIN(field); null over no rows. */
export function Min<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null> {
  return new Aggregate('MIN', source, options);
}
/** MAX(field); null over no rows. */
export function Max<P extends string>(source: Source<P>, options?: AggregateOptions): Aggregate<FieldValueOf<P> | null> {
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
