/**
 * Random sequences of model edits (fast-check), each applied by a migration, end with the schema a
 * fresh generateSchemas makes of the final models; then everything is downgraded to zero and
 * migrated up again. CI-sized: a few runs of a few edits per backend.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { Model, fields, type ModelSource } from '../../src/index.js';
import { activeBackends } from '../support/backends.js';
import { MigrationBed } from './support.js';

type Kind = 'char' | 'text' | 'int' | 'bigint' | 'bool' | 'decimal';
interface FieldSpec {
  name: string;
  kind: Kind;
  null: boolean;
  unique: boolean;
  index: boolean;
  length: number;
  withDefault: boolean;
}
interface ModelSpec {
  table: string;
  fields: FieldSpec[];
  /** A nullable key to the other model. */
  fk: string | undefined;
  together: boolean;
}
type Spec = { A: ModelSpec; B: ModelSpec };

type Edit =
  | { e: 'add'; model: 'A' | 'B'; kind: Kind; null: boolean; withDefault: boolean }
  | { e: 'remove'; model: 'A' | 'B'; at: number }
  | { e: 'rename'; model: 'A' | 'B'; at: number }
  | { e: 'null'; model: 'A' | 'B'; at: number }
  | { e: 'length'; model: 'A' | 'B'; at: number }
  | { e: 'index'; model: 'A' | 'B'; at: number }
  | { e: 'unique'; model: 'A' | 'B'; at: number }
  | { e: 'type'; model: 'A' | 'B'; at: number }
  | { e: 'fk'; model: 'A' | 'B' }
  | { e: 'together'; model: 'A' | 'B' }
  | { e: 'table'; model: 'A' | 'B' };

const modelArb = fc.constantFrom<'A' | 'B'>('A', 'B');
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ e: fc.constant('add' as const), model: modelArb, kind: fc.constantFrom<Kind>('char', 'text', 'int', 'bigint', 'bool', 'decimal'), null: fc.boolean(), withDefault: fc.boolean() }),
  ...(['remove', 'rename', 'null', 'length', 'index', 'unique', 'type'] as const).map((e) => fc.record({ e: fc.constant(e), model: modelArb, at: fc.nat(5) })),
  ...(['fk', 'together', 'table'] as const).map((e) => fc.record({ e: fc.constant(e), model: modelArb })),
);

let counter = 0;
const indexable = (f: FieldSpec) => f.kind !== 'text';
const fill = (f: FieldSpec) => ({ char: 'x', text: 'x', int: 0, bigint: 0, bool: false, decimal: '0' })[f.kind];

/** Applies an edit to the spec, or returns undefined when it does not fit; also the makemigrations flags it needs. */
function edit(spec: Spec, change: Edit): { spec: Spec; renames: string[]; fills: string[] } | undefined {
  const next: Spec = structuredClone(spec);
  const model = next[change.model];
  const renames: string[] = [];
  const fills: string[] = [];
  const field = 'at' in change ? model.fields[change.at % Math.max(1, model.fields.length)] : undefined;
  switch (change.e) {
    case 'add': {
      const f: FieldSpec = { name: `f${++counter}`, kind: change.kind, null: change.null, unique: false, index: false, length: 20, withDefault: change.withDefault && change.kind !== 'text' };
      model.fields.push(f);
      if (!f.null && !f.withDefault) fills.push(`${change.model}.${f.name}=${JSON.stringify(fill(f))}`);
      break;
    }
    case 'remove':
      if (field === undefined || (model.together && model.fields.indexOf(field) < 2)) return undefined;
      model.fields.splice(model.fields.indexOf(field), 1);
      break;
    case 'rename': {
      if (field === undefined) return undefined;
      const name = `r${++counter}`;
      renames.push(`${change.model}.${field.name}=${name}`);
      field.name = name;
      break;
    }
    case 'null':
      if (field === undefined || field.unique) return undefined;
      field.null = !field.null;
      if (!field.null && !field.withDefault) fills.push(`${change.model}.${field.name}=${JSON.stringify(fill(field))}`);
      break;
    case 'length':
      if (field === undefined || field.kind !== 'char') return undefined;
      field.length = field.length === 20 ? 40 : 20;
      break;
    case 'index':
      if (field === undefined || !indexable(field) || field.unique) return undefined;
      field.index = !field.index;
      break;
    case 'unique':
      // Unique only on nullable fields: the rows hold NULL or one fill value, never a duplicate.
      if (field === undefined || !indexable(field) || !field.null || field.index || field.kind === 'bool') return undefined;
      field.unique = !field.unique;
      break;
    case 'type':
      if (field === undefined || field.unique || field.index) return undefined;
      if (field.kind === 'char') field.kind = 'text';
      else if (field.kind === 'text') field.kind = 'char';
      else if (field.kind === 'int') field.kind = 'bigint';
      else if (field.kind === 'bigint') field.kind = 'int';
      else return undefined;
      if (field.kind === 'text') field.withDefault = false;
      break;
    case 'fk':
      model.fk = model.fk === undefined ? `link${++counter}` : undefined;
      break;
    case 'together':
      if (!model.together && (model.fields.length < 2 || !model.fields.slice(0, 2).every((f) => indexable(f) && f.null))) return undefined;
      model.together = !model.together;
      break;
    case 'table':
      model.table = `${change.model.toLowerCase()}_${++counter}`;
      break;
  }
  return { spec: next, renames, fills };
}

