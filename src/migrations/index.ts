/**
 * `terrapin/migrations`: what migration files import (`migration` and the operations), and the
 * programmatic API behind the `terrapin` command (`Migrations`).
 *
 *   import { addField, migration } from 'terrapin/migrations';
 *   export default migration({ dependencies: ['0001_initial'], operations: [addField({ model: 'User', field: { … } })] });
 */
export { migration, type MigrationDefinition } from './migration.js';
export { createModel, deleteModel, renameModel, alterModel } from './operations/models.js';
export type { CreateModel, DeleteModel, RenameModel, AlterModel } from './operations/models.js';
export { addField, removeField, alterField, renameField } from './operations/fields.js';
export type { AddField, RemoveField, AlterField, RenameField } from './operations/fields.js';
export { addIndex, removeIndex, addUnique, removeUnique } from './operations/groups.js';
export type { AddIndex, RemoveIndex, AddUnique, RemoveUnique } from './operations/groups.js';
export { addManyToMany, removeManyToMany, alterManyToMany } from './operations/many-to-many.js';
export type { AddManyToMany, RemoveManyToMany, AlterManyToMany } from './operations/many-to-many.js';
export { runSql, runCode } from './operations/special.js';
export type { RunSql, RunCode, MigrationCode } from './operations/special.js';
export type { MigrationContext } from './operations/operation.js';
export type { Operation } from './operations/index.js';
export type { FieldState, ModelState, ManyToManyState, ReferenceState, ProjectState } from './state.js';
export { Migrations, formatSql } from './project.js';
export type { MakeOptions, WrittenMigration, AppStatus, SqlListing, MigrationHost } from './project.js';
export type { RunOptions, DowngradeSpec, MigrationOutcome, ProgressEvent } from './executor.js';
export type { Questioner, DetectOptions } from './autodetector.js';
export { stateFromModels } from './model-state.js';
/** The shape of terrapin.config.ts (`export default { … } satisfies TerrapinCliConfig`); type only. */
export type { CliConfigFile as TerrapinCliConfig } from '../cli/config.js';
