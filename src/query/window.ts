/**
 * Window functions: `Window(RowNumber(), { partitionBy: ['authorId'], orderBy: ['-pages'] })`,
 * Rank, DenseRank, Lag, Lead and aggregates over a window — the same rows on every backend
 * (SQLite ≥ 3.25, MySQL 8, MariaDB ≥ 10.2, PostgreSQL).
 */
import { ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { fieldPath } from '../lookups/path.js';
import type { Expr, FrameBound, OrderItem, WindowFrame, WindowNode } from '../sql/ast.js';
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
    if (fn === 'NTH_VALUE' && (!Number.isSafeInteger(offset) || offset! < 1)) {
      throw new ParamsError(`NthValue takes a position that is a whole number ≥ 1 (1 is the first row of the frame), got ${String(offset)}.`);
    }
    if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) {
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
    return WINDOW_LABELS[this.fn];
  }
  outputField(ctx: CheckContext): Field {
    return this.source === undefined ? resultField('int', this.fn.toLowerCase(), ctx.meta.name) : this.source.outputField(ctx);
  }
  toExpr(): Expr {
    throw new ParamsError(`${this.label} is a window function; wrap it in Window(...).`);
  }
}

const WINDOW_LABELS: Record<WindowFunction['fn'], string> = {
  ROW_NUMBER: 'RowNumber()',
  RANK: 'Rank()',
  DENSE_RANK: 'DenseRank()',
  LAG: 'Lag(...)',
  LEAD: 'Lead(...)',
  FIRST_VALUE: 'FirstValue(...)',
  LAST_VALUE: 'LastValue(...)',
  NTH_VALUE: 'NthValue(...)',
};

/** Functions whose value depends on the frame (the others number or offset rows and would ignore one). */
const FRAMED: ReadonlySet<WindowFunction['fn']> = new Set(['FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE']);

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

/** The value in the first row of the frame (by the window's order). */
export const FirstValue = <P extends string>(source: Source<P>): WindowFunction<FieldValueOf<P> | null> => new WindowFunction('FIRST_VALUE', source, undefined);
/**
 * The value in the last row of the frame. The default frame ends at the current row (and its
 * ties), so the last row of the partition needs `frame: { type: 'rows', start: null, end: null }`.
 */
export const LastValue = <P extends string>(source: Source<P>): WindowFunction<FieldValueOf<P> | null> => new WindowFunction('LAST_VALUE', source, undefined);
/** The value in the `n`th row of the frame (from 1); null while the frame has fewer rows. */
export const NthValue = <P extends string>(source: Source<P>, n: number): WindowFunction<FieldValueOf<P> | null> => new WindowFunction('NTH_VALUE', source, n);

/**
 * Which rows of the partition the function sees, as Django's RowRange/ValueRange: `start` and
 * `end` are null (unbounded), 0 (the current row), -n (n rows, or for 'range' n units of the
 * order value, before) or n (after). `{ type: 'rows', start: -2, end: 0 }` is the row and the two
 * before it: ROWS BETWEEN 2 PRECEDING AND CURRENT ROW.
 */
export interface Frame {
  type: 'rows' | 'range';
  start: FrameBound;
  end: FrameBound;
}

export interface WindowOptions {
  /** Fields whose values split the rows into partitions, each numbered and ranked apart. */
  partitionBy?: readonly string[];
  /** The order inside each partition: field names, '-field' descending. */
  orderBy?: readonly string[];
  /** The rows an aggregate, FirstValue, LastValue or NthValue sees (default: the partition up to the current row and its ties). */
  frame?: Frame;
}

const WINDOW_OPTIONS = ['partitionBy', 'orderBy', 'frame'];
const FRAME_KEYS = ['type', 'start', 'end'];

