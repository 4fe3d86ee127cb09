/** Every operation kind by name, and the functions that apply, compile, describe and reverse any operation. */
import type { Dialect } from '../../dialects/dialect.js';
import { ConfigurationError } from '../../errors.js';
import { diffTables, NO_RENAMES } from '../../schema/table-diff.js';
import type { ProjectState } from '../state.js';
import { stateTables } from '../tables.js';
import { addFieldKind, alterFieldKind, removeFieldKind, renameFieldKind, type AddField, type AlterField, type RemoveField, type RenameField } from './fields.js';
import { addIndexKind, addUniqueKind, removeIndexKind, removeUniqueKind, type AddIndex, type AddUnique, type RemoveIndex, type RemoveUnique } from './groups.js';
import { addManyToManyKind, alterManyToManyKind, removeManyToManyKind, type AddManyToMany, type AlterManyToMany, type RemoveManyToMany } from './many-to-many.js';
import { alterModelKind, createModelKind, deleteModelKind, renameModelKind, type AlterModel, type CreateModel, type DeleteModel, type RenameModel } from './models.js';
import type { Irreversible, OperationKind, Step, Where } from './operation.js';
import { runCodeKind, runSqlKind, type RunCode, type RunSql } from './special.js';

export type Operation =
  | CreateModel
  | DeleteModel
  | RenameModel
  | AlterModel
  | AddField
  | RemoveField
  | AlterField
  | RenameField
  | AddIndex
  | RemoveIndex
  | AddUnique
  | RemoveUnique
  | AddManyToMany
  | RemoveManyToMany
  | AlterManyToMany
  | RunSql
  | RunCode;

const KINDS: { readonly [K in Operation['op']]: OperationKind<Extract<Operation, { op: K }>> } = {
  createModel: createModelKind,
  deleteModel: deleteModelKind,
  renameModel: renameModelKind,
  alterModel: alterModelKind,
  addField: addFieldKind,
  removeField: removeFieldKind,
  alterField: alterFieldKind,
  renameField: renameFieldKind,
  addIndex: addIndexKind,
  removeIndex: removeIndexKind,
  addUnique: addUniqueKind,
  removeUnique: removeUniqueKind,
  addManyToMany: addManyToManyKind,
  removeManyToMany: removeManyToManyKind,
  alterManyToMany: alterManyToManyKind,
  runSql: runSqlKind,
  runCode: runCodeKind,
};

export const OPERATION_NAMES = Object.keys(KINDS) as Operation['op'][];

function kindOf(op: Operation, where?: Where): OperationKind<Operation> {
  const kind = (KINDS as Record<string, OperationKind<Operation> | undefined>)[(op as { op?: unknown } | null)?.op as string];
  if (kind === undefined) {
    throw new ConfigurationError(
      `${where?.label ?? 'a migration'}: ${JSON.stringify((op as { op?: unknown } | null)?.op)} is not an operation; use one of ${OPERATION_NAMES.join(', ')} (from 'terrapin/migrations').`,
    );
  }
  return kind;
}

export function checkOperation(op: Operation, where: Where): void {
  kindOf(op, where);
}

export function describeOperation(op: Operation): string {
  return kindOf(op).describe(op);
}

export function applyOperation(op: Operation, state: ProjectState, where: Where): ProjectState {
  return kindOf(op, where).apply(op, state, where);
}

/** What `op` runs on `dialect`, from the state before it: its schema editor's statements, or its own SQL or code. */
export function operationSteps(op: Operation, before: ProjectState, where: Where, dialect: Dialect): Step[] {
  const kind = kindOf(op, where);
  if (kind.steps !== undefined) return kind.steps(op, dialect);
  const after = kind.apply(op, before, where);
  const hints = kind.hints?.(op, before, where, dialect) ?? { renames: NO_RENAMES, fills: new Map() };
  const change = diffTables(stateTables(before, dialect), stateTables(after, dialect), hints.renames, hints.fills);
  return dialect.schemaEditor.statements(change, dialect).map((statement) => {
    const { sql, params } = dialect.compiler.compile(statement);
    return { kind: 'sql', sql, params, raw: false };
  });
}

export function reverseOperation(op: Operation, before: ProjectState, where: Where): Operation | Irreversible {
  return kindOf(op, where).reverse(op, before, where) as Operation | Irreversible;
}

export function isIrreversible(value: Operation | Irreversible): value is Irreversible {
  return 'irreversible' in value;
}
