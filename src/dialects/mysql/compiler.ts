import type {
  AlterAction,
  ColumnChange,
  ColumnDef,
  ColumnType,
  CreateTableNode,
  DatePartNode,
  DropIndexNode,
  Expr,
  ExplainNode,
  FuncNode,
  InsertNode,
  JsonPathNode,
  LockOptions,
  RenameIndexNode,
  SelectNode,
} from '../../sql/ast.js';
import { jsonPathText, quoteWith, SqlCompiler } from '../../sql/compiler.js';
import { NotSupportedError } from '../../errors.js';

/** The largest LIMIT MySQL accepts: its documented way to say "no limit" before an OFFSET. */
const NO_LIMIT = '18446744073709551615';

export class MysqlCompiler extends SqlCompiler {
  /**
   * @param collation a binary, NO PAD collation: case-sensitive `=` and LIKE, trailing spaces
   * significant, as on the other backends. MariaDB calls it utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin.
   */
  constructor(
    private readonly collation: string,
    /** MySQL 8 has SELECT … FOR UPDATE OF t; MariaDB does not. */
    private readonly lockOf: boolean,
    /**
     * How two JSON values are compared: MySQL 8 compares JSON-typed values with `=`, MariaDB ≥ 10.7
     * has JSON_EQUALS, and older MariaDB only containment both ways (which ignores array order).
     */
    private readonly jsonEquality: 'cast' | 'json-equals' | 'mutual-containment',
  ) {
    super();
  }

  protected override lock(lock: LockOptions): string {
    // MariaDB has no FOR SHARE; MySQL 8 still takes the older spelling.
    if (lock.share === true && lock.of.length === 0 && !lock.nowait && !lock.skipLocked) return ' LOCK IN SHARE MODE';
    if (lock.of.length > 0 && !this.lockOf) {
      throw new NotSupportedError(
        `MariaDB has no SELECT … FOR UPDATE OF; drop the 'of' option (it locks the rows of every joined table).`,
      );
    }
    return super.lock(lock);
  }

  quoteIdent(name: string): string {
    return quoteWith('`', name);
  }

  /** AVG of integers or decimals is a DECIMAL rounded to 4 more places here; average doubles, as the others do. */
  override expr(node: Expr, params: unknown[]): string {
    if (node.kind !== 'aggregate' || node.fn !== 'AVG') return super.expr(node, params);
    // The filter comes first in the SQL text, so its parameters are bound first.
    const filter = node.filter === undefined ? undefined : this.expr(node.filter, params);
    const value = `CAST(${this.expr(node.expr, params)} AS DOUBLE)`;
    const inner = filter === undefined ? value : `CASE WHEN ${filter} THEN ${value} END`;
    return `AVG(${node.distinct ? 'DISTINCT ' : ''}${inner})`;
  }

  placeholder(): string {
    return '?';
  }

  columnType(type: ColumnType, _def: ColumnDef): string {
    switch (type.type) {
      case 'int':
        return 'INT';
      case 'bigint':
        return 'BIGINT';
      case 'smallint':
        return 'SMALLINT';
      case 'float':
        return 'DOUBLE';
      case 'boolean':
        return 'BOOL';
      case 'text':
        return 'LONGTEXT';
      case 'json':
        return 'JSON';
      case 'binary':
        return 'LONGBLOB';
      case 'uuid':
        return 'CHAR(36)';
      case 'datetime':
        return 'DATETIME(6)';
      case 'date':
        return 'DATE';
      case 'time':
        return 'TIME(6)';
      case 'timedelta':
        return 'BIGINT';
      case 'varchar':
        return `VARCHAR(${type.length})`;
      case 'decimal':
        return `DECIMAL(${type.digits},${type.places})`;
    }
  }

  protected override autoIncrement(col: ColumnDef): string {
    return col.autoIncrement ? ' AUTO_INCREMENT' : '';
  }

  /** MySQL string literals treat backslash as an escape, so it is doubled too. */
  override quoteString(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  }

