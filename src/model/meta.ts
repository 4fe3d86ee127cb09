import { ConfigurationError, FieldError } from '../errors.js';
import type { Field } from '../fields/base.js';
import type { ModelBinding } from '../execution/runtime.js';
import type { Relation } from './relations.js';
import { IndexSpec } from './index-spec.js';

/** `static meta = { … }` on a model class: Tortoise's `class Meta`. */
export interface ModelOptions {
  /** Table name; defaults to the lower-cased class name, as in Tortoise. */
  table?: string;
  /** No table; subclasses inherit the fields. */
  abstract?: boolean;
  /** Groups of fields that must be unique together: `[['a', 'b']]` (a single flat list is one group). */
  uniqueTogether?: readonly (readonly string[])[] | readonly string[];
  /** Groups of fields to index together: `[['lastName', 'firstName']]` or `[Index({ fields: [...] })]`. */
  indexes?: readonly (readonly string[] | IndexSpec)[];
  /** Default ordering, e.g. `['-createdAt', 'name']`. */
  ordering?: readonly string[];
  tableDescription?: string;
  /** App label this model belongs to. */
  app?: string;
  /**
   * The default QuerySet of the class shortcuts (`all`, `filter`, `get`, …), as Tortoise's
   * Meta.manager: `{ getQueryset: (qs) => qs.filter({ deleted: false }) }`.
   */
  manager?: Manager;
}

/** Every ModelOptions key, for the unknown-option check. */
export const MODEL_OPTIONS: readonly string[] = [
  'table', 'abstract', 'uniqueTogether', 'indexes', 'ordering', 'tableDescription', 'app', 'manager',
];

/** Supplies a model's default QuerySet. */
export interface Manager {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the QuerySet's model is the model the manager is declared on
  getQueryset(all: any): unknown;
}

/** A model class as the registry sees it. */
export interface ModelClassLike {
  new (): object;
  readonly name: string;
  meta?: ModelOptions;
}

export interface OrderSpec {
  readonly field: Field;
  readonly desc: boolean;
  /** Relations to follow first (`orderBy('author__name')`); empty for the model's own fields. */
  readonly path: readonly Relation[];
  /** Set when ordering by an annotation (then `field` only decides decimal handling). */
  readonly annotation?: { readonly name: string };
}

const META = Symbol('terrapin.meta');

/**
 * Everything Terrapin knows about one model, computed once when it is registered:
 * fields in declaration order, lookup tables, default ordering. Frozen after build.
 */
export class ModelMeta {
  readonly fields: readonly Field[];
  readonly fieldsByName: ReadonlyMap<string, Field>;
  readonly fieldsByColumn: ReadonlyMap<string, Field>;
  readonly pk: Field;
  readonly ordering: readonly OrderSpec[];
  readonly uniqueTogether: readonly (readonly Field[])[];
  readonly indexes: readonly (readonly Field[])[];
  /** True when any field reads 64-bit integers (SQLite must then read safe integers). */
  readonly hasBigInt: boolean;
  /** Fields filled by the database on insert (auto-increment pk). */
  readonly generatedFields: readonly Field[];
  /** Meta.tableDescription: the table comment. */
  readonly description: string | undefined;
  /** Meta.manager, if any. */
  readonly manager: Manager | undefined;
  /** Relations by name (forward, reverse and many-to-many), added while Terrapin.init resolves them. */
  readonly relations = new Map<string, Relation>();
  /** Set by `Terrapin.init`: the instance and connection this model runs on. */
  binding: ModelBinding | undefined;

