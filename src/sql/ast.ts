/**
 * The SQL abstract syntax tree: a closed union of frozen-by-convention nodes.
 * The planner builds these; only the dialect compilers turn them into text.
 * Adding a node kind makes `SqlCompiler.expr`/`statement` fail to compile until it is handled.
 */

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type DatePart =
  | 'year'
  | 'quarter'
  | 'month'
  | 'week'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'microsecond';
export type LikeMode = 'exact' | 'contains' | 'startsWith' | 'endsWith';

export interface ColumnNode {
  readonly kind: 'column';
  /** Table alias the column belongs to; undefined in statements over a single table. */
  readonly table: string | undefined;
  readonly name: string;
}
export interface ParamNode {
  readonly kind: 'param';
  readonly value: unknown;
}
export interface BoolNode {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface CompareNode {
  readonly kind: 'compare';
  readonly op: ComparisonOp;
  readonly left: Expr;
  readonly right: Expr;
}
export interface ArithmeticNode {
  readonly kind: 'arithmetic';
  readonly op: ArithmeticOp;
  readonly left: Expr;
  readonly right: Expr;
}
export interface AndNode {
  readonly kind: 'and';
  readonly items: readonly Expr[];
}
export interface OrNode {
  readonly kind: 'or';
  readonly items: readonly Expr[];
}
export interface NotNode {
  readonly kind: 'not';
  readonly item: Expr;
}
export interface IsNullNode {
  readonly kind: 'isNull';
  readonly expr: Expr;
  readonly negated: boolean;
}
export interface InNode {
  readonly kind: 'in';
  readonly expr: Expr;
  readonly values: readonly Expr[];
  readonly negated: boolean;
}
export interface BetweenNode {
  readonly kind: 'between';
  readonly expr: Expr;
  readonly low: Expr;
  readonly high: Expr;
}
/** Text matching; the dialect builds and escapes the pattern from `value`. */
export interface LikeNode {
  readonly kind: 'like';
  readonly expr: Expr;
  readonly value: string;
  readonly mode: LikeMode;
  readonly caseInsensitive: boolean;
  /**
   * The column type `expr` has, when it is a column (or 'text' for an expression known to be
   * text). A text column is matched as it is, so an index on it can serve a prefix; anything
   * else is cast to text first.
   */
  readonly storage?: ColumnType['type'];
}
export interface DatePartNode {
  readonly kind: 'datePart';
  readonly part: DatePart;
  readonly expr: Expr;
  /** How the column stores the value, which decides the extraction SQL on some dialects. */
  readonly storage: 'datetime' | 'date' | 'time';
}
/** `expr IN (SELECT …)`: UPDATE/DELETE filtered through joins select the keys first. */
export interface InSelectNode {
  readonly kind: 'inSelect';
  readonly expr: Expr;
  readonly select: SelectNode;
}
/** A decimal column or value compared or ordered by magnitude (SQLite stores decimals as text). */
export interface DecimalValueNode {
  readonly kind: 'decimalValue';
  readonly expr: Expr;
}
/** CASE WHEN … THEN … ELSE … END (bulkUpdate's per-row values). */
export interface CaseNode {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | undefined;
}
/** A value that must carry its column's type where the backend cannot infer it (PostgreSQL CASE branches). */
export interface TypedNode {
  readonly kind: 'typed';
  readonly expr: Expr;
  readonly type: ColumnType;
}
export interface CountAllNode {
  readonly kind: 'countAll';
}
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
  readonly expr: Expr;
  readonly distinct: boolean;
  /** Only rows matching this count: rendered as AGG(CASE WHEN filter THEN expr END). */
  readonly filter?: Expr;
}
/** A scalar function; the dialect picks its spelling (LENGTH vs CHAR_LENGTH, CONCAT, RANDOM vs RAND…). */
export interface FuncNode {
  readonly kind: 'func';
  readonly fn: 'LOWER' | 'UPPER' | 'TRIM' | 'LENGTH' | 'COALESCE' | 'CONCAT' | 'RANDOM' | 'POWER';
  readonly args: readonly Expr[];
}
/** `(SELECT …)` used as a value. */
export interface SubqueryNode {
  readonly kind: 'subquery';
  readonly select: SelectNode;
}
/**
 * One end of a window frame: null is unbounded (UNBOUNDED PRECEDING at the start, UNBOUNDED
 * FOLLOWING at the end), 0 the current row, -n n PRECEDING and n n FOLLOWING.
 */
