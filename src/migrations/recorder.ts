/**
 * The table of applied migrations, `terrapin_migrations`: one row per migration, with the checksum of
 * its operations and when it was applied. On MySQL, whose DDL is not transactional, a row also says
 * how far a migration got (operations and statements done), so a failure midway leaves a record that
 * matches the database and `migrate` resumes after the last completed step.
 */
import type { Dialect } from '../dialects/dialect.js';
import type { DriverConnection } from '../execution/driver.js';
import type { ColumnDef, Expr, Statement } from '../sql/ast.js';
import { and, column, emptySelect, param } from '../sql/ast.js';
import { constraintName } from '../schema/tables.js';

export const RECORD_TABLE = 'terrapin_migrations';

export interface AppliedRecord {
  readonly app: string;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  /** Operations completed; equal to `operationsTotal` once the migration is applied. */
  readonly operationsDone: number;
  /** Statements of the next operation already run (MySQL, a migration stopped midway). */
  readonly statementsDone: number;
  /** Statements of the last completed operation's reverse already run (MySQL, a downgrade stopped midway). */
  readonly revertedStatements: number;
  readonly operationsTotal: number;
}

export function isComplete(record: AppliedRecord): boolean {
  return record.operationsDone === record.operationsTotal && record.statementsDone === 0 && record.revertedStatements === 0;
}

const col = (name: string, type: ColumnDef['type'], extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  nullable: false,
  primaryKey: false,
  autoIncrement: false,
  unique: false,
  default: undefined,
  comment: undefined,
  ...extra,
});

const COLUMNS: readonly ColumnDef[] = [
  col('id', { type: 'int' }, { primaryKey: true, autoIncrement: true }),
  col('app', { type: 'varchar', length: 100 }),
  col('name', { type: 'varchar', length: 200 }),
  col('checksum', { type: 'varchar', length: 64 }),
  col('applied_at', { type: 'datetime' }),
  col('operations_done', { type: 'int' }),
  col('statements_done', { type: 'int' }),
  col('reverted_statements', { type: 'int' }),
  col('operations_total', { type: 'int' }),
];
const FIELDS = ['app', 'name', 'checksum', 'applied_at', 'operations_done', 'statements_done', 'reverted_statements', 'operations_total'];

export class Recorder {
  constructor(
    private readonly connection: DriverConnection,
    private readonly dialect: Dialect,
  ) {}

  private run(statement: Statement): Promise<unknown> {
    const { sql, params } = this.dialect.compiler.compile(statement);
    return this.connection.write(sql, params);
  }

  async ensureTable(): Promise<void> {
    await this.run({
      kind: 'createTable',
      table: RECORD_TABLE,
      ifNotExists: true,
      columns: COLUMNS,
      uniqueTogether: [{ name: constraintName('uid', RECORD_TABLE, ['app', 'name']), columns: ['app', 'name'] }],
      comment: undefined,
    });
  }

  /** Every recorded migration, in the order they were applied. */
  async applied(): Promise<AppliedRecord[]> {
    const select = {
      ...emptySelect({ name: RECORD_TABLE, alias: undefined }),
      columns: FIELDS.map((name) => ({ expr: column(undefined, name), alias: undefined })),
      orderBy: [{ expr: column(undefined, 'id'), desc: false }],
    };
    const { sql, params } = this.dialect.compiler.compile(select);
    const rows = await this.connection.rows(sql, params);
    return rows.map((row) => ({
      app: String(row[0]),
      name: String(row[1]),
      checksum: String(row[2]),
      appliedAt: this.dialect.values.decodeDatetime(row[3]),
      operationsDone: Number(row[4]),
      statementsDone: Number(row[5]),
      revertedStatements: Number(row[6]),
      operationsTotal: Number(row[7]),
    }));
  }

  private where(app: string, name: string): Expr {
    return and([
      { kind: 'compare', op: '=', left: column(undefined, 'app'), right: param(app) },
      { kind: 'compare', op: '=', left: column(undefined, 'name'), right: param(name) },
    ]);
  }

  async insert(record: Omit<AppliedRecord, 'appliedAt'>): Promise<void> {
    const values = [record.app, record.name, record.checksum, this.dialect.values.encodeDatetime(new Date()), record.operationsDone, record.statementsDone, record.revertedStatements, record.operationsTotal];
    await this.run({ kind: 'insert', table: RECORD_TABLE, columns: FIELDS, rows: [values.map(param)], returning: [], onConflict: undefined });
  }

  async progress(app: string, name: string, progress: { checksum: string; operationsDone: number; statementsDone: number; revertedStatements: number }): Promise<void> {
    await this.run({
      kind: 'update',
      table: { name: RECORD_TABLE, alias: undefined },
      set: [
        { column: 'checksum', value: param(progress.checksum) },
        { column: 'operations_done', value: param(progress.operationsDone) },
        { column: 'statements_done', value: param(progress.statementsDone) },
        { column: 'reverted_statements', value: param(progress.revertedStatements) },
      ],
      where: this.where(app, name),
    });
  }

  async remove(app: string, name: string): Promise<void> {
    await this.run({ kind: 'delete', table: { name: RECORD_TABLE, alias: undefined }, where: this.where(app, name) });
  }

  /** Records the checksums the files have now (`migrate --accept-checksums`). */
  async setChecksum(app: string, name: string, checksum: string): Promise<void> {
    await this.run({ kind: 'update', table: { name: RECORD_TABLE, alias: undefined }, set: [{ column: 'checksum', value: param(checksum) }], where: this.where(app, name) });
  }
}
