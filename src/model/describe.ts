import type { Field } from '../fields/base.js';
import type { ModelMeta } from './meta.js';
import type { Relation } from './relations.js';

/** One field as describe() reports it (Tortoise's describe(serializable=True), camelCase). */
export interface FieldDescription {
  readonly name: string;
  readonly fieldType: string;
  readonly kind: string;
  readonly dbColumn: string;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly indexed: boolean;
  readonly generated: boolean;
  readonly pk: boolean;
  /** A constant default as JSON, or '<function>' for a default computed per instance. */
  readonly default: unknown;
  readonly description: string | undefined;
  /** Type-specific limits: maxLength, maxDigits/decimalPlaces, enum members. */
  readonly constraints: Readonly<Record<string, unknown>>;
}

export interface RelationDescription {
  readonly name: string;
  readonly kind: Relation['kind'];
  readonly relatedModel: string;
  /** Forward keys: the key column attribute (`authorId`). */
  readonly keyField: string | undefined;
  readonly onDelete: string | undefined;
  readonly nullable: boolean;
  /** Many-to-many: the through table and its two columns. */
  readonly through: { readonly table: string; readonly ownKey: string; readonly targetKey: string } | undefined;
}

/** A model's metadata as plain data: what schema generation and migrations read. */
export interface ModelDescription {
  readonly name: string;
  readonly app: string;
  readonly table: string;
  readonly description: string | undefined;
  readonly pkField: FieldDescription;
  readonly dataFields: readonly FieldDescription[];
  readonly relations: readonly RelationDescription[];
  readonly uniqueTogether: readonly (readonly string[])[];
  readonly indexes: readonly (readonly string[])[];
  readonly ordering: readonly string[];
}

function constraints(field: Field): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['maxLength', 'maxDigits', 'decimalPlaces', 'members'] as const) {
    const value = (field as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function describeField(field: Field): FieldDescription {
  const d = field.defaultValue;
  return {
    name: field.name,
    fieldType: field.fieldType,
    kind: field.kind,
    dbColumn: field.column,
    nullable: field.nullable,
    unique: field.unique,
    indexed: field.index || field.unique,
    generated: field.generated,
    pk: field.pk,
    default: typeof d === 'function' ? '<function>' : typeof d === 'bigint' ? d.toString() : d instanceof Date ? d.toISOString() : d,
    description: field.description,
    constraints: constraints(field),
  };
}

function describeRelation(relation: Relation): RelationDescription {
  const forward = relation.kind === 'fk' || relation.kind === 'o2o';
  return {
    name: relation.name,
    kind: relation.kind,
    relatedModel: relation.target.name,
    keyField: forward ? relation.idField.name : undefined,
    onDelete: forward ? relation.onDelete : relation.kind === 'm2m' ? relation.through.onDelete : undefined,
    nullable: forward ? relation.nullable : true,
    through:
      relation.kind === 'm2m'
        ? { table: relation.through.table, ownKey: relation.ownKey, targetKey: relation.targetKey }
        : undefined,
  };
}

/** `Model.describe()`: everything about the model as JSON-ready data. */
export function describeModel(meta: ModelMeta): ModelDescription {
  return {
    name: meta.name,
    app: meta.app,
    table: meta.table,
    description: meta.description,
    pkField: describeField(meta.pk),
    dataFields: meta.fields.filter((f) => !f.pk).map(describeField),
    relations: [...meta.relations.values()].filter((r) => !(r.kind === 'm2m' && r.hidden)).map(describeRelation),
    uniqueTogether: meta.uniqueTogether.map((group) => group.map((f) => f.name)),
    indexes: meta.indexes.map((group) => group.map((f) => f.name)),
    ordering: meta.ordering.map((o) => `${o.desc ? '-' : ''}${o.field.name}`),
  };
}
