import { FieldError, ParamsError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { fieldPath } from '../lookups/path.js';
import type { ModelMeta } from '../model/meta.js';
import type { ArithmeticOp, Expr } from '../sql/ast.js';
import type { JoinContext } from '../plan/joins.js';
import type { ValueConventions } from '../dialects/dialect.js';

/** Field kinds arithmetic accepts. */
const NUMERIC = new Set(['int', 'bigint', 'float', 'decimal', 'timedelta']);

/** An operand: another expression or a plain number. */
export type Operand = Expression | number | bigint;

/** Something computed by the database: a column (`F`), or arithmetic over columns and numbers. */
export abstract class Expression {
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
}

/** A reference to a column, resolved by the database; made with `F('name')`. */
export class FieldRef extends Expression {
  constructor(readonly name: string) {
    super();
    if (typeof name !== 'string' || name === '') throw new ParamsError('F() takes a field name, e.g. F("views").');
  }
}

/**
 * A column reference, as Tortoise's F: `update({ views: F('views').add(1) })` increments in the
 * database without reading the row first, so concurrent updates never lose one.
 */
export function F(name: string): FieldRef {
  return new FieldRef(name);
}

export class Combined extends Expression {
  constructor(
    readonly left: Operand,
    readonly op: ArithmeticOp,
    readonly right: Operand,
  ) {
    super();
  }
}

/** Everything needed to turn an expression into SQL for one query. */
export interface ExpressionContext {
  readonly meta: ModelMeta;
  readonly joins: JoinContext;
  readonly conventions: ValueConventions;
  /** The field the result is written to or compared with: it encodes plain numbers. */
  readonly target: Field;
  readonly where: string;
}

function operand(value: Operand, ctx: ExpressionContext, inArithmetic: boolean): Expr {
  if (value instanceof FieldRef) {
    const { path, field } = fieldPath(ctx.meta, value.name, ctx.where);
    if (inArithmetic && !NUMERIC.has(field.kind)) {
      throw new FieldError(
        `${ctx.meta.name}: F('${value.name}') is a ${field.fieldType}; arithmetic (in ${ctx.where}) needs a numeric field.`,
      );
    }
    const column = ctx.joins.column(path, field);
    return field.kind === 'decimal' ? { kind: 'decimalValue', expr: column } : column;
  }
  if (value instanceof Combined) {
    return { kind: 'arithmetic', op: value.op, left: operand(value.left, ctx, true), right: operand(value.right, ctx, true) };
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new ParamsError(`${ctx.meta.name}: ${value} cannot be used in ${ctx.where}; pass a finite number.`);
    }
    return { kind: 'param', value: typeof value === 'bigint' ? ctx.conventions.encodeBigInt(value) : value };
  }
  throw new ParamsError(`${ctx.meta.name}: an expression operand (in ${ctx.where}) must be F(...), an expression or a number.`);
}

/** The AST of an expression. A lone F may point at any field; arithmetic needs numeric ones. */
export function expressionToExpr(expression: Expression, ctx: ExpressionContext): Expr {
  return operand(expression, ctx, false);
}

/** Checks every F in the expression names a field, at the call (before any SQL). */
export function checkExpression(expression: Operand, meta: ModelMeta, where: string): void {
  if (expression instanceof FieldRef) {
    fieldPath(meta, expression.name, where);
  } else if (expression instanceof Combined) {
    for (const side of [expression.left, expression.right]) {
      if (side instanceof FieldRef) {
        const { field } = fieldPath(meta, side.name, where);
        if (!NUMERIC.has(field.kind)) {
          throw new FieldError(`${meta.name}: F('${side.name}') is a ${field.fieldType}; arithmetic (in ${where}) needs a numeric field.`);
        }
      } else checkExpression(side, meta, where);
    }
  }
}
