import { ConfigurationError } from '../errors.js';
import type { Operation } from './operations/index.js';

/** What a migration file exports by default: `export default migration({ dependencies, operations })`. */
export interface MigrationDefinition {
  /** Migrations that must run first: '0001_initial' in the same app, 'otherapp/0003_add_tags' in another. */
  readonly dependencies: readonly string[];
  readonly operations: readonly Operation[];
}

/** A migration: its dependencies and its operations, in order. */
export function migration(definition: { dependencies?: readonly string[]; operations: readonly Operation[] }): MigrationDefinition {
  if (definition === null || typeof definition !== 'object' || !Array.isArray(definition.operations)) {
    throw new ConfigurationError("migration() takes { dependencies: ['0001_initial'], operations: [addField({ … }), …] }.");
  }
  const dependencies = definition.dependencies ?? [];
  if (!Array.isArray(dependencies) || dependencies.some((d) => typeof d !== 'string')) {
    throw new ConfigurationError("migration(): dependencies must be names of migrations, e.g. ['0001_initial'].");
  }
  return Object.freeze({ dependencies: Object.freeze([...dependencies]), operations: Object.freeze([...definition.operations]) });
}
