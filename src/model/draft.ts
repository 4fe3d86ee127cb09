import { checkOptions } from '../config/check-options.js';
import { ConfigurationError, NotSupportedError } from '../errors.js';
import { Field } from '../fields/base.js';
import { IntFieldImpl } from '../fields/numeric.js';
import { FOREIGN_KEY_OPTIONS, ForeignKeyDecl, MANY_TO_MANY_OPTIONS, ManyToManyDecl, type RelationDecl } from '../fields/relational.js';
import { isAbstract, MODEL_OPTIONS, type ModelClassLike, type ModelOptions } from './meta.js';

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

/** Meta options Terrapin refuses rather than ignore, each with what to do instead. */
const REFUSED_META: Readonly<Record<string, string>> = {
  schema:
    'a PostgreSQL schema or MySQL database per model is not supported yet; connect to the database that holds the table, with one connection per schema or database if you need several.',
};

/** No meta key is silently ignored: an unknown one is a ConfigurationError listing the valid ones. */
function checkMeta(cls: ModelClassLike, options: ModelOptions): void {
  if (options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    const refusal = REFUSED_META[key];
    if (refusal !== undefined) throw new NotSupportedError(`${cls.name}: meta.${key}: ${refusal}`);
  }
  checkOptions(`${cls.name}: meta`, options, MODEL_OPTIONS);
}

/** An unknown key in a relation's options names the relation, the key and the valid ones. */
function checkRelationOptions(cls: ModelClassLike, name: string, decl: RelationDecl): void {
  const factory = decl.kind === 'm2m' ? 'ManyToManyField' : decl.kind === 'o2o' ? 'OneToOneField' : 'ForeignKeyField';
  checkOptions(`${cls.name}.${name} (${factory})`, decl.options, decl.kind === 'm2m' ? MANY_TO_MANY_OPTIONS : FOREIGN_KEY_OPTIONS);
}

/** Names a model's table when its meta does not: Terrapin.init's `tableNameGenerator`. */
export type TableNameGenerator = (cls: ModelClassLike) => string;

/** Reads a model class's fields and relation declarations (the constructor runs once, here). */
export function readDraft(cls: ModelClassLike, app: string, tableNameGenerator?: TableNameGenerator): ModelDraft {
  if (isAbstract(cls)) throw new ConfigurationError(`${cls.name} is abstract (meta.abstract); it has no table to query.`);
  const options: ModelOptions = Object.hasOwn(cls, 'meta') ? (cls.meta ?? {}) : {};
  checkMeta(cls, options);
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
      checkRelationOptions(cls, name, value as RelationDecl);
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
  const table = options.table ?? generatedTableName(cls, tableNameGenerator);
  return { cls, name: cls.name, table, app: options.app ?? app, options, members, pk };
}

function generatedTableName(cls: ModelClassLike, generator: TableNameGenerator | undefined): string {
  if (generator === undefined) return cls.name.toLowerCase();
  const name = generator(cls);
  if (typeof name !== 'string' || name === '') {
    throw new ConfigurationError(`${cls.name}: tableNameGenerator returned ${JSON.stringify(name)}; it must return a non-empty table name.`);
  }
  return name;
}
