import type {
  AlterAction,
  AlterTableNode,
  ColumnChange,
  ColumnDef,
  CommentNode,
  ColumnType,
  CountNode,
  CreateIndexNode,
  CreateTableNode,
  DatePartNode,
  DeleteNode,
  DropIndexNode,
  DropTableNode,
  ExplainNode,
  Expr,
  ForeignKeyDef,
  FrameBound,
  FuncNode,
  InsertNode,
  InsertSelectNode,
  JsonPathNode,
  LikeNode,
  LockOptions,
  OrderItem,
  RenameIndexNode,
  SelectColumn,
  SelectNode,
  Statement,
  TableRef,
  TransactionNode,
  UpdateNode,
  WindowFrame,
  WindowNode,
} from './ast.js';
import { NotSupportedError, ParamsError } from '../errors.js';

/** The SQL text of one statement and its bound parameters, in placeholder order. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Escape character for LIKE patterns; '!' needs no escaping in any dialect's string literals. */
export const LIKE_ESCAPE = '!';

export function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (ch) => LIKE_ESCAPE + ch);
}

/** Wraps `value` into a LIKE pattern for the match mode (already escaped). */
export function likePattern(value: string, mode: LikeNode['mode']): string {
  const escaped = escapeLike(value);
  switch (mode) {
    case 'exact':
      return escaped;
    case 'contains':
      return `%${escaped}%`;
    case 'startsWith':
      return `${escaped}%`;
    case 'endsWith':
      return `%${escaped}`;
  }
}

/** Array indexes in a JSON path are written as digits ('tags__0'). */
export const JSON_INDEX = /^\d+$/;

/**
 * A JSON path in the SQL/JSON style SQLite and MySQL share: `$."owner"."tags"[0]`. Keys are quoted,
 * so dots and spaces in them are plain characters; the lookup refuses keys with `"` or `\\` first.
 */
export function jsonPathText(path: readonly string[]): string {
  return `$${path.map((part) => (JSON_INDEX.test(part) ? `[${part}]` : `."${part}"`)).join('')}`;
}

/**
 * The ANSI-ish base compiler. A dialect subclasses it and overrides the few
 * places it differs (quoting, placeholders, types, LIKE, date parts, upserts).
 * The compiler holds no state between calls; `params` is threaded through.
 */
export abstract class SqlCompiler {
  abstract quoteIdent(name: string): string;
  /** The placeholder for the parameter at 1-based position `index`. */
  abstract placeholder(index: number): string;
  abstract columnType(type: ColumnType, def: ColumnDef): string;

  compile(statement: Statement): CompiledQuery {
    const params: unknown[] = [];
    const sql = this.statement(statement, params);
    return { sql, params };
  }

  protected statement(node: Statement, params: unknown[]): string {
    switch (node.kind) {
      case 'select':
        return this.select(node, params);
      case 'count':
        return this.count(node, params);
      case 'insert':
        return this.insert(node, params);
      case 'update':
        return this.update(node, params);
      case 'delete':
        return this.delete(node, params);
      case 'explain':
        return this.explain(node, params);
      case 'createTable':
        return this.createTable(node, params);
      case 'createIndex':
        return this.createIndex(node);
      case 'dropTable':
        return this.dropTable(node);
      case 'comment':
        return this.comment(node);
      case 'addForeignKey':
        return `ALTER TABLE ${this.quoteIdent(node.table)} ADD ${this.foreignKey(node.foreignKey)}`;
      case 'alterTable':
        return this.alterTable(node, params);
      case 'renameTable':
        return `ALTER TABLE ${this.quoteIdent(node.from)} RENAME TO ${this.quoteIdent(node.to)}`;
      case 'renameColumn':
        return `ALTER TABLE ${this.quoteIdent(node.table)} RENAME COLUMN ${this.quoteIdent(node.from)} TO ${this.quoteIdent(node.to)}`;
      case 'dropIndex':
        return this.dropIndex(node);
      case 'renameIndex':
        return this.renameIndex(node);
      case 'renameConstraint':
        return this.renameConstraint(node.table, node.from, node.to);
      case 'renameSequence':
        return this.renameSequence(node.from, node.to);
      case 'insertSelect':
        return this.insertSelect(node, params);
      case 'transaction':
        return this.transaction(node);
    }
  }

