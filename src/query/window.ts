/**
 * Window functions: `Window(RowNumber(), { partitionBy: ['authorId'], orderBy: ['-pages'] })`,
 * Rank, DenseRank, Lag, Lead and aggregates over a window — the same rows on every backend
 * (SQLite ≥ 3.25, MySQL 8, MariaDB ≥ 10.2, PostgreSQL).
 */
import { ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { fieldPath } from '../lookups/path.js';
import type { Expr, OrderItem, WindowNode } from '../sql/ast.js';
import { Expression, FieldRef, resultField, type CheckContext, type ExpressionContext } from './expressions.js';
import type { FieldValueOf, Source } from './functions.js';

/** A function that only makes sense over a window (ROW_NUMBER, RANK, …): wrap it in Window(...). */
export class WindowFunction<T = unknown> extends Expression<T> {
  readonly source: Expression | undefined;
  constructor(
    readonly fn: Exclude<WindowNode['fn'], 'aggregate'>,
    source: Source | undefined,
    readonly offset: number | undefined,
  ) {
    super();
    this.source = source === undefined ? undefined : typeof source === 'string' ? new FieldRef(source) : source;
    if (offset !== undefined && (!Number.isInteger(offset) || offset < 0)) {
      throw new ParamsError(`${fn === 'LAG' ? 'Lag' : 'Lead'} takes an offset that is a whole number ≥ 0, got ${String(offset)}.`);
    }
  }
  get aggregate(): boolean {
    return false;
  }
  check(ctx: CheckContext): void {
    throw new ParamsError(`${ctx.meta.name}: ${this.label} is a window function; wrap it in Window(${this.label}, { orderBy: [...] }) (in ${ctx.where}).`);
  }
  get label(): string {
    return { ROW_NUMBER: 'RowNumber()', RANK: 'Rank()', DENSE_RANK: 'DenseRank()', LAG: 'Lag(...)', LEAD: 'Lead(...)' }[this.fn];
  }
  outputField(ctx: CheckContext): Field {
    return this.source === undefined ? resultField('int', this.fn.toLowerCase(), ctx.meta.name) : this.source.outputField(ctx);
  }
  toExpr(): Expr {
    throw new ParamsError(`${this.label} is a window function; wrap it in Window(...).`);
  }
}

/** The row's number in its partition, from 1. */
export const RowNumber = (): WindowFunction<number> => new WindowFunction('ROW_NUMBER', undefined, undefined);
/** The row's rank, with gaps after ties (1, 1, 3). */
export const Rank = (): WindowFunction<number> => new WindowFunction('RANK', undefined, undefined);
/** The row's rank, without gaps after ties (1, 1, 2). */
export const DenseRank = (): WindowFunction<number> => new WindowFunction('DENSE_RANK', undefined, undefined);
/** The value `offset` rows before (default 1) in the window's order; null before the first. */
export const Lag = <P extends string>(source: Source<P>, offset = 1): WindowFunction<FieldValueOf<P> | null> => new WindowFunction('LAG', source, offset);
/** The value `offset` rows after (default 1); null after the last. */
export const Lead = <P extends string>(source: Source<P>, offset = 1): WindowFunction<FieldValueOf<P> | null> => new WindowFunction('LEAD', source, offset);

export interface WindowOptions {
  /** Fields whose values split the rows into partitions, each numbered and ranked apart. */
  partitionBy?: readonly string[];
  /** The order inside each partition: field names, '-field' descending. */
  orderBy?: readonly string[];
}

const WINDOW_OPTIONS = ['partitionBy', 'orderBy'];

/**
 * `expr OVER (PARTITION BY … ORDER BY …)`, as Tortoise's and Django's Window: a ranking or offset
 * function, or an aggregate (`Window(Sum('pages'), { partitionBy: ['authorId'] })`) over the rows
 * of the partition. Window annotations are read, ordered by, and cannot be filtered on (SQL
 * computes windows after WHERE).
 */
export class WindowExpression<T = unknown> extends Expression<T> {
  readonly isWindow = true;
  constructor(
    readonly expression: Expression,
    readonly options: WindowOptions = {},
  ) {
    super();
    if (!(expression instanceof Expression)) throw new ParamsError('Window takes a window function (RowNumber(), Rank(), Lag(...)…) or an aggregate, e.g. Window(RowNumber(), { orderBy: ["-score"] }).');
    if (options === null || typeof options !== 'object') throw new ParamsError('Window options are { partitionBy?, orderBy? }.');
    for (const key of Object.keys(options)) {
      if (!WINDOW_OPTIONS.includes(key)) throw new ParamsError(`Window: unknown option '${key}'; the options are 'partitionBy', 'orderBy'.`);
    }
    for (const key of WINDOW_OPTIONS) {
      const list = (options as Record<string, unknown>)[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
        throw new ParamsError(`Window: '${key}' takes a list of field names, got ${JSON.stringify(list)}.`);
      }
    }
    if (!(expression instanceof WindowFunction) && !expression.aggregate) {
      throw new ParamsError('Window takes a window function (RowNumber(), Rank(), DenseRank(), Lag(...), Lead(...)) or an aggregate (Sum, Count, …).');
    }
  }
  /** Not an aggregate of the query: a window never groups rows. */
  get aggregate(): boolean {
    return false;
  }
  check(ctx: CheckContext): void {
    const where = `Window (in ${ctx.where})`;
    if (this.expression instanceof WindowFunction) this.expression.source?.check(ctx);
    else this.expression.check(ctx);
    for (const name of this.options.partitionBy ?? []) fieldPath(ctx.meta, name, `${where} partitionBy`);
    for (const key of this.options.orderBy ?? []) fieldPath(ctx.meta, key.startsWith('-') ? key.slice(1) : key, `${where} orderBy`);
  }
  outputField(ctx: CheckContext): Field {
    return this.expression.outputField(ctx);
  }
  toExpr(ctx: ExpressionContext): Expr {
    const column = (name: string) => {
      const { path, field } = fieldPath(ctx.meta, name, 'Window');
      return { expr: ctx.joins.column(path, field), field, path };
    };
    const orderBy: OrderItem[] = (this.options.orderBy ?? []).map((key) => {
      const desc = key.startsWith('-');
      const { expr, field, path } = column(desc ? key.slice(1) : key);
      return { expr: field.kind === 'decimal' ? { kind: 'decimalValue', expr } : expr, desc, nullable: field.nullable || path.length > 0 };
    });
    const partitionBy = (this.options.partitionBy ?? []).map((name) => column(name).expr);
    const fn = this.expression;
    if (fn instanceof WindowFunction) {
      return { kind: 'window', fn: fn.fn, expr: fn.source?.toExpr(ctx), offset: fn.offset, partitionBy, orderBy };
    }
    return { kind: 'window', fn: 'aggregate', expr: fn.toExpr(ctx), offset: undefined, partitionBy, orderBy };
  }
}

/** `Window(RowNumber(), { partitionBy: ['authorId'], orderBy: ['-pages'] })`: see WindowExpression. */
export function Window<T>(expression: Expression<T>, options?: WindowOptions): WindowExpression<T> {
  return new WindowExpression<T>(expression, options);
}
