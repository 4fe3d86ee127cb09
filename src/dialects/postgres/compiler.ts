import type { ColumnDef, ColumnType, DatePartNode, ExplainNode, Expr, JsonPathNode, OrderItem } from '../../sql/ast.js';
import { quoteWith, SqlCompiler } from '../../sql/compiler.js';

const SERIAL: Partial<Record<ColumnType['type'], string>> = {
  int: 'SERIAL',
  bigint: 'BIGSERIAL',
  smallint: 'SMALLSERIAL',
};

/** A column definition with no auto-increment, for casts. */
const PLAIN_COLUMN: ColumnDef = {
  name: '',
  type: { type: 'int' },
  nullable: true,
  primaryKey: false,
  autoIncrement: false,
  unique: false,
  default: undefined,
  comment: undefined,
};

export class PostgresCompiler extends SqlCompiler {
  /** @param options.naiveDatetimes datetimes are wall-clock times (`useTz: false`): TIMESTAMP, not TIMESTAMPTZ. */
  constructor(private readonly options: { readonly naiveDatetimes?: boolean } = {}) {
    super();
  }

  quoteIdent(name: string): string {
    return quoteWith('"', name);
  }

  placeholder(index: number): string {
    return `$${index}`;
  }

  columnType(type: ColumnType, def: ColumnDef): string {
    if (def.autoIncrement) return SERIAL[type.type] ?? 'SERIAL';
    switch (type.type) {
      case 'int':
        return 'INT';
      case 'bigint':
        return 'BIGINT';
      case 'smallint':
        return 'SMALLINT';
      case 'float':
        return 'DOUBLE PRECISION';
      case 'boolean':
        return 'BOOL';
      case 'text':
        return 'TEXT';
      case 'json':
        return 'JSONB';
      case 'binary':
        return 'BYTEA';
      case 'uuid':
        return 'UUID';
      case 'datetime':
        return this.options.naiveDatetimes === true ? 'TIMESTAMP' : 'TIMESTAMPTZ';
      case 'date':
        return 'DATE';
      case 'time':
        return 'TIME';
      case 'timedelta':
        return 'BIGINT';
      case 'varchar':
        return `VARCHAR(${type.length})`;
      case 'decimal':
        return `DECIMAL(${type.digits},${type.places})`;
    }
  }

  protected override typed(expr: Expr, type: ColumnType, params: unknown[]): string {
    return `CAST(${this.expr(expr, params)} AS ${this.columnType(type, PLAIN_COLUMN)})`;
  }

  protected override datePart(node: DatePartNode, params: unknown[]): string {
    const expr = this.expr(node.expr, params);
    switch (node.part) {
      case 'second':
        return `FLOOR(EXTRACT(SECOND FROM ${expr}))`;
      case 'microsecond':
        return `(CAST(EXTRACT(MICROSECONDS FROM ${expr}) AS BIGINT) % 1000000)`;
      default:
        return `EXTRACT(${node.part.toUpperCase()} FROM ${expr})`;
    }
  }

  /** PostgreSQL sorts NULLs last ascending; the other backends first. Say so to agree with them. */
  protected override orderItem(item: OrderItem, params: unknown[]): string {
    const sql = super.orderItem(item, params);
    if (!item.nullable) return sql;
    return `${sql}${item.desc ? ' NULLS LAST' : ' NULLS FIRST'}`;
  }

  /**
   * Path parts are bound as text (a digit part indexes an array). Each use of the extraction
   * renders it again, which binds its parameters again: simpler than a subquery, and as fast.
   */
  protected jsonPath(node: JsonPathNode, params: unknown[]): string {
    const parts = () => node.path.map((part) => `${this.param(part, params)}::text`).join(', ');
    const value = () => `jsonb_extract_path(${this.expr(node.expr, params)}, ${parts()})`;
    switch (node.as) {
      case 'json':
        return value();
      case 'presence':
        return `jsonb_extract_path_text(${this.expr(node.expr, params)}, ${parts()})`;
      case 'string':
        return `(CASE WHEN jsonb_typeof(${value()}) = 'string' THEN ${value()} #>> '{}' END)`;
      case 'number':
        return `(CASE WHEN jsonb_typeof(${value()}) = 'number' THEN (${value()} #>> '{}')::numeric END)`;
    }
  }

  /** Bound as text and cast: a parameter typed jsonb would be JSON-encoded a second time by the driver. */
  protected jsonLiteral(json: string, params: unknown[]): string {
    return `CAST(${this.param(json, params)}::text AS jsonb)`;
  }

  protected jsonContains(container: Expr, candidate: Expr, params: unknown[]): string {
    return `(${this.expr(container, params)} @> ${this.expr(candidate, params)})`;
  }

  protected jsonEquals(left: Expr, right: Expr, params: unknown[]): string {
    return `(${this.expr(left, params)} = ${this.expr(right, params)})`;
  }

  protected override explain(node: ExplainNode, params: unknown[]): string {
    return `EXPLAIN (FORMAT JSON, VERBOSE) ${this.select(node.statement, params)}`;
  }
}
