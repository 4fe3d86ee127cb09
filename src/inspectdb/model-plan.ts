/**
 * What inspectdb writes, decided before any text: one class per table (a many-to-many through
 * table becomes a ManyToManyField instead), its members in column order with their options, the
 * reverse relations other tables point at it with, its meta, and the notes for the reader.
 */
import type { ColumnField, ColumnFieldFactory } from '../schema/column-field.js';
import type { LiveColumn, LiveForeignKey, LiveSchema, LiveTable } from '../schema/live-schema.js';
import { mappedDefault } from './defaults.js';
import { className, lowerFirst, memberName, NameScope, plural, relationName, upperFirst } from './names.js';
import { nameGroups, quote, type Entries } from './source-text.js';
import { throughTables, type Through } from './through-tables.js';

export interface MemberPlan {
  readonly name: string;
  /** `fields.IntField`, or `fields.ForeignKeyField(() => Author` for relations (the writer adds the options). */
  readonly call: string;
  readonly options: Entries;
  /** Comment lines above the member (without `//`). */
  readonly comments: readonly string[];
  /** `declare authorId: number` after a relation. */
  readonly declare?: string;
}

export interface ModelPlan {
  readonly className: string;
  readonly table: string;
  readonly members: MemberPlan[];
  /** `declare books: ReverseRelation<Book>` lines. */
  readonly reverse: string[];
  readonly meta: [string, string][];
  /** Comment lines above the class. */
  readonly comments: string[];
  readonly scope: NameScope;
  /** Member name by column (a relation's column maps to its `<name>Id`). */
  readonly byColumn: Map<string, string>;
  readonly live: LiveTable;
}

const INTEGER_FACTORIES: ReadonlySet<ColumnFieldFactory> = new Set(['IntField', 'SmallIntField', 'BigIntField']);
/** Fields that refuse unique and index (their columns cannot be keyed on every backend). */
const UNINDEXABLE: ReadonlySet<ColumnFieldFactory> = new Set(['TextField', 'JSONField', 'BinaryField']);

const TS_TYPES: Record<ColumnFieldFactory, string> = {
  IntField: 'number',
  SmallIntField: 'number',
  BigIntField: 'bigint',
  FloatField: 'number',
  DecimalField: 'string',
  CharField: 'string',
  TextField: 'string',
  UUIDField: 'string',
  BooleanField: 'boolean',
  DatetimeField: 'Date',
  DateField: 'string',
  TimeField: 'string',
  JSONField: 'unknown',
  BinaryField: 'Buffer',
};

const plain = (part: string): boolean => !/[ ()]/.test(part);
const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.join('\u0000') === b.join('\u0000');

interface Relation {
  readonly column: LiveColumn;
  readonly key: LiveForeignKey;
  readonly target: ModelPlan;
  readonly toField: string | undefined;
  readonly oneToOne: boolean;
}

class Planner {
  private readonly plans = new Map<string, ModelPlan>();
  private readonly relations = new Map<ModelPlan, Relation[]>();
  private readonly throughs: Through[];

  /** Primary keys written wider than their own type says (see widenKeys). */
  private readonly widened = new Map<LiveColumn, ColumnField>();

  constructor(
    private readonly schema: LiveSchema,
    private readonly mapColumn: (column: LiveColumn) => ColumnField,
  ) {
    this.throughs = throughTables(schema.tables);
    const classes = NameScope.classes();
    for (const table of schema.tables) {
      if (this.throughs.some((t) => t.table === table)) continue;
      this.plans.set(table.name, {
        className: classes.take(className(table.name), 'Model'),
        table: table.name,
        members: [],
        reverse: [],
        meta: [['table', quote(table.name)]],
        comments: [],
        scope: NameScope.members(),
        byColumn: new Map(),
        live: table,
      });
    }
  }

  private columnField(column: LiveColumn): ColumnField {
    return this.widened.get(column) ?? this.mapColumn(column);
  }