export type FrameBound = number | null;
/** `ROWS|RANGE BETWEEN start AND end`, checked (whole numbers, start ≤ end) before it reaches the compiler. */
export interface WindowFrame {
  readonly type: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}
/** `fn(args) OVER (PARTITION BY … ORDER BY … [frame])`: a window function, or an aggregate over a window. */
export interface WindowNode {
  readonly kind: 'window';
  /** A ranking, offset or value function, or 'aggregate' for `expr` (an AggregateNode) over the window. */
  readonly fn: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK' | 'LAG' | 'LEAD' | 'FIRST_VALUE' | 'LAST_VALUE' | 'NTH_VALUE' | 'aggregate';
  readonly expr: Expr | undefined;
  /**
   * LAG/LEAD's row offset, NTH_VALUE's position: a whole number, checked before it reaches the
   * compiler (written as a literal: MySQL takes no parameter there).
   */
  readonly offset: number | undefined;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
}
/** `EXISTS (SELECT …)`: true when the subquery has a row (Exists). */
export interface ExistsNode {
  readonly kind: 'exists';
  readonly select: SelectNode;
}
/** SQL written by the user (UnsafeRawSQL): `?` marks each bound parameter, in order. */
export interface RawNode {
  readonly kind: 'raw';
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * What a JSON path extraction yields: the JSON value itself (`json`), the text of a JSON string
 * (`string`) or the number of a JSON number (`number`) — NULL for any other type, so a comparison
 * never casts an unsuitable value — or `presence`, NULL exactly when the path is missing or holds null.
 */
export type JsonPathAs = 'json' | 'string' | 'number' | 'presence';
/** The value at `path` (object keys, or array indexes written as digits) inside a JSON column. */
export interface JsonPathNode {
  readonly kind: 'jsonPath';
  readonly expr: Expr;
  readonly path: readonly string[];
  readonly as: JsonPathAs;
}
/** A JSON document bound as a parameter (its text), typed as JSON where the backend needs it. */
export interface JsonLiteralNode {
  readonly kind: 'jsonLiteral';
  readonly json: string;
}
/** PostgreSQL's `container @> candidate`: every key and element of the candidate is in the container. */
export interface JsonContainsNode {
  readonly kind: 'jsonContains';
  readonly container: Expr;
  readonly candidate: Expr;
}
/** JSON equality: object key order and number spelling (1 and 1.0) do not matter. */
export interface JsonEqualsNode {
  readonly kind: 'jsonEquals';
  readonly left: Expr;
  readonly right: Expr;
}
/** A condition where NULL (unknown) counts as false, so NOT over it is the exact complement. */
export interface DefiniteNode {
  readonly kind: 'definite';
  readonly item: Expr;
}

export type Expr =
  | ColumnNode
  | ParamNode
  | BoolNode
  | CompareNode
  | ArithmeticNode
  | AndNode
  | OrNode
  | NotNode
  | IsNullNode
  | InNode
  | BetweenNode
  | LikeNode
  | DatePartNode
  | DecimalValueNode
  | InSelectNode
  | CaseNode
  | TypedNode
  | CountAllNode
  | AggregateNode
  | FuncNode
  | SubqueryNode
  | ExistsNode
  | WindowNode
  | RawNode
  | JsonPathNode
  | JsonLiteralNode
  | JsonContainsNode
  | JsonEqualsNode
  | DefiniteNode;

export interface TableRef {
  readonly name: string;
  readonly alias: string | undefined;
}
export interface JoinNode {
  readonly type: 'inner' | 'left';
  readonly table: TableRef;
  readonly on: Expr;
}
export interface SelectColumn {
  readonly expr: Expr;
  readonly alias: string | undefined;
}
export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
  /**
   * The column can hold NULL. SQLite and MySQL sort NULLs first ascending and last descending;
   * dialects that do otherwise (PostgreSQL) say so explicitly for such columns.
   */
  readonly nullable?: boolean;
}
export interface LockOptions {
  readonly nowait: boolean;
  readonly skipLocked: boolean;
  readonly of: readonly string[];
  /**
   * A shared lock (FOR SHARE, LOCK IN SHARE MODE) instead of an exclusive one: a locking read that
   * sees the latest committed row without blocking other readers that lock it too (getOrCreate's
   * re-read after a lost race).
   */
  readonly share?: boolean;
}

