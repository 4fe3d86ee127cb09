import { IncompleteInstanceError, IntegrityError, OperationalError, FieldError } from '../errors.js';
import { checkAgainstFresh, verifyCachedStatements } from '../plan/statement-cache.js';
import type { Target } from '../execution/target.js';
import { Field } from '../fields/base.js';
import { ForeignKeyDecl, ManyToManyDecl } from '../fields/relational.js';
import { assignedExpr, planDeleteByPk, planInsert, planUpdateByPk } from '../plan/write.js';
import { Expression, checkExpression } from '../query/expressions.js';
import { param, type Expr, type OnConflict } from '../sql/ast.js';
import { LOADED, SAVED, type InstanceState } from './instance-state.js';
import type { ModelMeta } from './meta.js';

type Instance = Record<string, unknown> & InstanceState;

function isAutoTime(field: Field): field is Field & { autoNow: boolean; autoNowAdd: boolean; now(): unknown } {
  return field.automatic;
}

/**
 * Instances made with `new Model()` hold field descriptors until first use; swap them for the
 * fields' defaults (or leave them unset) so the instance reads like one made by `build()`.
 */
export function settleConstructed(meta: ModelMeta, instance: Instance): void {
  // Relation declarations shadow the prototype's relation accessors on a `new Model()`.
  for (const name of meta.relations.keys()) {
    const own = Object.getOwnPropertyDescriptor(instance, name);
    if (own !== undefined && 'value' in own && (own.value instanceof ForeignKeyDecl || own.value instanceof ManyToManyDecl)) {
      delete instance[name];
    }
  }
  for (const field of meta.fields) {
    // Read the own data value, not through a getter: an only() instance throws on unloaded fields.
    if (Object.getOwnPropertyDescriptor(instance, field.name)?.value instanceof Field) {
      const value = field.makeDefault();
      if (value === undefined) delete instance[field.name];
      else instance[field.name] = value;
    }
  }
}

/**
 * The fields and normalized values an INSERT writes for `instance`, after automatic values and
 * defaults are applied and every value is validated (so nothing is sent when one is wrong).
 */
export function insertValues(meta: ModelMeta, instance: Instance, now: Date): { fields: Field[]; values: unknown[] } {
  const fields: Field[] = [];
  const values: unknown[] = [];
  for (const field of meta.fields) {
    let value = instance[field.name];
    if (isAutoTime(field) && (field.autoNow || value === undefined || value === null)) {
      value = field.kind === 'datetime' ? new Date(now) : field.now();
      instance[field.name] = value;
    }
    if (value === undefined) {
      const fallback = field.makeDefault();
      if (fallback !== undefined) {
        value = fallback;
        instance[field.name] = value;
      } else if (field.generated) {
        continue;
      } else if (field.nullable) {
        value = null;
        instance[field.name] = null;
      }
    }
    if (value === null && field.generated) continue;
    if (value instanceof Expression) {
      throw field.invalid(
        value,
        `an expression such as F('${field.name}').add(1) computes from the row's current value, and a new instance has no row yet; create it with a value, then assign the expression and save()`,
      );
    }
    if (value === undefined) {
      throw field.invalid(value, `${field.name} is required; pass it to create() or build(), or give the field a default`);
    }
    const canonical = field.validate(value);
    instance[field.name] = canonical;
    fields.push(field);
    values.push(canonical);
  }
  return { fields, values };
}

/** Encodes normalized values for the target's backend. */
export function encodeValues(fields: readonly Field[], values: readonly unknown[], target: Target): unknown[] {
  const conventions = target.dialect.values;
  return values.map((value, i) => fields[i]!.canonicalEncoder(conventions)(value));
}

/** The same for many rows, looking each field's encoder up once. */
function encodeRows(fields: readonly Field[], rows: readonly (readonly unknown[])[], target: Target): unknown[][] {
  const conventions = target.dialect.values;
  const encoders = fields.map((field) => field.canonicalEncoder(conventions));
  return rows.map((row) => row.map((value, i) => encoders[i]!(value)));
}

