import { checkOptions, nameListOption } from '../config/check-options.js';
import { ConfigurationError, ParamsError } from '../errors.js';
import type { Target } from '../execution/target.js';
import { sortedTables, type LiveSchema } from './live-schema.js';

export interface IntrospectOptions {
  /** Only these tables (each must exist). Default: every table. */
  tables?: readonly string[];
  /** Leave these tables out (a migrations table, say); names that do not exist are fine. */
  exclude?: readonly string[];
}

/**
 * Describes the live database behind a connection (or a transaction client): every table with
 * its columns, primary key, unique constraints, indexes and foreign keys, normalized so that two
 * databases built by the same DDL give deepEqual descriptions (see `diffSchemas`).
 *
 * `const schema = await introspectSchema(Terrapin.default.connection('default'), { tables: ['auth_user'] })`
 */
export async function introspectSchema(target: Target, options: IntrospectOptions = {}): Promise<LiveSchema> {
  checkOptions('introspectSchema', options, ['tables', 'exclude']);
  const only = nameListOption('introspectSchema', 'tables', options.tables);
  const exclude = nameListOption('introspectSchema', 'exclude', options.exclude) ?? [];
  if (target === null || typeof target !== 'object' || target.dialect?.introspection === undefined) {
    throw new ConfigurationError(
      'introspectSchema takes a connection (Terrapin.default.connection(name)) or a transaction client (from inTransaction).',
    );
  }
  const found = await target.dialect.introspection.describeTables(target, only);
  if (only !== undefined) {
    const missing = only.filter((name) => !found.some((t) => t.name === name));
    if (missing.length > 0) {
      throw new ParamsError(
        `introspectSchema: no table ${missing.map((m) => `'${m}'`).join(', ')} in the database of connection '${target.connectionName}'; the names are case-sensitive.`,
      );
    }
  }
  return { dialect: target.dialect.name, tables: sortedTables(found.filter((t) => !exclude.includes(t.name))) };
}