  /**
   * A generated integer key whose own type does not give its width (SQLite's INTEGER rowid) is
   * written as a BigIntField when the keys pointing at it are BIGINT: a key column copies its
   * target's type, so that is what recreates both.
   */
  private widenKeys(): void {
    for (const table of this.schema.tables) {
      for (const key of table.foreignKeys) {
        const target = this.plans.get(key.refTable)?.live;
        const column = table.columns.find((c) => c.name === key.columns[0]);
        const targetColumn = target?.columns.find((c) => c.name === key.refColumns[0]);
        if (key.columns.length !== 1 || column === undefined || targetColumn === undefined || !targetColumn.primaryKey) continue;
        const theirs = this.mapColumn(targetColumn);
        const generated = targetColumn.autoIncrement || theirs.filled === true;
        if (generated && theirs.factory === 'IntField' && this.mapColumn(column).factory === 'BigIntField') {
          this.widened.set(targetColumn, { ...theirs, factory: 'BigIntField' });
        }
      }
    }
  }

  run(): ModelPlan[] {
    const plans = [...this.plans.values()];
    this.widenKeys();
    for (const plan of plans) this.nameMembers(plan);
    for (const plan of plans) this.writeMembers(plan);
    for (const through of this.throughs) this.manyToMany(through);
    for (const plan of plans) this.reverseNames(plan);
    for (const plan of plans) this.writeMeta(plan);
    return plans;
  }

  private singleUnique(table: LiveTable, column: string): 'constraint' | 'index' | undefined {
    if (table.uniques.some((u) => sameColumns(u.columns, [column]))) return 'constraint';
    if (table.indexes.some((i) => i.unique && sameColumns(i.columns, [column]))) return 'index';
    return undefined;
  }

  private plainIndexes(table: LiveTable, column: string): number {
    return table.indexes.filter((i) => !i.unique && sameColumns(i.columns, [column])).length;
  }

  /** The primary key column Terrapin will use; notes when the table's own key is not one column. */
  private pkColumn(plan: ModelPlan): string | undefined {
    const table = plan.live;
    if (table.primaryKey.length === 1) return table.primaryKey[0];
    if (table.primaryKey.length > 1) {
      plan.comments.push(`FIXME inspectdb: the primary key (${table.primaryKey.join(', ')}) has several columns; Terrapin models one, so ${table.primaryKey[0]} is marked pk.`);
      return table.primaryKey[0];
    }
    const keyable = (c: LiveColumn) => !UNINDEXABLE.has(this.columnField(c).factory);
    const unique = table.columns.find((c) => !c.nullable && keyable(c) && this.singleUnique(table, c.name) !== undefined);
    const chosen = unique ?? table.columns.find(keyable) ?? table.columns[0];
    plan.comments.push(
      chosen === undefined
        ? 'FIXME inspectdb: the table has no columns and no primary key.'
        : `FIXME inspectdb: the table has no primary key; Terrapin needs one, so ${chosen.name} is marked pk${unique === undefined ? ' (it is not even unique)' : ''}.`,
    );
    return chosen?.name;
  }

  /** The single-column key this column can be a relation field for, or undefined (with a note where it cannot). */
  private relationOf(plan: ModelPlan, column: LiveColumn, pk: string | undefined): Relation | undefined {
    const keys = plan.live.foreignKeys.filter((k) => k.columns.includes(column.name));
    const key = keys.find((k) => k.columns.length === 1);
    for (const other of keys) {
      if (other.columns.length > 1 && other.columns[0] === column.name) {
        plan.comments.push(`note: (${other.columns.join(', ')}) → ${other.refTable}(${other.refColumns.join(', ')}) is a composite foreign key, which Terrapin does not model; its columns are plain fields.`);
      }
    }
    if (key === undefined) return undefined;
    const why = (reason: string): undefined => {
      plan.comments.push(`note: ${column.name} → ${key.refTable}(${key.refColumns.join(', ')}) is a plain field: ${reason}.`);
      return undefined;
    };
    const target = this.plans.get(key.refTable);
    if (target === undefined) return why(`${key.refTable} is not among the inspected tables`);
    if (column.name === pk) return why('the column is also the primary key');
    if (key.onDelete === 'SET_NULL' && !column.nullable) return why('its ON DELETE SET NULL needs a nullable column');
    const refColumn = key.refColumns[0]!;
    let toField: string | undefined;
    if (refColumn !== this.pkOf(target)) {
      if (this.singleUnique(target.live, refColumn) === undefined) return why(`${key.refTable}.${refColumn} is neither its primary key nor unique`);
      toField = refColumn;
    }
    const oneToOne = this.singleUnique(plan.live, column.name) !== undefined;
    return { column, key, target, toField, oneToOne };
  }

