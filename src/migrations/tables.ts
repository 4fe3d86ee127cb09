/**
 * The tables of a migration state, for one dialect, named exactly as generateSchemas names them
 * (src/schema/tables.ts's constraintName): a migrated database and a generated one are the same.
 */
import type { Dialect } from '../dialects/dialect.js';
import { ConfigurationError } from '../errors.js';
import type { ColumnDef, ForeignKeyDef } from '../sql/ast.js';
import type { TableDef } from '../schema/table-def.js';
import { constraintName } from '../schema/tables.js';
import { encodeValue } from './values.js';
import { appOf, columnOf, columnTypeOf, isUnique, modelKey, pkOf, type FieldState, type ManyToManyState, type ModelState, type ProjectState } from './state.js';

export function columnDefOf(field: FieldState, dialect: Dialect): ColumnDef {
  const type = columnTypeOf(field);
  return {
    name: columnOf(field),
    type,
    nullable: field.null === true,
    primaryKey: field.pk === true,
    autoIncrement: field.generated === true,
    unique: field.unique === true && field.pk !== true,
    default: field.dbDefault === true && field.default !== undefined && field.default !== null ? { kind: 'param', value: encodeValue(type, field.default, dialect) } : undefined,
    comment: field.description,
  };
}

/** The model a reference in `fromKey`'s app points at, or a ConfigurationError naming both. */
export function relatedModel(state: ProjectState, fromKey: string, ref: string, where: string): ModelState {
  const model = state.models[modelKey(appOf(fromKey), ref)];
  if (model === undefined) {
    throw new ConfigurationError(`${where} refers to the model '${ref}', which does not exist at this point of the migrations; create it in an earlier operation.`);
  }
  return model;
}

function targetField(target: ModelState, name: string | undefined, where: string): FieldState {
  if (name === undefined) return pkOf(target);
  const field = target.fields.find((f) => f.name === name);
  if (field === undefined) throw new ConfigurationError(`${where} points at ${target.name}.${name}, which does not exist at this point of the migrations.`);
  return field;
}

function foreignKeys(state: ProjectState, key: string, model: ModelState): ForeignKeyDef[] {
  const keys: ForeignKeyDef[] = [];
  for (const field of model.fields) {
    const ref = field.references;
    if (ref === undefined || ref.dbConstraint === false) continue;
    const where = `${model.name}.${field.name}`;
    const target = relatedModel(state, key, ref.model, where);
    const column = columnOf(field);
    keys.push({
      name: constraintName('fk', model.table, [column, target.table]),
      columns: [column],
      refTable: target.table,
      refColumns: [columnOf(targetField(target, ref.field, where))],
      onDelete: ref.onDelete,
    });
  }
  return keys;
}

function columnsOf(model: ModelState, names: readonly string[]): string[] {
  return names.map((name) => {
    const field = model.fields.find((f) => f.name === name);
    if (field === undefined) throw new ConfigurationError(`${model.name}: '${name}' in a unique or index group is not a field at this point of the migrations.`);
    return columnOf(field);
  });
}

export function modelTableDef(state: ProjectState, key: string, dialect: Dialect): TableDef {
  const model = state.models[key]!;
  const uniqueTogether = (model.uniqueTogether ?? []).map((group) => columnsOf(model, group));
  const indexes = [
    ...model.fields.filter((f) => f.index === true && !isUnique(f)).map((f) => [columnOf(f)]),
    ...(model.indexes ?? []).map((group) => columnsOf(model, group)),
  ];
  return {
    table: model.table,
    columns: model.fields.map((f) => columnDefOf(f, dialect)),
    uniqueTogether: uniqueTogether.map((columns) => ({ name: constraintName('uid', model.table, columns), columns })),
    indexes: indexes.map((columns) => ({ name: constraintName('idx', model.table, columns), columns })),
    foreignKeys: foreignKeys(state, key, model),
    description: model.description,
  };
}

/** A key column of a through table: the type of the primary key it points at, nothing else. */
function keyColumn(pk: FieldState, name: string, dialect: Dialect): ColumnDef {
  return { ...columnDefOf(pk, dialect), name, primaryKey: false, autoIncrement: false, unique: false, nullable: false, default: undefined, comment: undefined };
}

export function throughTableDef(state: ProjectState, key: string, m2m: ManyToManyState, dialect: Dialect): TableDef {
  const model = state.models[key]!;
  const target = relatedModel(state, key, m2m.model, `${model.name}.${m2m.name}`);
  const own = keyColumn(pkOf(model), m2m.backwardKey, dialect);
  const other = keyColumn(pkOf(target), m2m.forwardKey, dialect);
  const keys: ForeignKeyDef[] =
    m2m.dbConstraint === false
      ? []
      : [
          { name: constraintName('fk', m2m.table, [own.name]), columns: [own.name], refTable: model.table, refColumns: [columnOf(pkOf(model))], onDelete: m2m.onDelete },
          { name: constraintName('fk', m2m.table, [other.name]), columns: [other.name], refTable: target.table, refColumns: [columnOf(pkOf(target))], onDelete: m2m.onDelete },
        ];
  const pair = [own.name, other.name];
  return {
    table: m2m.table,
    columns: [own, other],
    uniqueTogether: m2m.unique === false ? [] : [{ name: constraintName('uid', m2m.table, pair), columns: pair }],
    indexes: [{ name: constraintName('idx', m2m.table, [other.name]), columns: [other.name] }],
    foreignKeys: keys,
    description: undefined,
  };
}

/** Every table of the state (through tables included), in model order. */
export function stateTables(state: ProjectState, dialect: Dialect): TableDef[] {
  const defs: TableDef[] = [];
  for (const key of Object.keys(state.models)) defs.push(modelTableDef(state, key, dialect));
  for (const [key, model] of Object.entries(state.models)) {
    for (const m2m of model.manyToMany ?? []) if (m2m.through === undefined) defs.push(throughTableDef(state, key, m2m, dialect));
  }
  return defs;
}