/** Checks a frame and returns it as an AST frame; every mistake is a ParamsError saying what is allowed. */
function checkFrame(frame: unknown, options: WindowOptions): WindowFrame {
  const shape = "a frame is { type: 'rows' | 'range', start, end } with start and end null (unbounded), 0 (current row), -n (n preceding) or n (n following)";
  if (frame === null || typeof frame !== 'object') throw new ParamsError(`Window: ${shape}; got ${JSON.stringify(frame)}.`);
  const given = frame as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!FRAME_KEYS.includes(key)) throw new ParamsError(`Window frame: unknown key '${key}'; ${shape}.`);
  }
  if (given.type !== 'rows' && given.type !== 'range') throw new ParamsError(`Window frame: type is 'rows' or 'range', got ${JSON.stringify(given.type)}.`);
  for (const key of ['start', 'end']) {
    const bound = given[key];
    if (bound !== null && !Number.isSafeInteger(bound)) throw new ParamsError(`Window frame: ${key} is null or a whole number, got ${JSON.stringify(bound)}; ${shape}.`);
  }
  const start = given.start as FrameBound;
  const end = given.end as FrameBound;
  if ((start ?? Number.NEGATIVE_INFINITY) > (end ?? Number.POSITIVE_INFINITY)) {
    throw new ParamsError(`Window frame: start (${String(start)}) comes after end (${String(end)}); the frame would hold no row.`);
  }
  const offsets = (start !== null && start !== 0) || (end !== null && end !== 0);
  if (given.type === 'range' && offsets && options.orderBy?.length !== 1) {
    throw new ParamsError(`Window frame: a 'range' frame with offsets measures them on the order value, so it needs exactly one orderBy field (a number), got ${options.orderBy?.length ?? 0}.`);
  }
  return { type: given.type, start, end };
}

/**
 * `expr OVER (PARTITION BY … ORDER BY …)`, as Tortoise's and Django's Window: a ranking or offset
 * function, or an aggregate (`Window(Sum('pages'), { partitionBy: ['authorId'] })`) over the rows
 * of the partition. Filtering on a window annotation wraps the query (SQL computes windows
 * after WHERE): `SELECT … FROM (the query) WHERE rn <= 3`.
 */
export class WindowExpression<T = unknown> extends Expression<T> {
  readonly isWindow = true;
  constructor(
    readonly expression: Expression,
    readonly options: WindowOptions = {},
  ) {
    super();
    if (!(expression instanceof Expression)) throw new ParamsError('Window takes a window function (RowNumber(), Rank(), Lag(...)…) or an aggregate, e.g. Window(RowNumber(), { orderBy: ["-score"] }).');
    if (options === null || typeof options !== 'object') throw new ParamsError('Window options are { partitionBy?, orderBy?, frame? }.');
    for (const key of Object.keys(options)) {
      if (!WINDOW_OPTIONS.includes(key)) throw new ParamsError(`Window: unknown option '${key}'; the options are 'partitionBy', 'orderBy', 'frame'.`);
    }
    for (const key of ['partitionBy', 'orderBy']) {
      const list = (options as Record<string, unknown>)[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
        throw new ParamsError(`Window: '${key}' takes a list of field names, got ${JSON.stringify(list)}.`);
      }
    }
    if (!(expression instanceof WindowFunction) && !expression.aggregate) {
      throw new ParamsError('Window takes a window function (RowNumber(), Rank(), DenseRank(), Lag(...), Lead(...), FirstValue(...), LastValue(...), NthValue(...)) or an aggregate (Sum, Count, …).');
    }
    if (options.frame !== undefined) {
      if (expression instanceof WindowFunction && !FRAMED.has(expression.fn)) {
        throw new ParamsError(`Window: ${expression.label} numbers or offsets rows and ignores a frame; drop 'frame' (it applies to aggregates, FirstValue, LastValue and NthValue).`);
      }
      this.frame = checkFrame(options.frame, options);
    }
  }
  readonly frame: WindowFrame | undefined = undefined;
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
      return { kind: 'window', fn: fn.fn, expr: fn.source?.toExpr(ctx), offset: fn.offset, partitionBy, orderBy, ...this.framePart() };
    }
    return { kind: 'window', fn: 'aggregate', expr: fn.toExpr(ctx), offset: undefined, partitionBy, orderBy, ...this.framePart() };
  }
  private framePart(): { frame?: WindowFrame } {
    return this.frame === undefined ? {} : { frame: this.frame };
  }
}

/** `Window(RowNumber(), { partitionBy: ['authorId'], orderBy: ['-pages'] })`: see WindowExpression. */
export function Window<T>(expression: Expression<T>, options?: WindowOptions): WindowExpression<T> {
  return new WindowExpression<T>(expression, options);
}
