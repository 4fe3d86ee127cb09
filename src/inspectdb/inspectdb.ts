import { checkOptions, nameListOption } from '../config/check-options.js';
import { ConfigurationError } from '../errors.js';
import type { Target } from '../execution/target.js';
import { introspectSchema } from '../schema/introspect.js';
import { modelPlans } from './model-plan.js';
import { writeSource } from './write-source.js';

export interface InspectdbOptions {
  /** Only these tables (each must exist). Default: every table. */
  tables?: readonly string[];
  /** Leave these tables out. */
  exclude?: readonly string[];
  /** The module the written models import from; default 'terrapin'. */
  importFrom?: string;
}

/** For the header only (names are for messages, not for branching). */
const BACKENDS = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' } as const;

/**
 * TypeScript model source for the tables of an existing database (Tortoise's `inspectdb`): one
 * class per table, many-to-many through tables as ManyToManyField, what cannot be mapped marked
 * FIXME. `terrapin inspectdb [tables…]` prints it.
 *
 * `writeFileSync('models.ts', await inspectdb(Terrapin.default.connection('default'), { tables: ['auth_user'] }))`
 */
export async function inspectdb(target: Target, options: InspectdbOptions = {}): Promise<string> {
  checkOptions('inspectdb', options, ['tables', 'exclude', 'importFrom']);
  const tables = nameListOption('inspectdb', 'tables', options.tables);
  const exclude = nameListOption('inspectdb', 'exclude', options.exclude);
  const importFrom = options.importFrom ?? 'terrapin';
  if (typeof importFrom !== 'string' || importFrom === '') {
    throw new ConfigurationError(`inspectdb: 'importFrom' must be a module name such as 'terrapin', got ${JSON.stringify(options.importFrom)}.`);
  }
  const schema = await introspectSchema(target, { ...(tables === undefined ? {} : { tables }), ...(exclude === undefined ? {} : { exclude }) });
  const plans = modelPlans(schema, (column) => target.dialect.introspection.columnField(column));
  return writeSource(plans, { importFrom, backend: BACKENDS[schema.dialect] });
}
