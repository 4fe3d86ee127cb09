/**
 * Compares the state the migration files build with the state of the models and writes the
 * operations between them, in an order that works: groups and relations away before the fields
 * and models they use, models before the keys that point at them, new groups last. Renames are
 * never a silent drop and add: a model or field that looks renamed (same fields, or one field of
 * the same type gone and one come) is asked about on a terminal and otherwise must be decided by
 * `--rename Model.old=new` / `--rename Old=New`, or `--drop Model.old` / `--drop Old` for a real
 * removal; a NOT NULL field new to a table with rows needs a value for them (`--fill Model.field=value`).
 */
import type { JsonValue } from '../fields/misc.js';
import { MigrationError, NotSupportedError } from '../errors.js';
import { addField, alterField, removeField, renameField } from './operations/fields.js';
import { addIndex, addUnique, removeIndex, removeUnique } from './operations/groups.js';
import { addManyToMany, alterManyToMany, removeManyToMany } from './operations/many-to-many.js';
import { alterModel, createModel, deleteModel, renameModel } from './operations/models.js';
import { applyOperation, type Operation } from './operations/index.js';
import { appOf, modelKey, type FieldState, type ManyToManyState, type ModelState, type ProjectState } from './state.js';
import { compact } from './state-edit.js';

/** Answers the questions a change raises; undefined when it cannot ask (not a terminal). */
export interface Questioner {
  renameModel(from: string, to: string): Promise<boolean | undefined>;
  renameField(model: string, from: FieldState, to: FieldState): Promise<boolean | undefined>;
  /** A value for existing rows of a NOT NULL field without a database default. */
  fill(model: string, field: FieldState, why: 'new' | 'not null'): Promise<JsonValue | undefined>;
}

export const NON_INTERACTIVE: Questioner = {
  renameModel: async () => undefined,
  renameField: async () => undefined,
  fill: async () => undefined,
};