  protected param(value: unknown, params: unknown[]): string {
    params.push(value);
    return this.placeholder(params.length);
  }

  protected table(ref: TableRef): string {
    const name = this.quoteIdent(ref.name);
    return ref.alias === undefined || ref.alias === ref.name ? name : `${name} ${this.quoteIdent(ref.alias)}`;
  }

  expr(node: Expr, params: unknown[]): string {
    switch (node.kind) {
      case 'column':
        return node.table === undefined
          ? this.quoteIdent(node.name)
          : `${this.quoteIdent(node.table)}.${this.quoteIdent(node.name)}`;
      case 'param':
        return this.param(node.value, params);
      case 'bool':
        return node.value ? '1=1' : '1=0';
      case 'compare':
        return `${this.expr(node.left, params)} ${node.op} ${this.expr(node.right, params)}`;
      case 'arithmetic':
        // Division has one meaning everywhere: a float, never integer division (7 / 2 is 3.5).
        if (node.op === '/') return `(${this.floatCast(this.expr(node.left, params))} / ${this.expr(node.right, params)})`;
        return `(${this.expr(node.left, params)} ${node.op} ${this.expr(node.right, params)})`;
      case 'and':
        return node.items.length === 0
          ? '1=1'
          : node.items.map((item) => this.wrap(item, params)).join(' AND ');
      case 'or':
        return node.items.length === 0 ? '1=0' : `(${node.items.map((item) => this.wrap(item, params)).join(' OR ')})`;
      case 'not':
        return `NOT ${this.wrap(node.item, params)}`;
      case 'isNull':
        return `${this.expr(node.expr, params)} IS ${node.negated ? 'NOT ' : ''}NULL`;
      case 'in':
        if (node.values.length === 0) return node.negated ? '1=1' : '1=0';
        return `${this.expr(node.expr, params)} ${node.negated ? 'NOT IN' : 'IN'} (${node.values
          .map((value) => this.expr(value, params))
          .join(', ')})`;
      case 'between':
        return `${this.expr(node.expr, params)} BETWEEN ${this.expr(node.low, params)} AND ${this.expr(node.high, params)}`;
      case 'like':
        return this.like(node, params);
      case 'datePart':
        return this.datePart(node, params);
      case 'decimalValue':
        return this.decimalValue(node.expr, params);
      case 'inSelect':
        return `${this.expr(node.expr, params)} IN (${this.subquery(node.select, params)})`;
      case 'case': {
        const whens = node.whens.map((w) => `WHEN ${this.expr(w.when, params)} THEN ${this.expr(w.then, params)}`).join(' ');
        const otherwise = node.else === undefined ? '' : ` ELSE ${this.expr(node.else, params)}`;
        return `CASE ${whens}${otherwise} END`;
      }
      case 'typed':
        return this.typed(node.expr, node.type, params);
      case 'countAll':
        return 'COUNT(*)';
      case 'aggregate': {
        const inner =
          node.filter === undefined
            ? this.expr(node.expr, params)
            : `CASE WHEN ${this.expr(node.filter, params)} THEN ${this.expr(node.expr, params)} END`;
        return `${node.fn}(${node.distinct ? 'DISTINCT ' : ''}${inner})`;
      }
      case 'func':
        return this.func(node.fn, node.args.map((arg) => this.expr(arg, params)));
      case 'subquery':
        return `(${this.select(node.select, params)})`;
      case 'exists':
        return `EXISTS (${this.select(node.select, params)})`;
      case 'window':
        return this.window(node, params);
      case 'raw':
        return this.raw(node.sql, node.params, params);
      case 'jsonPath':
        return this.jsonPath(node, params);
      case 'jsonLiteral':
        return this.jsonLiteral(node.json, params);
      case 'jsonContains':
        return this.jsonContains(node.container, node.candidate, params);
      case 'jsonEquals':
        return this.jsonEquals(node.left, node.right, params);
      case 'definite':
        return `COALESCE(${this.expr(node.item, params)}, ${this.booleanLiteral(false)})`;
    }
  }