  constructor(
    readonly cls: ModelClassLike,
    readonly name: string,
    readonly table: string,
    fields: Field[],
    options: ModelOptions,
    readonly app: string,
  ) {
    this.fields = fields;
    this.fieldsByName = new Map(fields.map((f) => [f.name, f]));
    this.fieldsByColumn = new Map(fields.map((f) => [f.column, f]));
    this.pk = fields.find((f) => f.pk)!;
    this.hasBigInt = fields.some((f) => f.kind === 'bigint');
    this.generatedFields = fields.filter((f) => f.generated);
    this.ordering = (options.ordering ?? []).map((spec) => {
      const desc = spec.startsWith('-');
      return { field: this.field(desc ? spec.slice(1) : spec, 'Meta.ordering'), desc, path: [] };
    });
    const together = options.uniqueTogether ?? [];
    const groups = (together.length > 0 && typeof together[0] === 'string' ? [together] : together) as readonly (readonly string[])[];
    this.uniqueTogether = groups.map((group) => group.map((name) => this.field(name, 'Meta.uniqueTogether')));
    this.indexes = (options.indexes ?? []).map((group) => {
      const names = group instanceof IndexSpec ? group.fields : group;
      if (!Array.isArray(names)) {
        throw new ConfigurationError(`${name}: Meta.indexes takes lists of field names or Index({ fields }) objects, got ${JSON.stringify(group)}.`);
      }
      return names.map((field) => this.field(field, 'Meta.indexes'));
    });
    this.binding = undefined;
    this.description = options.tableDescription;
    this.manager = options.manager;
  }

  /** The instance and connection this model runs on, or a ConfigurationError saying what to call. */
  bound(): ModelBinding {
    if (this.binding === undefined) throw notInitialised(this.name);
    return this.binding;
  }

  /** Names a user may write: field names plus 'pk'. */
  get fieldNames(): string[] {
    return [...this.fieldsByName.keys()];
  }

  /** Relation names a user may write (hidden internal ones excluded). */
  get relationNames(): string[] {
    return [...this.relations.values()].filter((r) => !(r.kind === 'm2m' && r.hidden)).map((r) => r.name);
  }

  /** The field called `name` ('pk' is the primary key), or a FieldError listing the valid names. */
  field(name: string, where: string): Field {
    const field = name === 'pk' ? this.pk : this.fieldsByName.get(name);
    if (field === undefined) {
      const relation = this.relations.get(name);
      const hint = relation === undefined ? '' : ` '${name}' is a relation; name a field of ${relation.target.name} with '${name}__<field>'.`;
      const relations = this.relationNames;
      throw new FieldError(
        `${this.name} has no field '${name}' (in ${where}).${hint} Valid fields: ${this.fieldNames.join(', ')}, pk${relations.length > 0 ? `; relations: ${relations.join(', ')}` : ''}.`,
      );
    }
    return field;
  }

  /** The relation called `name`, or a FieldError listing the model's relations. */
  relation(name: string, where: string): Relation {
    const relation = this.relations.get(name);
    if (relation === undefined) {
      const relations = this.relationNames;
      throw new FieldError(
        `${this.name} has no relation '${name}' (in ${where}). Relations: ${relations.length > 0 ? relations.join(', ') : 'none'}.`,
      );
    }
    return relation;
  }
}

export function notInitialised(modelName: string): ConfigurationError {
  return new ConfigurationError(
    `${modelName} is not registered with Terrapin. Call await Terrapin.init({ dbUrl: 'sqlite://db.sqlite3', modules: { models: [<the module that defines ${modelName}>] } }) before using it, and list the module that defines ${modelName} in modules.`,
  );
}

function isAbstract(cls: ModelClassLike): boolean {
  return Object.hasOwn(cls, 'meta') && cls.meta?.abstract === true;
}

/** Attaches metadata to its class (own property, so subclasses never inherit a parent's). */
export function bindMeta(cls: ModelClassLike, meta: unknown): void {
  Object.defineProperty(cls, META, { value: meta, configurable: true, enumerable: false, writable: true });
}

export function boundMeta<T>(cls: ModelClassLike): T | undefined {
  return Object.hasOwn(cls, META) ? ((cls as unknown as Record<symbol, T>)[META]) : undefined;
}

export function unbindMeta(cls: ModelClassLike): void {
  delete (cls as unknown as Record<symbol, unknown>)[META];
}

export { isAbstract };
