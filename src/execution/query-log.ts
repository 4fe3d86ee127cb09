/** One statement as it ran: for logging, counting queries in tests, and profiling. */
export interface QueryEvent {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly connection: string;
  readonly durationMs: number;
  /** Set when the statement failed. */
  readonly error: unknown;
}

export type QueryListener = (event: QueryEvent) => void;

/**
 * The listeners of one Terrapin instance. Statements only pay for timing while a listener is
 * subscribed; with none, the check is one boolean read.
 */
export class QueryLog {
  private readonly listeners = new Set<QueryListener>();
  active = false;

  subscribe(listener: QueryListener): () => void {
    this.listeners.add(listener);
    this.active = true;
    return () => {
      this.listeners.delete(listener);
      this.active = this.listeners.size > 0;
    };
  }

  async run<T>(connection: string, sql: string, params: readonly unknown[], work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    let error: unknown;
    try {
      return await work();
    } catch (caught) {
      error = caught;
      throw caught;
    } finally {
      const event: QueryEvent = { sql, params, connection, durationMs: performance.now() - start, error };
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A failing listener must not change the query's outcome.
        }
      }
    }
  }
}