function makeField(f: FieldSpec): unknown {
  const common = { null: f.null, unique: f.unique || undefined, index: f.index || undefined };
  switch (f.kind) {
    case 'char':
      return fields.CharField({ maxLength: f.length, ...common, ...(f.withDefault ? { default: 'd' } : {}) });
    case 'text':
      return fields.TextField({ null: f.null });
    case 'int':
      return fields.IntField({ ...common, ...(f.withDefault ? { default: 3 } : {}) });
    case 'bigint':
      return fields.BigIntField({ ...common, ...(f.withDefault ? { default: 3n } : {}) });
    case 'bool':
      return fields.BooleanField({ null: f.null, ...(f.withDefault ? { default: true } : {}) });
    case 'decimal':
      return fields.DecimalField({ maxDigits: 8, decimalPlaces: 2, ...common, ...(f.withDefault ? { default: '1.50' } : {}) });
  }
}

/** Model classes for a spec, built afresh (a class belongs to one Terrapin instance). */
function build(spec: Spec): ModelSource[] {
  const classes: Record<string, typeof Model> = {};
  for (const name of ['A', 'B'] as const) {
    const m = spec[name];
    const other = name === 'A' ? 'B' : 'A';
    const cls = class extends Model {
      constructor() {
        super();
        // Defined, not assigned, as class fields are: a registered class has relation setters on its prototype.
        const define = (key: string, value: unknown) => Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
        for (const f of m.fields) define(f.name, makeField(f));
        if (m.fk !== undefined) define(m.fk, fields.ForeignKeyField(() => classes[other] as never, { null: true, onDelete: 'SET_NULL', relatedName: false }));
      }
      static override meta = { table: m.table, ...(m.together ? { uniqueTogether: [[m.fields[0]!.name, m.fields[1]!.name]] } : {}) };
    };
    Object.defineProperty(cls, 'name', { value: name });
    classes[name] = cls;
  }
  return [classes];
}

const START: Spec = {
  A: { table: 'a', fields: [{ name: 'title', kind: 'char', null: false, unique: false, index: false, length: 20, withDefault: false }], fk: undefined, together: false },
  B: { table: 'b', fields: [{ name: 'size', kind: 'int', null: true, unique: false, index: false, length: 20, withDefault: false }], fk: undefined, together: false },
};

const RUNS: Record<string, { runs: number; edits: number }> = { sqlite: { runs: 6, edits: 5 }, postgres: { runs: 2, edits: 4 }, mysql: { runs: 2, edits: 4 } };

for (const backend of activeBackends()) {
  describe(backend, () => {
    const bed = new MigrationBed(backend, 'property');
    after(() => bed.close());
    it('random model edits migrate to the schema generateSchemas makes, down to zero and up again', async () => {
      // TERRAPIN_MIGRATION_RUNS=n runs n sequences of 8 edits instead, for a longer search.
      const wider = Number(process.env.TERRAPIN_MIGRATION_RUNS ?? 0);
      const size = wider > 0 ? { runs: wider, edits: 8 } : RUNS[backend]!;
      await fc.assert(
        fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: size.edits }), async (edits) => {
          await bed.reset();
          let spec = START;
          await bed.step(build(spec));
          await bed.with(build(spec), (_m, t) => t.connection('default').write("INSERT INTO a (title) VALUES ('one'), ('two')", []).then(() => undefined));
          for (const change of edits) {
            const next = edit(spec, change);
            if (next === undefined) continue;
            spec = next.spec;
            const step = await bed.step(build(spec), { renames: next.renames, fills: next.fills });
            assert.deepEqual(step.migrated, step.fresh, `after ${JSON.stringify(change)}`);
          }
          const final = await bed.freshSchema(build(spec));
          const zero = await bed.downgrade(build(spec), { target: 'zero' });
          assert.deepEqual(zero.tables, {});
          const again = await bed.with(build(spec), async (m) => {
            await m.upgrade();
            return bed.schema(build(spec));
          });
          assert.deepEqual(again, final);
        }),
        { numRuns: size.runs },
      );
    });
  });
}
