/**
 * A read target with a second choice: a read that fails on the first connection with
 * DatabaseUnavailableError (the server refused, timed out or went away) runs again where
 * `fallback` says, when it names a connection. Only reads outside a transaction get one (see
 * Terrapin.target): they have no effects, so running one twice is safe.
 */
import type { Dialect } from '../dialects/dialect.js';
import { DatabaseUnavailableError } from '../errors.js';
import type { RowsOptions, Target, WriteResult } from './target.js';

export class FallbackTarget implements Target {
  constructor(
    private readonly first: Target,
    private readonly fallback: (error: Error) => Target | undefined,
  ) {}

  get dialect(): Dialect {
    return this.first.dialect;
  }

  get connectionName(): string {
    return this.first.connectionName;
  }

  rows(sql: string, params: readonly unknown[], options?: RowsOptions): Promise<unknown[][]> {
    return this.first.rows(sql, params, options).catch((error: unknown) => {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      const other = this.fallback(error);
      if (other === undefined) throw error;
      return other.rows(sql, params, options);
    });
  }

  write(sql: string, params: readonly unknown[]): Promise<WriteResult> {
    return this.first.write(sql, params);
  }
}