  private readonly pks = new Map<ModelPlan, string | undefined>();

  private pkOf(plan: ModelPlan): string | undefined {
    if (!this.pks.has(plan)) this.pks.set(plan, this.pkColumn(plan));
    return this.pks.get(plan);
  }

  /** Plain fields take their column's name first; relations then take theirs, with the `<name>Id` member kept free. */
  private nameMembers(plan: ModelPlan): void {
    const pk = this.pkOf(plan);
    const relations: Relation[] = [];
    for (const column of plan.live.columns) {
      const relation = this.relationOf(plan, column, pk);
      if (relation === undefined) plan.byColumn.set(column.name, plan.scope.take(memberName(column.name), 'Field'));
      else relations.push(relation);
    }
    this.relations.set(plan, relations);
    for (const relation of relations) {
      const name = plan.scope.take(relationName(relation.column.name), 'Rel', (n) => !plan.scope.has(`${n}Id`));
      plan.scope.reserve(`${name}Id`);
      plan.byColumn.set(relation.column.name, `${name}Id`);
    }
  }

  private writeMembers(plan: ModelPlan): void {
    const pk = this.pkOf(plan);
    const relations = this.relations.get(plan)!;
    for (const column of plan.live.columns) {
      const relation = relations.find((r) => r.column === column);
      plan.members.push(relation === undefined ? this.fieldMember(plan, column, column.name === pk) : this.relationMember(plan, relation));
    }
  }

  private fieldMember(plan: ModelPlan, column: LiveColumn, pk: boolean): MemberPlan {
    const table = plan.live;
    let mapped = this.columnField(column);
    const name = plan.byColumn.get(column.name)!;
    const comments: string[] = [];
    if (pk && UNINDEXABLE.has(mapped.factory)) {
      comments.push(`note: the primary key ${column.name} is ${column.type}; a ${mapped.factory} cannot be a key, so it is a CharField (varchar(255)).`);
      mapped = { factory: 'CharField', options: { maxLength: 255 } };
    }
    if (mapped.note !== undefined) comments.push(mapped.unmapped === true ? `FIXME inspectdb: ${mapped.note}; ${mapped.factory} is a placeholder.` : `note: ${mapped.note}.`);
    const options: [string, string][] = [];
    for (const [key, value] of Object.entries(mapped.options ?? {})) options.push([key, String(value)]);
    const integer = INTEGER_FACTORIES.has(mapped.factory);
    const filled = column.autoIncrement || mapped.filled === true;
    if (pk) {
      options.push(['pk', 'true']);
      if (integer && !filled) options.push(['generated', 'false']);
    } else if (filled) {
      if (integer) options.push(['generated', 'true']);
      else comments.push(`note: the database fills ${column.name}, which ${mapped.factory} cannot be told.`);
    }
    if (!pk && column.nullable) options.push(['null', 'true']);
    const keyable = !UNINDEXABLE.has(mapped.factory);
    const unique = pk ? undefined : this.singleUnique(table, column.name);
    if (unique !== undefined && !keyable) {
      comments.push(`note: ${column.name} is unique in the database, which a ${mapped.factory} cannot declare; a CharField with maxLength can.`);
    } else if (unique !== undefined) {
      options.push(['unique', 'true']);
      if (unique === 'index') comments.push(`note: was a UNIQUE INDEX; unique: true writes a UNIQUE constraint.`);
    }
    const indexes = this.plainIndexes(table, column.name);
    if (indexes > 0 && !keyable) comments.push(`note: ${column.name} is indexed in the database, which a ${mapped.factory} cannot declare.`);
    else if (indexes > 0 && !pk && unique === undefined) options.push(['index', 'true']);
    if (indexes > (pk || unique !== undefined ? 0 : 1)) comments.push(`note: ${column.name} has ${indexes} more plain index(es) than Terrapin writes for this field.`);
    if (column.default !== null && !filled) {
      const value = mappedDefault(mapped.factory, column.default);
      if (value.source !== undefined) options.push(['default', value.source]);
      else comments.push(`note: ${value.note}.`);
    }
    if (column.comment !== null) options.push(['description', quote(column.comment)]);
    if (name !== column.name) options.push(['sourceField', quote(column.name)]);
    return { name, call: `fields.${mapped.factory}`, options, comments };
  }