export interface DetectOptions {
  /** 'Model.old=new' (fields; a relation's name works too) and 'Old=New' (models). */
  readonly renames?: readonly string[];
  /** 'Model.field' or 'Model': removed for real, not renamed. */
  readonly drops?: readonly string[];
  /** 'Model.field=value' (JSON, or text): the value existing rows get. */
  readonly fills?: readonly string[];
  readonly questioner?: Questioner;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
    .join(',')}}`;
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function parsePairs(list: readonly string[] | undefined, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw new MigrationError(`${flag} '${entry}': write it as Model.old=new (a field) or Old=New (a model).`);
    out.set(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
  }
  return out;
}

function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** What a field is, apart from its name: what decides whether two fields could be one renamed. */
function shape(field: FieldState): string {
  return canonical({ type: field.type, length: field.length, digits: field.digits, places: field.places, references: field.references?.kind });
}

function modelShape(model: ModelState): string {
  return canonical(model.fields.map((f) => ({ name: f.name, type: shape(f) })).sort((a, b) => (a.name < b.name ? -1 : 1)));
}

function groupKey(group: readonly string[]): string {
  return group.join('\u0000');
}

class Detection {
  readonly ops: Operation[] = [];
  readonly problems: string[] = [];
  private readonly renames: Map<string, string>;
  private readonly drops: Set<string>;
  private readonly fills: Map<string, string>;
  private readonly questioner: Questioner;

  constructor(
    private state: ProjectState,
    private readonly target: ProjectState,
    private readonly app: string,
    options: DetectOptions,
  ) {
    this.renames = parsePairs(options.renames, '--rename');
    this.drops = new Set(options.drops ?? []);
    this.fills = parsePairs(options.fills, '--fill');
    this.questioner = options.questioner ?? NON_INTERACTIVE;
  }

  private push(op: Operation): void {
    this.state = applyOperation(op, this.state, { app: this.app, label: `makemigrations (${op.op})` });
    this.ops.push(op);
  }

  private keys(state: ProjectState): string[] {
    return Object.keys(state.models).filter((k) => appOf(k) === this.app);
  }

  private name(key: string): string {
    return key.slice(key.lastIndexOf('.') + 1);
  }

  async run(): Promise<Operation[]> {
    await this.renamedModels();
    if (this.problems.length > 0) return this.ops;
    const kept = this.keys(this.target).filter((k) => this.state.models[k] !== undefined);
    for (const key of kept) this.modelOptions(key);
    for (const key of kept) await this.renamedFields(key);
    if (this.problems.length > 0) return this.ops;
    for (const key of kept) this.removedGroups(key);
    for (const key of kept) this.removedManyToMany(key);
    for (const key of kept) this.removedFields(key);
    this.deletedModels();
    const deferred = this.createdModels();
    for (const key of kept) await this.addedFields(key);
    for (const [key, field] of deferred.fields) await this.addNewField(key, field, true);
    for (const key of kept) await this.alteredFields(key);
    for (const key of this.keys(this.target)) this.addedManyToMany(key);
    for (const key of this.keys(this.target)) this.addedGroups(key);
    return this.ops;
  }

  private async renamedModels(): Promise<void> {
    const removed = this.keys(this.state).filter((k) => this.target.models[k] === undefined);
    const added = this.keys(this.target).filter((k) => this.state.models[k] === undefined);
    const taken = new Set<string>();
    for (const newKey of added) {
      const newName = this.name(newKey);
      const explicit = removed.find((k) => !taken.has(k) && this.renames.get(this.name(k)) === newName);
      if (explicit !== undefined) {
        taken.add(explicit);
        this.renameModelTo(explicit, newKey);
        continue;
      }
      for (const oldKey of removed) {
        const oldName = this.name(oldKey);
        if (taken.has(oldKey) || this.drops.has(oldName) || modelShape(this.state.models[oldKey]!) !== modelShape(this.target.models[newKey]!)) continue;
        const answer = await this.questioner.renameModel(oldName, newName);
        if (answer === true) {
          taken.add(oldKey);
          this.renameModelTo(oldKey, newKey);
          break;
        }
        if (answer === undefined) {
          this.problems.push(
            `The model ${oldName} is gone and ${newName} is new, with the same fields. If ${oldName} was renamed, pass --rename ${oldName}=${newName} (its table and rows are kept); if ${oldName} is to be dropped with its rows, pass --drop ${oldName}.`,
          );
        }
      }
    }
  }

  private renameModelTo(oldKey: string, newKey: string): void {
    this.push(renameModel({ from: this.name(oldKey), to: this.name(newKey) }));
  }

  private modelOptions(key: string): void {
    const current = this.state.models[key]!;
    const wanted = this.target.models[key]!;
    const table = current.table === wanted.table ? undefined : wanted.table;
    const description = current.description === wanted.description ? undefined : (wanted.description ?? null);
    if (table !== undefined || description !== undefined) this.push(alterModel(compact({ name: this.name(key), table, description })));
  }

  private fieldRename(model: string, from: FieldState): string | undefined {
    const explicit = this.renames.get(`${model}.${from.name}`);
    if (explicit !== undefined) return explicit;
    const relation = from.references?.relation;
    if (relation !== undefined) {
      const renamedRelation = this.renames.get(`${model}.${relation}`);
      if (renamedRelation !== undefined) return `${renamedRelation}Id`;
    }
    return undefined;
  }

  private async renamedFields(key: string): Promise<void> {
    const model = this.name(key);
    const current = this.state.models[key]!;
    const wanted = this.target.models[key]!;
    const removed = current.fields.filter((f) => !wanted.fields.some((w) => w.name === f.name));
    const added = wanted.fields.filter((f) => !current.fields.some((c) => c.name === f.name));
    const taken = new Set<string>();
    for (const from of removed) {
      const explicit = this.fieldRename(model, from);
      if (explicit !== undefined && added.some((a) => a.name === explicit)) {
        taken.add(explicit);
        this.push(renameField({ model, from: from.name, to: explicit }));
        continue;
      }
      if (this.drops.has(`${model}.${from.name}`) || (from.references !== undefined && this.drops.has(`${model}.${from.references.relation}`))) continue;
      const candidates = added.filter((a) => !taken.has(a.name) && shape(a) === shape(from));
      for (const to of candidates) {
        const answer = await this.questioner.renameField(model, from, to);
        if (answer === true) {
          taken.add(to.name);
          this.push(renameField({ model, from: from.name, to: to.name }));
          break;
        }
        if (answer === undefined) {
          this.problems.push(
            `${model}: the field '${from.name}' is gone and '${to.name}' is new, both ${to.fieldType}. If it was renamed, pass --rename ${model}.${from.name}=${to.name} (its values are kept); if '${from.name}' is to be dropped with its values, pass --drop ${model}.${from.name}.`,
          );
          break;
        }
      }
    }
  }

  private removedGroups(key: string): void {
    const model = this.name(key);
    for (const [kind, remove] of [['uniqueTogether', removeUnique], ['indexes', removeIndex]] as const) {
      const wanted = new Set((this.target.models[key]![kind] ?? []).map(groupKey));
      for (const group of this.state.models[key]![kind] ?? []) if (!wanted.has(groupKey(group))) this.push(remove({ model, fields: group }));
    }
  }

  private removedManyToMany(key: string): void {
    const wanted = this.target.models[key]!.manyToMany ?? [];
    for (const m2m of this.state.models[key]!.manyToMany ?? []) {
      if (!wanted.some((w) => w.name === m2m.name)) this.push(removeManyToMany({ model: this.name(key), name: m2m.name }));
    }
  }

  private removedFields(key: string): void {
    const wanted = this.target.models[key]!;
    for (const field of this.state.models[key]!.fields) {
      if (!wanted.fields.some((w) => w.name === field.name)) this.push(removeField({ model: this.name(key), name: field.name }));
    }
  }

  /** Deleted models: keys between them first, then each model after those that point at it. */
  private deletedModels(): void {
    const gone = this.keys(this.state).filter((k) => this.target.models[k] === undefined);
    const isGone = (from: string, ref: string) => gone.includes(modelKey(appOf(from), ref));
    for (const key of gone) {
      const model = this.state.models[key]!;
      for (const m2m of model.manyToMany ?? []) if (isGone(key, m2m.model) && modelKey(this.app, m2m.model) !== key) this.push(removeManyToMany({ model: model.name, name: m2m.name }));
      for (const field of model.fields) {
        if (field.references !== undefined && isGone(key, field.references.model) && modelKey(this.app, field.references.model) !== key) {
          this.push(removeField({ model: model.name, name: field.name }));
        }
      }
    }
    for (const key of gone) this.push(deleteModel({ name: this.name(key) }));
  }

  /** New models, each after the models its keys point at; keys that would point ahead are added afterwards. */
  private createdModels(): { fields: [string, FieldState][] } {
    const fresh = this.keys(this.target).filter((k) => this.state.models[k] === undefined);
    const deferred: [string, FieldState][] = [];
    const pending = new Set(fresh);
    const exists = (from: string, ref: string) => {
      const target = modelKey(appOf(from), ref);
      return target === from || (this.state.models[target] !== undefined && !pending.has(target));
    };
    while (pending.size > 0) {
      const ready = [...pending].find((k) =>
        this.target.models[k]!.fields.every((f) => f.references === undefined || exists(k, f.references.model) || !pending.has(modelKey(appOf(k), f.references.model))),
      );
      const key = ready ?? [...pending][0]!;
      const wanted = this.target.models[key]!;
      const fields = wanted.fields.filter((f) => {
        if (f.references === undefined || exists(key, f.references.model)) return true;
        deferred.push([key, f]);
        return false;
      });
      pending.delete(key);
      const manyToMany = (wanted.manyToMany ?? []).filter((m) => exists(key, m.model));
      const { fields: _fields, manyToMany: _m2m, ...rest } = wanted;
      this.push(createModel(compact({ ...rest, fields, manyToMany: manyToMany.length > 0 ? manyToMany : undefined })));
    }
    return { fields: deferred };
  }

  private async fillFor(model: string, field: FieldState, why: 'new' | 'not null', table: string): Promise<JsonValue | undefined> {
    const explicit = this.fills.get(`${model}.${field.name}`) ?? (field.references !== undefined ? this.fills.get(`${model}.${field.references.relation}`) : undefined);
    if (explicit !== undefined) return parseValue(explicit);
    if (field.default !== undefined && field.default !== null) return field.default;
    const answer = await this.questioner.fill(model, field, why);
    if (answer !== undefined) return answer;
    this.problems.push(
      `${model}.${field.name} is ${why === 'new' ? 'a new NOT NULL field' : 'NOT NULL now'} without a default, so the rows already in '${table}' need a value for it. Give the field a default or null: true, or pass --fill ${model}.${field.name}=<value> (JSON, or text) for the existing rows (run makemigrations in a terminal to be asked instead).`,
    );
    return undefined;
  }

  private needsFill(field: FieldState): boolean {
    return field.null !== true && field.dbDefault !== true && field.generated !== true;
  }

  /** A field for a table that already has rows, or (`fresh`) for one created by this migration, which has none. */
  private async addNewField(key: string, field: FieldState, fresh = false): Promise<void> {
    const model = this.name(key);
    const fill = !fresh && this.needsFill(field) ? await this.fillFor(model, field, 'new', this.state.models[key]!.table) : undefined;
    this.push(addField(compact({ model, field, fill })));
  }

  private async addedFields(key: string): Promise<void> {
    const current = this.state.models[key]!;
    for (const field of this.target.models[key]!.fields) {
      if (!current.fields.some((c) => c.name === field.name)) await this.addNewField(key, field);
    }
  }

  private async alteredFields(key: string): Promise<void> {
    const model = this.name(key);
    const current = this.state.models[key]!;
    for (const field of this.target.models[key]!.fields) {
      const old = current.fields.find((c) => c.name === field.name);
      if (old === undefined || same(old, field)) continue;
      if (old.pk !== field.pk || (old.pk === true && !same({ ...old, description: undefined }, { ...field, description: undefined }))) {
        throw new NotSupportedError(
          `${model}.${field.name}: changing a primary key is not supported by migrations (the keys pointing at it would need changing too). Keep the old key, or add a new model and copy the rows with runSql.`,
        );
      }
      const fill = old.null === true && this.needsFill(field) ? await this.fillFor(model, field, 'not null', current.table) : undefined;
      this.push(alterField(compact({ model, name: field.name, field, fill })));
    }
  }

  private addedManyToMany(key: string): void {
    const current = this.state.models[key]!.manyToMany ?? [];
    for (const m2m of this.target.models[key]!.manyToMany ?? []) {
      const old = current.find((c) => c.name === m2m.name);
      if (old === undefined) this.push(addManyToMany({ model: this.name(key), field: m2m as ManyToManyState }));
      else if (!same(old, m2m)) this.push(alterManyToMany({ model: this.name(key), name: m2m.name, field: m2m }));
    }
  }

  private addedGroups(key: string): void {
    const model = this.name(key);
    for (const [kind, add] of [['uniqueTogether', addUnique], ['indexes', addIndex]] as const) {
      const have = new Set((this.state.models[key]![kind] ?? []).map(groupKey));
      for (const group of this.target.models[key]![kind] ?? []) if (!have.has(groupKey(group))) this.push(add({ model, fields: group }));
    }
  }

  get result(): ProjectState {
    return this.state;
  }
}

/** Two states describe the same models (field order aside). */
export function sameState(a: ProjectState, b: ProjectState, app?: string): boolean {
  const pick = (s: ProjectState) =>
    Object.fromEntries(
      Object.entries(s.models)
        .filter(([k]) => app === undefined || appOf(k) === app)
        .map(([k, m]) => [k, { ...m, fields: [...m.fields].sort((x, y) => (x.name < y.name ? -1 : 1)) }]),
    );
  return same(pick(a), pick(b));
}

/**
 * The operations that take `from` (the migrations' state) to `to` (the models' state) for `app`;
 * a MigrationError lists every question that went unanswered.
 */
export async function detectChanges(from: ProjectState, to: ProjectState, app: string, options: DetectOptions = {}): Promise<Operation[]> {
  const detection = new Detection(from, to, app, options);
  const ops = await detection.run();
  if (detection.problems.length > 0) {
    throw new MigrationError(`makemigrations cannot decide on its own:\n${detection.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  if (!sameState(detection.result, to, app)) {
    throw new MigrationError(`makemigrations produced operations that do not reach the models' state for app '${app}' (a bug in Terrapin; please report it with the models).`);
  }
  return ops;
}
