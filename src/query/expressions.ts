import type { ValueConventions } from '../dialects/dialect.js';
import { FieldError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { FloatFieldImpl, IntFieldImpl } from '../fields/numeric.js';
import { TextFieldImpl } from '../fields/text.js';
import { BooleanFieldImpl } from '../fields/misc.js';
import { fieldPath } from '../lookups/path.js';
import type { ModelMeta } from '../model/meta.js';
import type { JoinContext } from '../plan/joins.js';
import type { ArithmeticOp, Expr } from '../sql/ast.js';

/** Field kinds arithmetic accepts. */
export const NUMERIC_KINDS: ReadonlySet<string> = new Set(['int', 'bigint', 'float', 'decimal', 'timedelta']);

/** An annotation already declared on the query: F('name') may refer to it. */
export interface AnnotationRef {
  readonly name: string;
  readonly expression: Expression;
  readonly aggregate: boolean;
}

/** Everything needed to turn an expression into SQL for one query. */
export interface ExpressionContext {
  readonly meta: ModelMeta;
  readonly joins: JoinContext;
  readonly conventions: ValueConventions;
  readonly where: string;
  readonly annotations: ReadonlyMap<string, AnnotationRef>;
}

/** What checking needs, before any SQL: the model and the annotations declared so far. */
export interface CheckContext {
  readonly meta: ModelMeta;
  readonly where: string;
  readonly annotations: ReadonlyMap<string, AnnotationRef>;
}

/** An operand: another expression or a plain number. */
export type Operand = Expression | number | bigint;

/** A plain result field (not bound to a model) that decodes values of one type. */
export function resultField(kind: 'int' | 'float' | 'text' | 'bool', name: string, modelName: string): Field {
  const field =
    kind === 'int' ? new IntFieldImpl({}) : kind === 'float' ? new FloatFieldImpl({}) : kind === 'bool' ? new BooleanFieldImpl({}) : new TextFieldImpl({});
  field.name = name;
  field.column = name;
  field.modelName = modelName;
  return field;
}

/**
 * Something computed by the database: a column (`F`), arithmetic, an aggregate, a function.
 * `T` is the TypeScript type of its result (a phantom: only the type checker sees it).
 */
export abstract class Expression<T = unknown> {
  declare readonly __result?: T;

  /** The AST of the expression in a query. */
  abstract toExpr(ctx: ExpressionContext): Expr;
  /** A field that decodes the result and decides which lookups apply to it. */
  abstract outputField(ctx: CheckContext): Field;
  /** Checks names and types at the call, before any SQL. */
  abstract check(ctx: CheckContext): void;
  /** True when it contains an aggregate (it then belongs in HAVING and needs GROUP BY). */
  abstract get aggregate(): boolean;

  add(other: Operand): Combined {
    return new Combined(this, '+', other);
  }
  sub(other: Operand): Combined {
    return new Combined(this, '-', other);
  }
  mul(other: Operand): Combined {
    return new Combined(this, '*', other);
  }
  div(other: Operand): Combined {
    return new Combined(this, '/', other);
  }
  mod(other: Operand): Combined {
    return new Combined(this, '%', other);
  }
  /** This raised to `exponent`, as a float: `F('side').pow(2)`. */
  pow(exponent: Operand): Power {
    return new Power(this, exponent);
  }
}

/** A reference to a column (or an earlier annotation), resolved by the database; made with `F('name')`. */
export class FieldRef<P extends string = string> extends Expression<{ readonly __fieldPath: P }> {
  constructor(readonly name: P) {
    super();
    if (typeof name !== 'string' || name === '') throw new ParamsError('F() takes a field name, e.g. F("views").');
  }

  get aggregate(): boolean {
    return false;
  }

  check(ctx: CheckContext): void {
    if (!ctx.annotations.has(this.name)) fieldPath(ctx.meta, this.name, ctx.where);
  }

  outputField(ctx: CheckContext): Field {
    const annotation = ctx.annotations.get(this.name);
    if (annotation !== undefined) return annotation.expression.outputField(ctx);
    return fieldPath(ctx.meta, this.name, ctx.where).field;
  }

  toExpr(ctx: ExpressionContext): Expr {
    const annotation = ctx.annotations.get(this.name);
    if (annotation !== undefined) return annotation.expression.toExpr(ctx);
    const { path, field } = fieldPath(ctx.meta, this.name, ctx.where);
    const column = ctx.joins.column(path, field);
    return field.kind === 'decimal' ? { kind: 'decimalValue', expr: column } : column;
  }
}

/**
 * A column reference, as Tortoise's F: `update({ views: F('views').add(1) })` increments in the
 * database without reading the row first, so concurrent updates never lose one.
 */
export function F<P extends string>(name: P): FieldRef<P> {
  return new FieldRef(name);
}

/** Wraps a plain value as an expression operand: bound as a parameter. */
export class Value<T> extends Expression<T> {
  constructor(readonly value: T) {
    super();
  }
  get aggregate(): boolean {
    return false;
  }
  check(): void {}
  outputField(ctx: CheckContext): Field {
    const v = this.value;
    return resultField(typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'text', 'value', ctx.meta.name);
  }
  toExpr(ctx: ExpressionContext): Expr {
    const v = this.value;
    // PostgreSQL cannot infer a text parameter's type in CONCAT (variadic "any"): say it is text.
    if (typeof v === 'string') return { kind: 'typed', expr: { kind: 'param', value: v }, type: { type: 'text' } };
    return { kind: 'param', value: typeof v === 'bigint' ? ctx.conventions.encodeBigInt(v) : typeof v === 'boolean' ? ctx.conventions.encodeBoolean(v) : v };
  }
}

export function toExpression(operand: Operand): Expression {
  if (operand instanceof Expression) return operand;
  if (typeof operand === 'number' || typeof operand === 'bigint') {
    if (typeof operand === 'number' && !Number.isFinite(operand)) throw new ParamsError(`${operand} cannot be used in an expression; pass a finite number.`);
    return new Value(operand);
  }
  throw new ParamsError('An expression operand must be F(...), another expression or a number.');
}

/** Arithmetic over expressions and numbers: `F('price').mul(F('quantity'))`. */
export class Combined extends Expression<number> {
  readonly left: Expression;
  readonly right: Expression;
  constructor(
    left: Operand,
    readonly op: ArithmeticOp,
    right: Operand,
  ) {
    super();
    this.left = toExpression(left);
    this.right = toExpression(right);
  }

  get aggregate(): boolean {
    return this.left.aggregate || this.right.aggregate;
  }

  check(ctx: CheckContext): void {
    for (const side of [this.left, this.right]) {
      side.check(ctx);
      const field = side.outputField(ctx);
      if (!NUMERIC_KINDS.has(field.kind)) {
        const label = side instanceof FieldRef ? `F('${side.name}')` : 'an operand';
        throw new FieldError(`${ctx.meta.name}: ${label} is a ${field.fieldType}; arithmetic (in ${ctx.where}) needs a numeric field.`);
      }
    }
  }

  outputField(ctx: CheckContext): Field {
    const left = this.left.outputField(ctx);
    return this.op === '/' || left.kind === 'float' ? resultField('float', 'value', ctx.meta.name) : left;
  }

  toExpr(ctx: ExpressionContext): Expr {
    return { kind: 'arithmetic', op: this.op, left: this.left.toExpr(ctx), right: this.right.toExpr(ctx) };
  }
}

/** `base ** exponent` (POWER), a float on every backend. */
export class Power extends Expression<number> {
  readonly base: Expression;
  readonly exponent: Expression;
  constructor(base: Operand, exponent: Operand) {
    super();
    this.base = toExpression(base);
    this.exponent = toExpression(exponent);
  }
  get aggregate(): boolean {
    return this.base.aggregate || this.exponent.aggregate;
  }
  check(ctx: CheckContext): void {
    new Combined(this.base, '*', this.exponent).check(ctx);
  }
  outputField(ctx: CheckContext): Field {
    return resultField('float', 'value', ctx.meta.name);
  }
  toExpr(ctx: ExpressionContext): Expr {
    return { kind: 'func', fn: 'POWER', args: [this.base.toExpr(ctx), this.exponent.toExpr(ctx)] };
  }
}


/** Checks every name in the expression, at the call (before any SQL). */
export function checkExpression(expression: Expression, meta: ModelMeta, where: string, annotations: ReadonlyMap<string, AnnotationRef> = new Map()): void {
  expression.check({ meta, where, annotations });
}
