/**
 * Result types of annotate() and aggregate(): each expression's phantom result type, with
 * "the value of field P" resolved against the model.
 */
import type { Expression } from '../query/expressions.js';
import type { FieldKeys, ForwardKeys, PlainKeys, ValueAtPath } from './model-types.js';
import type { MaxDepth, RelatedOf, RelationKeys } from './relation-types.js';

type Resolve<M, T> = T extends { readonly __fieldPath: infer P extends string } ? ValueAtPath<M, P> : T;

/** The TypeScript type of an expression's result on model M. */
export type ExpressionResult<M, E> = E extends Expression<infer T> ? Resolve<M, T> : never;

/** `{ name: result }` for a record of expressions. */
export type AnnotationValues<M, N> = { -readonly [K in keyof N]: ExpressionResult<M, N[K]> };

/** A row type with annotations added. */
export type Annotated<Row, M, N> = Row & AnnotationValues<M, N>;

/** Whether `P` names something an aggregate can read on M: a field, key column, annotation or relation, across relations. */
type PathExists<M, P extends string, D extends unknown[] = []> = P extends `${infer H}__${infer Rest}`
  ? H extends RelationKeys<M>
    ? D['length'] extends MaxDepth
      ? false
      : PathExists<RelatedOf<M[H]>, Rest, [...D, 1]>
    : false
  : P extends FieldKeys<M> | RelationKeys<M> | 'pk' | `${ForwardKeys<M>}Id` | PlainKeys<M>
    ? true
    : false;

/** The field path an expression was given, when it records one (aggregates, `Coalesce`, `F`). */
type SourcePath<E> = E extends { readonly __sourcePath?: infer P extends string }
  ? P
  : E extends { readonly __result?: infer T }
    ? Extract<T, { readonly __fieldPath: string }> extends { readonly __fieldPath: infer P extends string }
      ? P
      : never
    : never;

/**
 * annotate()/aggregate() input with each expression's field path checked against M: a misspelt
 * path (`Sum('qtyy')`) makes the property an error type that names it, instead of a result of null.
 */
export type CheckedExpressions<M, N> = {
  [K in keyof N]: [SourcePath<N[K]>] extends [never]
    ? unknown
    : string extends SourcePath<N[K]>
      ? unknown
      : PathExists<M, SourcePath<N[K]>> extends true
        ? unknown
        : `'${SourcePath<N[K]>}' is not a field, relation or annotation of this model`;
};