  /** MySQL restates a changed column whole (MODIFY), whatever part of it changed; its key stays. */
  protected override alterColumn(col: ColumnDef, _changes: readonly ColumnChange[]): string {
    let sql = `MODIFY COLUMN ${this.quoteIdent(col.name)} ${this.columnType(col.type, col)}${this.autoIncrement(col)}`;
    sql += col.nullable && !col.primaryKey ? ' NULL' : ' NOT NULL';
    if (col.default !== undefined) sql += ` DEFAULT ${this.literal(col.default.value)}`;
    return sql + this.columnComment(col);
  }

  /** Unique constraints are indexes here, and foreign keys have their own DROP. */
  protected override alterAction(action: AlterAction, params: unknown[]): string {
    if (action.kind === 'dropConstraint') {
      return `${action.constraint === 'unique' ? 'DROP INDEX' : 'DROP FOREIGN KEY'} ${this.quoteIdent(action.name)}`;
    }
    if (action.kind === 'tableComment') return `COMMENT = ${this.quoteString(action.text ?? '')}`;
    return super.alterAction(action, params);
  }

  protected override dropIndex(node: DropIndexNode): string {
    return `DROP INDEX ${this.quoteIdent(node.name)} ON ${this.quoteIdent(node.table)}`;
  }

  protected override renameIndex(node: RenameIndexNode): string {
    return `ALTER TABLE ${this.quoteIdent(node.table)} RENAME INDEX ${this.quoteIdent(node.from)} TO ${this.quoteIdent(node.to)}`;
  }

  protected override renameConstraint(table: string, from: string): string {
    throw new NotSupportedError(`MySQL cannot rename the constraint ${from} on ${table}; drop it and add it under the new name.`);
  }

  protected override renameSequence(from: string): string {
    throw new NotSupportedError(`MySQL has no sequences (${from}); AUTO_INCREMENT belongs to the column.`);
  }

  protected override columnComment(col: ColumnDef): string {
    return col.comment === undefined ? '' : ` COMMENT ${this.quoteString(col.comment)}`;
  }

  /**
   * A binary collation makes `=` and LIKE case-sensitive, as on the other backends; NO PAD keeps
   * trailing spaces significant ('a' = 'a ' is false), as on the other backends (MariaDB ≥ 10.2).
   */
  protected override tableSuffix(node: CreateTableNode): string {
    const comment = node.comment === undefined ? '' : ` COMMENT=${this.quoteString(node.comment)}`;
    return ` CHARACTER SET utf8mb4 COLLATE ${this.collation}${comment}`;
  }

  /**
   * MySQL refuses a subquery on the table an UPDATE or DELETE changes; reading it through a
   * derived table materialises the keys first, which it accepts.
   */
  protected override subquery(select: SelectNode, params: unknown[]): string {
    return `SELECT * FROM (${this.select(select, params)}) ${this.quoteIdent('_terrapin_keys')}`;
  }

  protected override func(fn: FuncNode['fn'], args: readonly string[]): string {
    // LENGTH counts bytes here; CHAR_LENGTH counts characters, as elsewhere.
    if (fn === 'LENGTH') return `CHAR_LENGTH(${args[0]})`;
    // CONCAT returns NULL if any argument is NULL; CONCAT_WS skips NULLs, as PostgreSQL's CONCAT does.
    if (fn === 'CONCAT') return `CONCAT_WS('', ${args.join(', ')})`;
    if (fn === 'RANDOM') return 'RAND()';
    return super.func(fn, args);
  }

  /** `/` already divides exactly here (integers give a DECIMAL, read as a float). */
  protected override floatCast(sql: string): string {
    return sql;
  }

  protected override textCast(sql: string): string {
    return `CAST(${sql} AS CHAR)`;
  }

  /** UUIDs are CHAR(36) here; a text column keeps its binary collation when it is not cast. */
  protected override storedAsText(type: ColumnType['type']): boolean {
    return type === 'uuid' || super.storedAsText(type);
  }

  protected override datePart(node: DatePartNode, params: unknown[]): string {
    const expr = this.expr(node.expr, params);
    if (node.part === 'week') return `WEEK(${expr}, 3)`;
    return `EXTRACT(${node.part.toUpperCase()} FROM ${expr})`;
  }