  protected window(node: WindowNode, params: unknown[]): string {
    let fn: string;
    if (node.fn === 'aggregate') fn = this.expr(node.expr!, params);
    else if (node.fn === 'LAG' || node.fn === 'LEAD' || node.fn === 'NTH_VALUE') {
      const offset = node.offset ?? 1;
      if (!Number.isInteger(offset) || offset < 0) throw new TypeError(`window offset must be a whole number, got ${offset}`);
      fn = `${node.fn}(${this.expr(node.expr!, params)}, ${offset})`;
    } else if (node.fn === 'FIRST_VALUE' || node.fn === 'LAST_VALUE') fn = `${node.fn}(${this.expr(node.expr!, params)})`;
    else fn = `${node.fn}()`;
    const over: string[] = [];
    if (node.partitionBy.length > 0) over.push(`PARTITION BY ${node.partitionBy.map((e) => this.expr(e, params)).join(', ')}`);
    if (node.orderBy.length > 0) over.push(`ORDER BY ${node.orderBy.map((o) => this.orderItem(o, params)).join(', ')}`);
    if (node.frame !== undefined) over.push(windowFrame(node.frame));
    return `${fn} OVER (${over.join(' ')})`;
  }

  /** JSON is where the backends differ most; each dialect spells these itself. */
  protected abstract jsonPath(node: JsonPathNode, params: unknown[]): string;
  protected abstract jsonLiteral(json: string, params: unknown[]): string;
  protected abstract jsonContains(container: Expr, candidate: Expr, params: unknown[]): string;
  protected abstract jsonEquals(left: Expr, right: Expr, params: unknown[]): string;

  /** Parenthesises compound boolean operands so precedence never depends on the caller. */
  protected wrap(node: Expr, params: unknown[]): string {
    const sql = this.expr(node, params);
    return node.kind === 'and' && node.items.length > 1 ? `(${sql})` : sql;
  }

  protected like(node: LikeNode, params: unknown[]): string {
    const pattern = likePattern(node.value, node.mode);
    const target = this.likeTarget(node, params);
    if (node.caseInsensitive) {
      return `${this.upper(target)} LIKE ${this.upper(this.param(pattern, params))} ESCAPE '${LIKE_ESCAPE}'`;
    }
    return `${target} LIKE ${this.param(pattern, params)} ESCAPE '${LIKE_ESCAPE}'`;
  }

  /**
   * What a pattern is matched against: a text column as it is — a cast around it would hide the
   * column from the planner, which then scans instead of reading an index range for a prefix —
   * and anything else cast to text.
   */
  protected likeTarget(node: LikeNode, params: unknown[]): string {
    const sql = this.expr(node.expr, params);
    return node.storage !== undefined && this.storedAsText(node.storage) ? sql : this.textCast(sql);
  }

  /** Column types this backend stores as text. */
  protected storedAsText(type: ColumnType['type']): boolean {
    return type === 'text' || type === 'varchar';
  }

  protected upper(sql: string): string {
    return `UPPER(${sql})`;
  }

  /** A number as a float, so that dividing it is never integer division. */
  protected floatCast(sql: string): string {
    return `CAST(${sql} AS DOUBLE PRECISION)`;
  }

  /** Text matching on a non-text column (a number, a UUID) casts it first. */
  protected textCast(sql: string): string {
    return `CAST(${sql} AS VARCHAR)`;
  }

  /** Function spellings common to most backends; dialects override where theirs differ. */
  protected func(fn: FuncNode['fn'], args: readonly string[]): string {
    switch (fn) {
      case 'CONCAT':
        return `CONCAT(${args.join(', ')})`;
      case 'RANDOM':
        return 'RANDOM()';
      default:
        return `${fn}(${args.join(', ')})`;
    }
  }