  private relationMember(plan: ModelPlan, relation: Relation): MemberPlan {
    const { column, key, target, toField, oneToOne } = relation;
    const idName = plan.byColumn.get(column.name)!;
    const name = idName.slice(0, -2);
    const comments: string[] = [];
    const options: [string, string][] = [['relatedName', '']];
    if (toField !== undefined) options.push(['toField', quote(target.byColumn.get(toField)!)]);
    if (column.nullable) options.push(['null', 'true']);
    if (key.onDelete !== 'CASCADE') options.push(['onDelete', quote(key.onDelete)]);
    const indexes = this.plainIndexes(plan.live, column.name);
    if (!oneToOne && indexes === 0) options.push(['index', 'false']);
    if (indexes > (oneToOne ? 0 : 1)) comments.push(`note: ${column.name} has more plain indexes than Terrapin writes for this key.`);
    if (this.singleUnique(plan.live, column.name) === 'index') comments.push('note: was a UNIQUE INDEX; a OneToOneField writes a UNIQUE constraint.');
    if (column.comment !== null) options.push(['description', quote(column.comment)]);
    if (idName !== column.name) options.push(['sourceField', quote(column.name)]);
    if (column.default !== null) comments.push(`note: the database default ${column.default} is not mapped (a key field has no default).`);
    if (key.onUpdate !== 'NO_ACTION' && key.onUpdate !== 'RESTRICT') comments.push(`note: ON UPDATE ${key.onUpdate.replace('_', ' ')} is not modelled.`);
    const targetColumn = target.live.columns.find((c) => c.name === key.refColumns[0])!;
    const own = this.columnField(column);
    const theirs = this.columnField(targetColumn);
    if (own.factory !== theirs.factory || JSON.stringify(own.options ?? {}) !== JSON.stringify(theirs.options ?? {})) {
      comments.push(`note: ${column.name} is ${column.type}; the key field writes the type of ${target.table}.${targetColumn.name} (${targetColumn.type}).`);
    }
    const type = `${TS_TYPES[theirs.factory]}${column.nullable ? ' | null' : ''}`;
    const factory = oneToOne ? 'OneToOneField' : 'ForeignKeyField';
    return { name, call: `fields.${factory}(() => ${target.className}`, options, comments, declare: `${idName}: ${type}` };
  }

  private manyToMany(through: Through): void {
    const owner = this.plans.get(through.backward.refTable)!;
    const target = this.plans.get(through.forward.refTable)!;
    const [backwardKey, forwardKey] = [through.backward.columns[0]!, through.forward.columns[0]!];
    const name = owner.scope.take(plural(relationName(forwardKey)), 'Rel');
    const comments: string[] = [];
    const table = through.table;
    const unique = table.uniques.some((u) => sameColumns(u.columns, [backwardKey, forwardKey]));
    const expectedIndexes = table.indexes.length === 1 && !table.indexes[0]!.unique && sameColumns(table.indexes[0]!.columns, [forwardKey]);
    if (table.uniques.length !== (unique ? 1 : 0) || !expectedIndexes) {
      comments.push(
        `note: ${table.name}'s indexes differ from the through table Terrapin writes: ${unique ? `a unique (${backwardKey}, ${forwardKey}) and ` : ''}an index on ${forwardKey}.`,
      );
    }
    const options: [string, string][] = [
      ['through', quote(table.name)],
      ['forwardKey', quote(forwardKey)],
      ['backwardKey', quote(backwardKey)],
      ['relatedName', ''],
    ];
    if (through.backward.onDelete !== 'CASCADE') options.push(['onDelete', quote(through.backward.onDelete)]);
    if (!unique) options.push(['createUniqueIndex', 'false']);
    owner.members.push({ name, call: `fields.ManyToManyField(() => ${target.className}`, options, comments });
    this.m2m.push({ owner, target, name, backwardKey });
  }

