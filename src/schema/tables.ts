import { createHash } from 'node:crypto';
import type { Field } from '../fields/base.js';
import type { ModelMeta } from '../model/meta.js';
import type { ForwardRelation, ManyToManyRelationMeta } from '../model/relations.js';
import type { ForeignKeyDef } from '../sql/ast.js';

/** Index and constraint names: readable prefix, a hash for uniqueness, under every backend's 63-char limit. */
export function constraintName(prefix: string, table: string, columns: readonly string[]): string {
  const hash = createHash('sha256').update(`${table}:${columns.join(',')}`).digest('hex').slice(0, 6);
  return `${prefix}_${table.slice(0, 24)}_${columns.join('_').slice(0, 24)}_${hash}`;
}

/** One table to create: a model's, or the through table of a many-to-many relation. */
export interface TableSpec {
  readonly table: string;
  readonly fields: readonly Field[];
  readonly uniqueTogether: readonly (readonly string[])[];
  readonly indexes: readonly (readonly string[])[];
  readonly foreignKeys: readonly ForeignKeyDef[];
  readonly description: string | undefined;
}

function foreignKeyOf(table: string, relation: ForwardRelation): ForeignKeyDef {
  return {
    name: constraintName('fk', table, [relation.idField.column, relation.target.table]),
    columns: [relation.idField.column],
    refTable: relation.target.table,
    refColumns: [relation.targetField.column],
    onDelete: relation.onDelete,
  };
}

export function modelTable(meta: ModelMeta): TableSpec {
  const forwards = [...meta.relations.values()].filter(
    (r): r is ForwardRelation => (r.kind === 'fk' || r.kind === 'o2o') && r.dbConstraint,
  );
  return {
    table: meta.table,
    fields: meta.fields,
    uniqueTogether: meta.uniqueTogether.map((group) => group.map((f) => f.column)),
    indexes: [
      ...meta.fields.filter((f) => f.index && !f.unique).map((f) => [f.column]),
      ...meta.indexes.map((group) => group.map((f) => f.column)),
    ],
    foreignKeys: forwards.map((r) => foreignKeyOf(meta.table, r)),
    description: meta.description,
  };
}

/** The through table of a declared many-to-many relation without a through model. */
export function throughTable(relation: ManyToManyRelationMeta): TableSpec {
  const { through, model, target } = relation;
  const column = (pk: Field, name: string) =>
    pk.foreignKeyCopy({ name, column: name, modelName: through.table, nullable: false, unique: false, index: false, description: undefined });
  const own = column(model.pk, through.backwardKey);
  const other = column(target.pk, through.forwardKey);
  const keys: ForeignKeyDef[] = through.dbConstraint
    ? [
        { name: constraintName('fk', through.table, [own.column]), columns: [own.column], refTable: model.table, refColumns: [model.pk.column], onDelete: through.onDelete },
        { name: constraintName('fk', through.table, [other.column]), columns: [other.column], refTable: target.table, refColumns: [target.pk.column], onDelete: through.onDelete },
      ]
    : [];
  return {
    table: through.table,
    fields: [own, other],
    uniqueTogether: through.unique ? [[own.column, other.column]] : [],
    // The unique pair serves lookups by the first column; the second needs its own index.
    indexes: [[other.column]],
    foreignKeys: keys,
    description: undefined,
  };
}

/** Every table of the models, through tables included, each once. */
export function tableSpecs(metas: readonly ModelMeta[]): TableSpec[] {
  const specs = metas.map(modelTable);
  for (const meta of metas) {
    for (const relation of meta.relations.values()) {
      if (relation.kind === 'm2m' && !relation.reversed && relation.through.model === undefined) specs.push(throughTable(relation));
    }
  }
  return specs;
}

/**
 * Orders tables so each comes after the tables its keys point at. Keys that close a cycle are
 * returned separately, to be added with ALTER TABLE once both tables exist.
 */
export function orderTables<T extends { readonly table: string; readonly foreignKeys: readonly ForeignKeyDef[] }>(
  specs: readonly T[],
): { ordered: T[]; deferred: { table: string; foreignKey: ForeignKeyDef }[] } {
  const byName = new Map(specs.map((s) => [s.table, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: T[] = [];
  const deferred: { table: string; foreignKey: ForeignKeyDef }[] = [];
  const visit = (spec: T): void => {
    state.set(spec.table, 'visiting');
    for (const fk of spec.foreignKeys) {
      if (fk.refTable === spec.table) continue;
      const target = byName.get(fk.refTable);
      if (target === undefined || state.get(target.table) === 'done') continue;
      if (state.get(target.table) === 'visiting') deferred.push({ table: spec.table, foreignKey: fk });
      else visit(target);
    }
    state.set(spec.table, 'done');
    ordered.push(spec);
  };
  for (const spec of specs) if (!state.has(spec.table)) visit(spec);
  return { ordered, deferred };
}
