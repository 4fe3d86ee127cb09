/**
 * Result types of annotate() and aggregate(): each expression's phantom result type, with
 * "the value of field P" resolved against the model.
 */
import type { Expression } from '../query/expressions.js';
import type { ValueAtPath } from './model-types.js';

type Resolve<M, T> = T extends { readonly __fieldPath: infer P extends string } ? ValueAtPath<M, P> : T;

/** The TypeScript type of an expression's result on model M. */
export type ExpressionResult<M, E> = E extends Expression<infer T> ? Resolve<M, T> : never;

/** `{ name: result }` for a record of expressions. */
export type AnnotationValues<M, N> = { -readonly [K in keyof N]: ExpressionResult<M, N[K]> };

/** A row type with annotations added. */
export type Annotated<Row, M, N> = Row & AnnotationValues<M, N>;