  private readonly m2m: { owner: ModelPlan; target: ModelPlan; name: string; backwardKey: string }[] = [];

  /** Reverse names go last, so that they never take a name one of the target's own members needs. */
  private reverseNames(plan: ModelPlan): void {
    const relations = this.relations.get(plan)!;
    for (const relation of relations) {
      const member = plan.members.find((m) => m.name === plan.byColumn.get(relation.column.name)!.slice(0, -2))!;
      // Several keys to one model, or a key to its own model, say which key in the reverse name.
      const several = relation.target === plan || relations.filter((r) => r.target === relation.target).length > 1;
      const base = lowerFirst(plan.className) + (several ? upperFirst(member.name) : '');
      const wanted = relation.oneToOne ? base : plural(base);
      const reverse = relation.target.scope.take(wanted, 'Rel');
      setRelatedName(member, reverse);
      relation.target.reverse.push(`${reverse}: ${relation.oneToOne ? 'ReverseOneToOne' : 'ReverseRelation'}<${plan.className}>`);
    }
    for (const link of this.m2m.filter((l) => l.owner === plan)) {
      const member = plan.members.find((m) => m.name === link.name)!;
      const reverse = link.target.scope.take(plural(relationName(link.backwardKey)), 'Rel');
      setRelatedName(member, reverse);
      link.target.reverse.push(`${reverse}: ManyToManyRelation<${plan.className}>`);
    }
  }

  private writeMeta(plan: ModelPlan): void {
    const table = plan.live;
    if (table.comment !== null) plan.meta.push(['tableDescription', quote(table.comment)]);
    const groups = (entries: readonly { columns: readonly string[] }[], what: string): string[][] => {
      const result: string[][] = [];
      for (const entry of entries) {
        if (entry.columns.length < 2) continue;
        if (!entry.columns.every(plain) || !entry.columns.every((c) => plan.byColumn.has(c))) {
          plan.comments.push(`note: the ${what} (${entry.columns.join(', ')}) is not modelled: Terrapin indexes plain columns only.`);
          continue;
        }
        result.push(entry.columns.map((c) => plan.byColumn.get(c)!));
      }
      return result;
    };
    const uniqueIndexes = table.indexes.filter((i) => i.unique && i.columns.length > 1);
    for (const index of uniqueIndexes) plan.comments.push(`note: ${index.name} was a UNIQUE INDEX; uniqueTogether writes a UNIQUE constraint.`);
    const together = groups([...table.uniques, ...uniqueIndexes], 'unique key');
    if (together.length > 0) plan.meta.push(['uniqueTogether', nameGroups(together)]);
    const indexes = groups(table.indexes.filter((i) => !i.unique), 'index');
    if (indexes.length > 0) plan.meta.push(['indexes', nameGroups(indexes)]);
    for (const index of table.indexes.filter((i) => i.columns.length === 1 && !plain(i.columns[0]!))) {
      plan.comments.push(`note: the index ${index.name} (${index.columns[0]}) is not modelled: Terrapin indexes plain columns only.`);
    }
  }
}

/** Fills the relatedName entry that was left empty until every target's names were known. */
function setRelatedName(member: MemberPlan, name: string): void {
  const entry = (member.options as [string, string][]).find((e) => e[0] === 'relatedName')!;
  entry[1] = quote(name);
}

/** The classes inspectdb writes for the tables of `schema`, with the field each column maps to. */
export function modelPlans(schema: LiveSchema, columnField: (column: LiveColumn) => ColumnField): ModelPlan[] {
  return new Planner(schema, columnField).run();
}