/** Reads generated keys back: RETURNING where the backend has it, the insert id otherwise. */
async function runInsert(
  target: Target,
  meta: ModelMeta,
  fields: readonly Field[],
  rows: readonly (readonly unknown[])[],
  wantReturning: boolean,
  onConflict: OnConflict | undefined,
): Promise<unknown[][] | { insertId: number | bigint | undefined; affected: number }> {
  const returning = wantReturning ? meta.generatedFields : [];
  const { sql, params } =
    onConflict === undefined
      ? cachedInsert(target, meta, fields, rows, returning)
      : target.dialect.compiler.compile(planInsert(meta, fields, rows, returning, onConflict));
  if (returning.length > 0) return target.rows(sql, params, meta.hasBigInt ? { bigint: true } : undefined);
  return target.write(sql, params);
}

/**
 * INSERTs of one model mostly write the same columns — create() and save() one row, bulkCreate()
 * batches of the same size — so their SQL is compiled once per column set, row count and backend,
 * and reused; the values are bound row by row in column order, exactly as the compiler binds them.
 * Row counts other than one are kept for a few sizes only (bulkCreate's batch size, its last batch).
 */
const insertTexts = new WeakMap<ModelMeta, Map<string, string>>();
const MAX_INSERT_TEXTS = 32;

function cachedInsert(
  target: Target,
  meta: ModelMeta,
  fields: readonly Field[],
  rows: readonly (readonly unknown[])[],
  returning: readonly Field[],
): { sql: string; params: readonly unknown[] } {
  let texts = insertTexts.get(meta);
  if (texts === undefined) insertTexts.set(meta, (texts = new Map()));
  let key = `${target.dialect.name}${returning.length > 0 ? '+r' : ''}*${rows.length}`;
  for (const field of fields) key += `,${field.column}`;
  // Not rows.flat(): a value that is itself an array would be spread into several parameters.
  let params: readonly unknown[] = rows[0]!;
  if (rows.length > 1) {
    const all: unknown[] = [];
    for (const row of rows) for (const value of row) all.push(value);
    params = all;
  }
  let sql = texts.get(key);
  if (sql === undefined) {
    const compiled = target.dialect.compiler.compile(planInsert(meta, fields, rows, returning, undefined));
    if (rows.length === 1 || texts.size < MAX_INSERT_TEXTS) texts.set(key, compiled.sql);
    return compiled;
  }
  const hit = { sql, params };
  if (verifyCachedStatements) checkAgainstFresh(meta, hit, target.dialect.compiler.compile(planInsert(meta, fields, rows, returning, undefined)));
  return hit;
}

function assignGenerated(meta: ModelMeta, target: Target, instance: Instance, row: readonly unknown[]): void {
  meta.generatedFields.forEach((field, i) => {
    const decode = field.decoder(target.dialect.values);
    instance[field.name] = decode === undefined ? row[i] : decode(row[i]);
  });
}

export async function insertInstance(target: Target, meta: ModelMeta, instance: Instance): Promise<void> {
  const { fields, values } = insertValues(meta, instance, new Date());
  const encoded = encodeValues(fields, values, target);
  const needsKeys = meta.generatedFields.some((f) => instance[f.name] === undefined || instance[f.name] === null);
  const caps = target.dialect.capabilities;
  // An integer auto-increment key alone comes back as the insert id where the driver reports it.
  const idSuffices = caps.insertId && meta.generatedFields.length === 1 && meta.generatedFields[0] === meta.pk;
  const returning = needsKeys && caps.insertReturning && !idSuffices;
  const result = await runInsert(target, meta, fields, [encoded], returning, undefined);
  if (Array.isArray(result)) {
    assignGenerated(meta, target, instance, result[0] ?? []);
  } else if (needsKeys) {
    const pk = meta.pk;
    if (pk.generated && result.insertId !== undefined) {
      const decode = pk.decoder(target.dialect.values);
      instance[pk.name] = decode === undefined ? Number(result.insertId) : decode(result.insertId);
    }
  }
  instance[SAVED] = true;
}

export interface BulkInsertOptions {
  readonly onConflict: OnConflict | undefined;
}