export interface SelectNode {
  readonly kind: 'select';
  readonly from: TableRef;
  readonly joins: readonly JoinNode[];
  readonly columns: readonly SelectColumn[];
  readonly distinct: boolean;
  readonly where: Expr | undefined;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly lock: LockOptions | undefined;
  /** Read FROM (user SQL) AS from.name instead of a table (Model.raw). */
  readonly rawSource?: { readonly sql: string; readonly params: readonly unknown[] };
  /** Read FROM (this select) AS from.name instead of a table (a filter on a window wraps the query). */
  readonly fromSelect?: SelectNode;
}
/** `SELECT COUNT(*) FROM (inner)` and `SELECT EXISTS`-style wrappers. */
export interface CountNode {
  readonly kind: 'count';
  readonly inner: SelectNode;
}
export type OnConflict =
  | { readonly action: 'ignore' }
  | { readonly action: 'update'; readonly target: readonly string[]; readonly update: readonly string[] };
export interface InsertNode {
  readonly kind: 'insert';
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Expr[])[];
  readonly returning: readonly string[];
  readonly onConflict: OnConflict | undefined;
}
export interface UpdateNode {
  readonly kind: 'update';
  readonly table: TableRef;
  readonly set: readonly { readonly column: string; readonly value: Expr }[];
  readonly where: Expr | undefined;
}
export interface DeleteNode {
  readonly kind: 'delete';
  readonly table: TableRef;
  readonly where: Expr | undefined;
}
export interface ExplainNode {
  readonly kind: 'explain';
  readonly statement: SelectNode;
}

/** Column definition in DDL; `type` is an abstract column type the dialect maps to SQL. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  readonly autoIncrement: boolean;
  readonly unique: boolean;
  readonly default: ParamNode | undefined;
  readonly comment: string | undefined;
}
export type ColumnType =
  | { readonly type: 'int' | 'bigint' | 'smallint' | 'float' | 'boolean' | 'text' | 'json' | 'binary' | 'uuid' }
  | { readonly type: 'datetime' | 'date' | 'time' | 'timedelta' }
  | { readonly type: 'varchar'; readonly length: number }
  | { readonly type: 'decimal'; readonly digits: number; readonly places: number };

export interface ForeignKeyDef {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: 'CASCADE' | 'RESTRICT' | 'SET_NULL' | 'SET_DEFAULT' | 'NO_ACTION';
}
export interface CreateTableNode {
  readonly kind: 'createTable';
  readonly table: string;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly uniqueTogether: readonly { readonly name: string; readonly columns: readonly string[] }[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly comment: string | undefined;
}
/** ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY, for keys between tables that refer to each other. */
export interface AddForeignKeyNode {
  readonly kind: 'addForeignKey';
  readonly table: string;
  readonly foreignKey: ForeignKeyDef;
}
export interface CreateIndexNode {
  readonly kind: 'createIndex';
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly ifNotExists: boolean;
}
export interface DropTableNode {
  readonly kind: 'dropTable';
  readonly table: string;
  readonly ifExists: boolean;
}
/** A comment on a table or column, for backends that set comments in statements of their own; null removes it. */
export interface CommentNode {
  readonly kind: 'comment';
  readonly table: string;
  readonly column: string | undefined;
  readonly text: string | null;
}

/** What an ALTER COLUMN changes: PostgreSQL spells each apart, MySQL restates the column (MODIFY). */
export type ColumnChange = 'type' | 'nullable' | 'default' | 'comment';

