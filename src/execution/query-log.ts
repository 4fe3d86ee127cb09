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

export interface QueryListenerOptions {
  /** Replace parameter values with '?' so logs never hold user data (passwords, personal data). */
  redactParams?: boolean;
}

/**
 * The listeners of one Terrapin instance. Statements only pay for timing while a listener is
 * subscribed; with none, the check is one boolean read.
 */
export class QueryLog {
  private readonly listeners = new Map<QueryListener, QueryListenerOptions>();
  active = false;

  subscribe(listener: QueryListener, options: QueryListenerOptions = {}): () => void {
    this.listeners.set(listener, options);
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
      for (const [listener, options] of this.listeners) {
        try {
          listener(options.redactParams === true ? { ...event, params: params.map(() => '?') } : event);
        } catch {
          // A failing listener must not change the query's outcome.
        }
      }
    }
  }
}