/** One multi-row INSERT; assigns generated keys where the backend returns them in order. */
export async function insertBatch(
  target: Target,
  meta: ModelMeta,
  fields: readonly Field[],
  instances: readonly Instance[],
  rows: readonly unknown[][],
  options: BulkInsertOptions,
): Promise<void> {
  const caps = target.dialect.capabilities;
  const needsKeys = meta.generatedFields.length > 0;
  const returning =
    needsKeys &&
    options.onConflict?.action !== 'ignore' &&
    (options.onConflict === undefined ? caps.insertReturning : caps.upsertReturning);
  const encoded = encodeRows(fields, rows, target);
  const result = await runInsert(target, meta, fields, encoded, returning, options.onConflict);
  if (Array.isArray(result)) {
    if (result.length === instances.length) result.forEach((row, i) => assignGenerated(meta, target, instances[i]!, row));
  } else if (needsKeys && options.onConflict === undefined && meta.pk.generated && result.insertId !== undefined) {
    // MySQL: one statement's auto-increment values are consecutive, starting at the insert id
    // (counted as bigints for a BigIntField key, or past 2^53, so no id is rounded).
    const first = result.insertId;
    const pk = meta.pk;
    const exact = typeof first === 'bigint' || pk.kind === 'bigint';
    const decode = pk.decoder(target.dialect.values);
    instances.forEach((instance, i) => {
      const id = exact ? BigInt(first) + BigInt(i) : Number(first) + i;
      instance[pk.name] = exact && decode !== undefined ? decode(id) : id;
    });
  }
  for (const instance of instances) instance[SAVED] = true;
}

/**
 * UPDATE of the instance's row; `updateFields` limits the columns written. A field holding an
 * expression (`F('score').add(1)`) is computed by the database in the same UPDATE, so concurrent
 * saves do not lose each other's increments; the fields so computed are returned for re-reading.
 */
export async function updateInstance(
  target: Target,
  meta: ModelMeta,
  instance: Instance,
  updateFields: readonly string[] | undefined,
  forceUpdate: boolean,
): Promise<Field[]> {
  const loaded = instance[LOADED];
  if (loaded !== undefined && updateFields === undefined) {
    throw new IncompleteInstanceError(
      `${meta.name} was loaded with only(${[...loaded].map((n) => `'${n}'`).join(', ')}); save it with { updateFields: [...] } naming the fields to write.`,
    );
  }
  const pkValue = instance[meta.pk.name];
  if (pkValue === undefined || pkValue === null) {
    throw new OperationalError(`${meta.name} has no primary key value, so it cannot be updated; save() it first to create it.`);
  }
  const now = new Date();
  let fields: Field[];
  if (updateFields === undefined) {
    fields = meta.fields.filter((f) => !f.pk);
  } else {
    fields = updateFields.map((name) => meta.field(name, 'updateFields'));
    for (const field of meta.fields) {
      if (isAutoTime(field) && field.autoNow && !fields.includes(field)) fields.push(field);
    }
    const pkField = fields.find((f) => f.pk);
    if (pkField !== undefined) throw new FieldError(`${meta.name}: updateFields cannot include the primary key '${pkField.name}'.`);
  }
  const set: [Field, Expr][] = [];
  const computed: Field[] = [];
  const conventions = target.dialect.values;
  for (const field of fields) {
    let value = instance[field.name];
    if (value instanceof Expression) {
      const where = `${meta.name}.save() of ${field.name}`;
      checkExpression(value, meta, where);
      set.push([field, assignedExpr(meta, value, conventions, where)]);
      computed.push(field);
      continue;
    }
    if (isAutoTime(field) && field.autoNow) {
      value = field.kind === 'datetime' ? new Date(now) : field.now();
      instance[field.name] = value;
    }
    if (value === undefined) value = null;
    const canonical = field.validate(value);
    instance[field.name] = canonical;
    set.push([field, param(field.canonicalEncoder(conventions)(canonical))]);
  }
  if (set.length === 0) return computed;
  const encodedPk = meta.pk.encoder(conventions)(pkValue);
  const { sql, params } = target.dialect.compiler.compile(planUpdateByPk(meta, set, encodedPk));
  const result = await target.write(sql, params);
  if (forceUpdate && result.affected === 0) {
    throw new IntegrityError(`${meta.name} with ${meta.pk.name}=${String(pkValue)} does not exist, so forceUpdate could not update it.`);
  }
  instance[SAVED] = true;
  return computed;
}

export async function deleteInstance(target: Target, meta: ModelMeta, instance: Instance): Promise<void> {
  const pkValue = instance[meta.pk.name];
  if (pkValue === undefined || pkValue === null || instance[SAVED] !== true) {
    throw new OperationalError(`Cannot delete an unsaved ${meta.name}: it has no row in the database.`);
  }
  const encodedPk = meta.pk.encoder(target.dialect.values)(pkValue);
  const { sql, params } = target.dialect.compiler.compile(planDeleteByPk(meta, encodedPk));
  await target.write(sql, params);
  instance[SAVED] = false;
}
