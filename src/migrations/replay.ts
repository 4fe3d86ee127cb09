/** The model state the migrations build, operation by operation (Django's way: files are the source). */
import type { LoadedMigration } from './graph.js';
import { applyOperation } from './operations/index.js';
import type { Where } from './operations/operation.js';
import { EMPTY_STATE, type ProjectState } from './state.js';

export function whereOf(migration: LoadedMigration, index: number): Where {
  const op = migration.definition.operations[index];
  return { app: migration.app, label: `${migration.id}, operation ${index + 1} (${op?.op ?? '?'})` };
}

/** The state after the first `count` operations of `migration` (all by default). */
export function applyMigration(migration: LoadedMigration, state: ProjectState, count = migration.definition.operations.length): ProjectState {
  let next = state;
  for (let i = 0; i < count; i++) next = applyOperation(migration.definition.operations[i]!, next, whereOf(migration, i));
  return next;
}

/** The state after every migration given, in order. */
export function replay(migrations: readonly LoadedMigration[], state: ProjectState = EMPTY_STATE): ProjectState {
  let next = state;
  for (const migration of migrations) next = applyMigration(migration, next);
  return next;
}