  protected override limitOffset(limit: number | undefined, offset: number | undefined, params: unknown[]): string {
    if (limit === undefined && offset !== undefined) return ` LIMIT ${NO_LIMIT} OFFSET ${this.param(offset, params)}`;
    return super.limitOffset(limit, offset, params);
  }

  protected override insert(node: InsertNode, params: unknown[]): string {
    const sql = super.insert(node, params);
    return node.onConflict?.action === 'ignore' ? sql.replace(/^INSERT /, 'INSERT IGNORE ') : sql;
  }

  protected override insertDefaultValues(): string {
    return '() VALUES ()';
  }

  protected override onConflict(node: InsertNode): string {
    const conflict = node.onConflict;
    if (conflict === undefined || conflict.action === 'ignore') return '';
    const set = conflict.update.map((c) => `${this.quoteIdent(c)} = VALUES(${this.quoteIdent(c)})`).join(', ');
    return ` ON DUPLICATE KEY UPDATE ${set}`;
  }

  protected override explain(node: ExplainNode, params: unknown[]): string {
    return `EXPLAIN FORMAT=JSON ${this.select(node.statement, params)}`;
  }

  protected jsonPath(node: JsonPathNode, params: unknown[]): string {
    const value = () => `JSON_EXTRACT(${this.expr(node.expr, params)}, ${this.param(jsonPathText(node.path), params)})`;
    switch (node.as) {
      case 'json':
        return value();
      case 'presence':
        // JSON_EXTRACT gives SQL NULL for a missing path but a JSON null for null; JSON_TYPE tells them apart.
        return `NULLIF(JSON_TYPE(${value()}), 'NULL')`;
      case 'string':
        // Unquoted JSON text takes the connection's collation; the binary one keeps matching case-sensitive.
        return `(CASE WHEN JSON_TYPE(${value()}) = 'STRING' THEN CONVERT(JSON_UNQUOTE(${value()}) USING utf8mb4) COLLATE ${this.collation} END)`;
      case 'number':
        return `(CASE WHEN JSON_TYPE(${value()}) IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') THEN CAST(JSON_UNQUOTE(${value()}) AS DOUBLE) END)`;
    }
  }

  protected jsonLiteral(json: string, params: unknown[]): string {
    return this.param(json, params);
  }

  /**
   * JSON_CONTAINS also finds an object or array inside an array element (`[{"x":1}]` contains
   * `{"x":1}`); PostgreSQL's rule, kept on every backend, wants the same structure at the top,
   * an array containing one of its scalar elements being the only exception.
   */
  protected jsonContains(container: Expr, candidate: Expr, params: unknown[]): string {
    const shape = (expr: Expr) => `(CASE JSON_TYPE(${this.expr(expr, params)}) WHEN 'OBJECT' THEN 'o' WHEN 'ARRAY' THEN 'a' ELSE 's' END)`;
    const contains = `JSON_CONTAINS(${this.expr(container, params)}, ${this.expr(candidate, params)})`;
    // Object in object, array in array, scalar in scalar, or a scalar element of an array.
    return `(${contains} AND CONCAT(${shape(container)}, ${shape(candidate)}) IN ('oo', 'aa', 'ss', 'as'))`;
  }

  protected jsonEquals(left: Expr, right: Expr, params: unknown[]): string {
    switch (this.jsonEquality) {
      case 'cast':
        return `(CAST(${this.expr(left, params)} AS JSON) = CAST(${this.expr(right, params)} AS JSON))`;
      case 'json-equals':
        // MariaDB 10.11 reads JSON_EQUALS(NULL, …) as true inside OR; spelling out the NULL case avoids it.
        return `(COALESCE(JSON_EQUALS(${this.expr(left, params)}, ${this.expr(right, params)}), 0) = 1)`;
      case 'mutual-containment':
        return `(JSON_CONTAINS(${this.expr(left, params)}, ${this.expr(right, params)}) AND JSON_CONTAINS(${this.expr(right, params)}, ${this.expr(left, params)}))`;
    }
  }

  protected override transaction(node: Parameters<SqlCompiler['transaction']>[0]): string {
    // The isolation level is set by a separate statement just before (see capabilities.isolation).
    if (node.action !== 'begin') return super.transaction(node);
    return node.readOnly === true ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION';
  }
}
