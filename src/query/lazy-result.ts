/**
 * A result computed only when awaited, like Tortoise's CountQuery or UpdateQuery:
 * `qs.count()` builds it, `await` runs it. Each await runs the query again.
 */
export class LazyResult<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = 'LazyResult';

  constructor(private readonly run: () => Promise<T>) {}

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.run().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.run().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.run().finally(onFinally);
  }
}
