import { ConfigurationError } from '../errors.js';
import { Field } from '../fields/base.js';
import { IntFieldImpl } from '../fields/numeric.js';
import { ForeignKeyDecl, ManyToManyDecl, type RelationDecl } from '../fields/relational.js';
import { isAbstract, type ModelClassLike, type ModelOptions } from './meta.js';

/** One declared member of a model class, in declaration order. */
export type Member = { readonly name: string; readonly field: Field } | { readonly name: string; readonly decl: RelationDecl };

/** What a model class declares, read once by constructing it; relations are resolved later, across models. */
export interface ModelDraft {
  readonly cls: ModelClassLike;
  readonly name: string;
  readonly table: string;
  readonly app: string;
  readonly options: ModelOptions;
  readonly members: readonly Member[];
  readonly pk: Field;
}

function bindField(field: Field, cls: ModelClassLike, name: string): void {
  field.name = name;
  field.column = field.sourceField ?? name;
  field.modelName = cls.name;
}

/** Reads a model class's fields and relation declarations (the constructor runs once, here). */
export function readDraft(cls: ModelClassLike, app: string): ModelDraft {
  if (isAbstract(cls)) throw new ConfigurationError(`${cls.name} is abstract (meta.abstract); it has no table to query.`);
  const options: ModelOptions = Object.hasOwn(cls, 'meta') ? (cls.meta ?? {}) : {};
  let probe: Record<string, unknown>;
  try {
    probe = new cls() as Record<string, unknown>;
  } catch (error) {
    // Field factories check their options when the class is first constructed; say which model.
    if (error instanceof ConfigurationError) throw new ConfigurationError(`${cls.name}: ${error.message}`, { cause: error });
    throw error;
  }
  const members: Member[] = [];
  for (const [name, value] of Object.entries(probe)) {
    const isField = value instanceof Field;
    if (!isField && !(value instanceof ForeignKeyDecl) && !(value instanceof ManyToManyDecl)) continue;
    if (name.includes('__')) {
      throw new ConfigurationError(`${cls.name}.${name}: field names cannot contain '__' (it separates lookups).`);
    }
    if (isField) {
      bindField(value, cls, name);
      members.push({ name, field: value });
    } else {
      members.push({ name, decl: value as RelationDecl });
    }
  }
  const fields = members.flatMap((m) => ('field' in m ? [m.field] : []));
  const pks = fields.filter((f) => f.pk);
  if (pks.length > 1) {
    throw new ConfigurationError(
      `${cls.name} declares ${pks.length} primary keys (${pks.map((f) => f.name).join(', ')}); only one is supported.`,
    );
  }
  let pk = pks[0];
  if (pk === undefined) {
    if (members.some((m) => m.name === 'id')) {
      throw new ConfigurationError(`${cls.name}.id is not a primary key; mark it with 'pk: true' or rename it.`);
    }
    pk = new IntFieldImpl({ pk: true });
    bindField(pk, cls, 'id');
    members.unshift({ name: 'id', field: pk });
  }
  for (const field of fields) field.check();
  const table = options.table ?? cls.name.toLowerCase();
  return { cls, name: cls.name, table, app: options.app ?? app, options, members, pk };
}