  /** User SQL: each `?` becomes this dialect's placeholder for the next parameter. */
  protected raw(sql: string, values: readonly unknown[], params: unknown[]): string {
    let index = 0;
    const text = sql.replace(/\?/g, () => {
      if (index >= values.length) throw new ParamsError(`Raw SQL has more ? placeholders than parameters (${values.length}); pass one value per ?.`);
      return this.param(values[index++], params);
    });
    if (index !== values.length) throw new ParamsError(`Raw SQL has ${index} ? placeholders but ${values.length} parameters; pass one value per ?.`);
    return text;
  }

  /** A subquery in IN (…); MySQL overrides it to read from a derived table. */
  protected subquery(select: SelectNode, params: unknown[]): string {
    return this.select(select, params);
  }

  /** Most backends infer a parameter's type from its column; PostgreSQL overrides this with a CAST. */
  protected typed(expr: Expr, _type: ColumnType, params: unknown[]): string {
    return this.expr(expr, params);
  }

  protected decimalValue(expr: Expr, params: unknown[]): string {
    return this.expr(expr, params);
  }

  protected datePart(node: DatePartNode, params: unknown[]): string {
    return `EXTRACT(${node.part.toUpperCase()} FROM ${this.expr(node.expr, params)})`;
  }

  /** Rendered select lists of plain columns, by list: the planner reuses one list per model. */
  private readonly columnLists = new WeakMap<readonly SelectColumn[], string>();

  protected select(node: SelectNode, params: unknown[]): string {
    let sql = node.distinct ? 'SELECT DISTINCT ' : 'SELECT ';
    sql += this.columnList(node.columns, params);
    if (node.fromSelect !== undefined) sql += ` FROM (${this.select(node.fromSelect, params)}) ${this.quoteIdent(node.from.name)}`;
    else if (node.rawSource !== undefined) sql += ` FROM (${this.raw(node.rawSource.sql, node.rawSource.params, params)}) ${this.quoteIdent(node.from.name)}`;
    else sql += ` FROM ${this.table(node.from)}`;
    for (const join of node.joins) {
      sql += ` ${join.type === 'inner' ? 'INNER' : 'LEFT OUTER'} JOIN ${this.table(join.table)} ON ${this.expr(join.on, params)}`;
    }
    if (node.where !== undefined) sql += ` WHERE ${this.expr(node.where, params)}`;
    if (node.groupBy.length > 0) sql += ` GROUP BY ${node.groupBy.map((g) => this.expr(g, params)).join(', ')}`;
    if (node.having !== undefined) sql += ` HAVING ${this.expr(node.having, params)}`;
    if (node.orderBy.length > 0) {
      sql += ` ORDER BY ${node.orderBy.map((o) => this.orderItem(o, params)).join(', ')}`;
    }
    sql += this.limitOffset(node.limit, node.offset, params);
    if (node.lock !== undefined) sql += this.lock(node.lock);
    return sql;
  }

  private columnList(columns: readonly SelectColumn[], params: unknown[]): string {
    const cached = this.columnLists.get(columns);
    if (cached !== undefined) return cached;
    const text = columns
      .map((col) => {
        const expr = this.expr(col.expr, params);
        return col.alias === undefined ? expr : `${expr} AS ${this.quoteIdent(col.alias)}`;
      })
      .join(', ');
    // Only lists without parameters can be reused as text.
    if (columns.every((col) => col.expr.kind === 'column')) this.columnLists.set(columns, text);
    return text;
  }

  protected orderItem(item: OrderItem, params: unknown[]): string {
    return `${this.expr(item.expr, params)}${item.desc ? ' DESC' : ' ASC'}`;
  }

  protected limitOffset(limit: number | undefined, offset: number | undefined, params: unknown[]): string {
    let sql = '';
    if (limit !== undefined) sql += ` LIMIT ${this.param(limit, params)}`;
    if (offset !== undefined) sql += ` OFFSET ${this.param(offset, params)}`;
    return sql;
  }