/** One clause of ALTER TABLE; a dialect that cannot combine clauses is given one at a time. */
export type AlterAction =
  | { readonly kind: 'addColumn'; readonly column: ColumnDef }
  | { readonly kind: 'dropColumn'; readonly column: string }
  /** `column` is the whole new definition; `changes` says which parts differ from the old one. */
  | { readonly kind: 'alterColumn'; readonly column: ColumnDef; readonly changes: readonly ColumnChange[] }
  /** Unnamed (name undefined) gets the backend's own name, as an inline UNIQUE does. */
  | { readonly kind: 'addUnique'; readonly name: string | undefined; readonly columns: readonly string[] }
  | { readonly kind: 'addForeignKey'; readonly foreignKey: ForeignKeyDef }
  | { readonly kind: 'dropConstraint'; readonly constraint: 'unique' | 'foreignKey'; readonly name: string }
  /** The table comment, for backends that keep it in the table options (MySQL); null removes it. */
  | { readonly kind: 'tableComment'; readonly text: string | null };

/** ALTER TABLE t <action>, <action>…: migrations' column and constraint changes. */
export interface AlterTableNode {
  readonly kind: 'alterTable';
  readonly table: string;
  readonly actions: readonly AlterAction[];
}
export interface RenameTableNode {
  readonly kind: 'renameTable';
  readonly from: string;
  readonly to: string;
}
export interface RenameColumnNode {
  readonly kind: 'renameColumn';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}
export interface DropIndexNode {
  readonly kind: 'dropIndex';
  readonly table: string;
  readonly name: string;
}
export interface RenameIndexNode {
  readonly kind: 'renameIndex';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}
/** A named constraint renamed in place (PostgreSQL); other backends drop and add it instead. */
export interface RenameConstraintNode {
  readonly kind: 'renameConstraint';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}
/** The sequence behind a SERIAL column, renamed with its table or column (PostgreSQL). */
export interface RenameSequenceNode {
  readonly kind: 'renameSequence';
  readonly from: string;
  readonly to: string;
}
/** INSERT INTO t (…) SELECT …: copies rows into a rebuilt table (SQLite's table rebuild). */
export interface InsertSelectNode {
  readonly kind: 'insertSelect';
  readonly table: string;
  readonly columns: readonly string[];
  readonly select: SelectNode;
}
export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** Transaction control: the dialect picks the words (BEGIN, START TRANSACTION, SAVEPOINT …). */
export interface TransactionNode {
  readonly kind: 'transaction';
  readonly action:
    | 'begin'
    | 'setIsolation'
    | 'commit'
    | 'rollback'
    | 'savepoint'
    | 'releaseSavepoint'
    | 'rollbackToSavepoint';
  readonly savepoint: string | undefined;
  /** With 'begin' (PostgreSQL) or 'setIsolation' (MySQL, before the transaction starts). */
  readonly isolation?: IsolationLevel;
  /** With 'begin': a read-only transaction (never set for a backend without them). */
  readonly readOnly?: boolean;
}

export type Statement =
  | SelectNode
  | CountNode
  | InsertNode
  | UpdateNode
  | DeleteNode
  | ExplainNode
  | CreateTableNode
  | CreateIndexNode
  | DropTableNode
  | AddForeignKeyNode
  | CommentNode
  | AlterTableNode
  | RenameTableNode
  | RenameColumnNode
  | DropIndexNode
  | RenameIndexNode
  | RenameConstraintNode
  | RenameSequenceNode
  | InsertSelectNode
  | TransactionNode;

export const column = (table: string | undefined, name: string): ColumnNode => ({ kind: 'column', table, name });
export const param = (value: unknown): ParamNode => ({ kind: 'param', value });
export const and = (items: readonly Expr[]): Expr =>
  items.length === 1 ? items[0]! : { kind: 'and', items };
export const or = (items: readonly Expr[]): Expr => (items.length === 1 ? items[0]! : { kind: 'or', items });

export function emptySelect(from: TableRef): SelectNode {
  return {
    kind: 'select',
    from,
    joins: [],
    columns: [],
    distinct: false,
    where: undefined,
    groupBy: [],
    orderBy: [],
    limit: undefined,
    offset: undefined,
    lock: undefined,
  };
}
