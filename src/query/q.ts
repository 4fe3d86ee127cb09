import { ParamsError } from '../errors.js';
import type { FilterInput } from '../types/model-types.js';

/** Filter keyword arguments: `{ name__icontains: 'x', age__gte: 18 }`. */
export type FilterDict = Readonly<Record<string, unknown>>;

/**
 * A node of a boolean filter tree, as Tortoise's Q: `Q({ a: 1 }).or(Q({ b: 2 })).not()`.
 * Immutable; combining returns a new node. The model is checked when the node is used in a filter.
 */
export class QNode<_M = unknown> {
  constructor(
    readonly filters: FilterDict | undefined,
    readonly children: readonly QNode[],
    readonly connector: 'AND' | 'OR',
    readonly negated: boolean,
  ) {}

  and(...others: QNode<_M>[]): QNode<_M> {
    return new QNode(undefined, [this, ...others.map(checkQ)], 'AND', false);
  }

  or(...others: QNode<_M>[]): QNode<_M> {
    return new QNode(undefined, [this, ...others.map(checkQ)], 'OR', false);
  }

  not(): QNode<_M> {
    return new QNode(this.filters, this.children, this.connector, !this.negated);
  }
}

function checkQ(value: unknown): QNode {
  if (!(value instanceof QNode)) {
    throw new ParamsError(`Q objects combine only with other Q objects, got ${value === null ? 'null' : typeof value}.`);
  }
  return value;
}

/** With a model (`Q<User>({...})`) the keys are checked like filter()'s; without, any keys (checked at run time). */
type QFilters<M> = 0 extends 1 & M ? FilterDict : FilterInput<M>;

export interface QFunction {
  /** `Q({ name: 'x', age__gte: 18 })`: the filters AND-ed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an untyped Q fits any model's filter()
  <M = any>(filters: QFilters<M>): QNode<M>;
  /** All of the nodes. */
  and<M = any>(...nodes: QNode<M>[]): QNode<M>;
  /** Any of the nodes. */
  or<M = any>(...nodes: QNode<M>[]): QNode<M>;
  /** The negation of the filters or node. */
  not<M = any>(node: QNode<M> | QFilters<M>): QNode<M>;
}

/** Builds filter trees: `Q({ a: 1 })`, `Q.or(Q({ a: 1 }), Q({ b: 2 }))`, `Q.not({ c: 3 })`. */
export const Q: QFunction = Object.assign(
  <M = unknown>(filters: QFilters<M>): QNode<M> => {
    if (filters === null || typeof filters !== 'object' || filters instanceof QNode) {
      throw new ParamsError('Q() takes an object of filters, e.g. Q({ name__icontains: "x" }).');
    }
    return new QNode<M>(filters as FilterDict, [], 'AND', false);
  },
  {
    and: <M = unknown>(...nodes: QNode<M>[]): QNode<M> => new QNode<M>(undefined, nodes.map(checkQ), 'AND', false),
    or: <M = unknown>(...nodes: QNode<M>[]): QNode<M> => new QNode<M>(undefined, nodes.map(checkQ), 'OR', false),
    not: <M = unknown>(node: QNode<M> | QFilters<M>): QNode<M> =>
      node instanceof QNode ? node.not() : new QNode<M>(node as FilterDict, [], 'AND', true),
  },
);