  protected lock(lock: LockOptions): string {
    let sql = lock.share === true ? ' FOR SHARE' : ' FOR UPDATE';
    if (lock.of.length > 0) sql += ` OF ${lock.of.map((t) => this.quoteIdent(t)).join(', ')}`;
    if (lock.nowait) sql += ' NOWAIT';
    if (lock.skipLocked) sql += ' SKIP LOCKED';
    return sql;
  }

  protected count(node: CountNode, params: unknown[]): string {
    return `SELECT COUNT(*) FROM (${this.select(node.inner, params)}) ${this.quoteIdent('_count')}`;
  }

  protected insert(node: InsertNode, params: unknown[]): string {
    const columns = node.columns.map((c) => this.quoteIdent(c)).join(', ');
    const rows = node.rows.map((row) => `(${row.map((value) => this.expr(value, params)).join(', ')})`).join(', ');
    if (node.columns.length === 0 && node.rows.length !== 1) {
      // DEFAULT VALUES inserts one row; compiling several would silently drop the rest.
      throw new TypeError(`an INSERT into ${node.table} with no columns must have exactly one row, got ${node.rows.length}`);
    }
    let sql = `INSERT INTO ${this.quoteIdent(node.table)} `;
    sql += node.columns.length === 0 ? this.insertDefaultValues() : `(${columns}) VALUES ${rows}`;
    sql += this.onConflict(node);
    if (node.returning.length > 0) sql += ` RETURNING ${node.returning.map((c) => this.quoteIdent(c)).join(', ')}`;
    return sql;
  }

  protected insertDefaultValues(): string {
    return 'DEFAULT VALUES';
  }

  protected onConflict(node: InsertNode): string {
    const conflict = node.onConflict;
    if (conflict === undefined) return '';
    if (conflict.action === 'ignore') return ' ON CONFLICT DO NOTHING';
    const target = conflict.target.map((c) => this.quoteIdent(c)).join(', ');
    const set = conflict.update.map((c) => `${this.quoteIdent(c)} = EXCLUDED.${this.quoteIdent(c)}`).join(', ');
    return ` ON CONFLICT (${target}) DO UPDATE SET ${set}`;
  }

  protected update(node: UpdateNode, params: unknown[]): string {
    const set = node.set.map((s) => `${this.quoteIdent(s.column)} = ${this.expr(s.value, params)}`).join(', ');
    let sql = `UPDATE ${this.table(node.table)} SET ${set}`;
    if (node.where !== undefined) sql += ` WHERE ${this.expr(node.where, params)}`;
    return sql;
  }

  protected delete(node: DeleteNode, params: unknown[]): string {
    let sql = `DELETE FROM ${this.table(node.table)}`;
    if (node.where !== undefined) sql += ` WHERE ${this.expr(node.where, params)}`;
    return sql;
  }

  protected explain(node: ExplainNode, params: unknown[]): string {
    return `EXPLAIN ${this.select(node.statement, params)}`;
  }

  protected createTable(node: CreateTableNode, params: unknown[]): string {
    const parts = node.columns.map((col) => this.columnDef(col, params));
    for (const fk of node.foreignKeys ?? []) parts.push(this.foreignKey(fk));
    for (const unique of node.uniqueTogether) {
      parts.push(
        `CONSTRAINT ${this.quoteIdent(unique.name)} UNIQUE (${unique.columns.map((c) => this.quoteIdent(c)).join(', ')})`,
      );
    }
    return `CREATE TABLE ${node.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.quoteIdent(node.table)} (${parts.join(', ')})${this.tableSuffix(node)}`;
  }

  protected foreignKey(fk: ForeignKeyDef): string {
    const columns = fk.columns.map((c) => this.quoteIdent(c)).join(', ');
    const refs = fk.refColumns.map((c) => this.quoteIdent(c)).join(', ');
    return `CONSTRAINT ${this.quoteIdent(fk.name)} FOREIGN KEY (${columns}) REFERENCES ${this.quoteIdent(fk.refTable)} (${refs}) ON DELETE ${fk.onDelete.replace('_', ' ')}`;
  }

  /** Text after the closing parenthesis of CREATE TABLE (engine, charset, comment). */
  protected tableSuffix(_node: CreateTableNode): string {
    return '';
  }

  protected columnDef(col: ColumnDef, _params: unknown[]): string {
    let sql = `${this.quoteIdent(col.name)} ${this.columnType(col.type, col)}`;
    if (col.primaryKey) sql += ' PRIMARY KEY';
    sql += this.autoIncrement(col);
    if (!col.nullable && !col.primaryKey) sql += ' NOT NULL';
    if (col.unique && !col.primaryKey) sql += ' UNIQUE';
    if (col.default !== undefined) sql += ` DEFAULT ${this.literal(col.default.value)}`;
    sql += this.columnComment(col);
    return sql;
  }

  protected autoIncrement(_col: ColumnDef): string {
    return '';
  }

  protected columnComment(_col: ColumnDef): string {
    return '';
  }

  /**
   * DDL cannot bind parameters, so defaults are rendered as literals here and only here:
   * numbers and booleans as themselves, strings through `quoteString`.
   */
  literal(value: unknown): string {
    if (value === null) return 'NULL';
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot render ${value} in DDL`);
      return String(value);
    }
    if (typeof value === 'boolean') return this.booleanLiteral(value);
    if (typeof value === 'string') return this.quoteString(value);
    throw new TypeError(`cannot render a ${typeof value} default in DDL`);
  }

  protected booleanLiteral(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  quoteString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  protected createIndex(node: CreateIndexNode): string {
    const columns = node.columns.map((c) => this.quoteIdent(c)).join(', ');
    return `CREATE ${node.unique ? 'UNIQUE ' : ''}INDEX ${node.ifNotExists ? 'IF NOT EXISTS ' : ''}${this.quoteIdent(node.name)} ON ${this.quoteIdent(node.table)} (${columns})`;
  }

  /** COMMENT ON … IS '…' (PostgreSQL); backends with inline comments never receive this node. */
  protected comment(node: CommentNode): string {
    const target =
      node.column === undefined
        ? `TABLE ${this.quoteIdent(node.table)}`
        : `COLUMN ${this.quoteIdent(node.table)}.${this.quoteIdent(node.column)}`;
    return `COMMENT ON ${target} IS ${node.text === null ? 'NULL' : this.quoteString(node.text)}`;
  }

  protected alterTable(node: AlterTableNode, params: unknown[]): string {
    if (node.actions.length === 0) throw new TypeError(`ALTER TABLE ${node.table} needs at least one action`);
    return `ALTER TABLE ${this.quoteIdent(node.table)} ${node.actions.map((action) => this.alterAction(action, params)).join(', ')}`;
  }

  /** One ALTER TABLE clause, in the PostgreSQL spelling most backends share. */
  protected alterAction(action: AlterAction, params: unknown[]): string {
    switch (action.kind) {
      case 'addColumn':
        return `ADD COLUMN ${this.columnDef(action.column, params)}`;
      case 'dropColumn':
        return `DROP COLUMN ${this.quoteIdent(action.column)}`;
      case 'alterColumn':
        return this.alterColumn(action.column, action.changes);
      case 'addUnique': {
        const name = action.name === undefined ? '' : `CONSTRAINT ${this.quoteIdent(action.name)} `;
        return `ADD ${name}UNIQUE (${action.columns.map((c) => this.quoteIdent(c)).join(', ')})`;
      }
      case 'addForeignKey':
        return `ADD ${this.foreignKey(action.foreignKey)}`;
      case 'dropConstraint':
        return `DROP CONSTRAINT ${this.quoteIdent(action.name)}`;
      case 'tableComment':
        throw new NotSupportedError('this backend sets table comments with COMMENT ON, not ALTER TABLE');
    }
  }

  /** ALTER COLUMN clauses, one per change; comments go through COMMENT ON (`comment` nodes). */
  protected alterColumn(col: ColumnDef, changes: readonly ColumnChange[]): string {
    const name = this.quoteIdent(col.name);
    const clauses: string[] = [];
    if (changes.includes('type')) {
      const type = this.columnType(col.type, { ...col, autoIncrement: false });
      clauses.push(`ALTER COLUMN ${name} TYPE ${type} USING ${name}::${type}`);
    }
    if (changes.includes('nullable')) clauses.push(`ALTER COLUMN ${name} ${col.nullable ? 'DROP' : 'SET'} NOT NULL`);
    if (changes.includes('default')) {
      clauses.push(col.default === undefined ? `ALTER COLUMN ${name} DROP DEFAULT` : `ALTER COLUMN ${name} SET DEFAULT ${this.literal(col.default.value)}`);
    }
    if (clauses.length === 0) throw new TypeError(`ALTER COLUMN ${col.name} with nothing to change (${changes.join(', ')})`);
    return clauses.join(', ');
  }

  protected dropIndex(node: DropIndexNode): string {
    return `DROP INDEX ${this.quoteIdent(node.name)}`;
  }

  protected renameIndex(node: RenameIndexNode): string {
    return `ALTER INDEX ${this.quoteIdent(node.from)} RENAME TO ${this.quoteIdent(node.to)}`;
  }

  protected renameConstraint(table: string, from: string, to: string): string {
    return `ALTER TABLE ${this.quoteIdent(table)} RENAME CONSTRAINT ${this.quoteIdent(from)} TO ${this.quoteIdent(to)}`;
  }

  protected renameSequence(from: string, to: string): string {
    return `ALTER SEQUENCE ${this.quoteIdent(from)} RENAME TO ${this.quoteIdent(to)}`;
  }

  protected insertSelect(node: InsertSelectNode, params: unknown[]): string {
    return `INSERT INTO ${this.quoteIdent(node.table)} (${node.columns.map((c) => this.quoteIdent(c)).join(', ')}) ${this.select(node.select, params)}`;
  }

  protected dropTable(node: DropTableNode): string {
    return `DROP TABLE ${node.ifExists ? 'IF EXISTS ' : ''}${this.quoteIdent(node.table)}`;
  }

  protected transaction(node: TransactionNode): string {
    const savepoint = node.savepoint === undefined ? '' : this.quoteIdent(node.savepoint);
    switch (node.action) {
      case 'begin':
        return `${node.isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${node.isolation}`}${node.readOnly === true ? ' READ ONLY' : ''}`;
      case 'setIsolation':
        return `SET TRANSACTION ISOLATION LEVEL ${node.isolation ?? 'SERIALIZABLE'}`;
      case 'commit':
        return 'COMMIT';
      case 'rollback':
        return 'ROLLBACK';
      case 'savepoint':
        return `SAVEPOINT ${savepoint}`;
      case 'releaseSavepoint':
        return `RELEASE SAVEPOINT ${savepoint}`;
      case 'rollbackToSavepoint':
        return `ROLLBACK TO SAVEPOINT ${savepoint}`;
    }
  }
}

/** `ROWS BETWEEN 2 PRECEDING AND CURRENT ROW`: the bounds are whole numbers (checked by Window), written as literals. */
export function windowFrame(frame: WindowFrame): string {
  const bound = (value: FrameBound, unbounded: string): string => {
    if (value === null) return unbounded;
    if (!Number.isSafeInteger(value)) throw new TypeError(`window frame bound must be a whole number or null, got ${String(value)}`);
    if (value === 0) return 'CURRENT ROW';
    return value < 0 ? `${-value} PRECEDING` : `${value} FOLLOWING`;
  };
  return `${frame.type.toUpperCase()} BETWEEN ${bound(frame.start, 'UNBOUNDED PRECEDING')} AND ${bound(frame.end, 'UNBOUNDED FOLLOWING')}`;
}

/** Doubles the quote character inside an identifier and wraps it. */
export function quoteWith(quote: string, name: string): string {
  return name.includes(quote) ? quote + name.split(quote).join(quote + quote) + quote : quote + name + quote;
}
