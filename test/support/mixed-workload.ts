/**
 * A concurrent mixed workload that checks its own answers, for deployments where statements and
 * their answers could go astray (poolers, replicas, clusters, failover). Each worker owns its rows
 * (column `worker`), so it knows exactly what the database must hold for it: every read must
 * return the row it asked for with the last value written, every count must equal the rows it has,
 * and at the end the table must hold exactly the rows whose writes were acknowledged — nothing
 * from a write that failed or a transaction that rolled back.
 */
import { Model, fields, inTransaction } from '../../src/index.js';
import type { UsingDb } from '../../src/execution/target.js';

export class WorkItem extends Model {
  id = fields.IntField({ pk: true });
  worker = fields.IntField({ index: true });
  qty = fields.IntField();
  /** Unique per write attempt, so a row of a failed write can be looked for afterwards. */
  note = fields.CharField({ maxLength: 40, unique: true });
  static override meta = { table: 'work_item' };
}

export interface WorkloadOptions {
  readonly workers: number;
  /** Stops starting operations after this long. */
  readonly durationMs: number;
  /** Called with each failed operation's error; return normally to count it, throw to stop the run. */
  readonly onError?: (error: unknown, operation: string) => void;
  /** Transactions per 10 operations (default 2). */
  readonly transactionShare?: number;
  /** Passed to inTransaction (e.g. { connection: 'default' } with several connections, or retry). */
  readonly transactionOptions?: Parameters<typeof inTransaction>[1];
  /** Where plain reads go (a connection name), else wherever routing sends them. */
  readonly readDb?: UsingDb;
}

export interface WorkloadReport {
  /** Operations that succeeded. */
  ops: number;
  /** Failed operations, by operation and message (digits folded). */
  readonly errors: Map<string, number>;
  /** Reads that returned another row, a stale value or a wrong count: must stay 0 everywhere. */
  readonly wrongReads: string[];
  /** Rows the database holds that contradict the acknowledged writes (missing, stray, wrong value). */
  readonly mismatches: string[];
  /** Acknowledged writes (creates, updates, deletes, committed transactions). */
  acknowledged: number;
}

interface WorkerState {
  readonly worker: number;
  /** The rows this worker has, by id, with their acknowledged qty. */
  readonly rows: Map<number, number>;
  /** Notes of writes that failed or were rolled back: no row may carry them. */
  readonly doomed: string[];
  seq: number;
}

class Rollback extends Error {}

function errorKey(operation: string, error: unknown): string {
  const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  // Digits folded, and the random part of PostgreSQL statement names.
  return `${operation}: ${message.replace(/tp[0-9a-f]{12}_\d+/g, 'tpX_N').replace(/\d+/g, 'N').slice(0, 400)}`;
}

/** Runs the workload on WorkItem's table (which it empties first) and checks the outcome. */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadReport> {
  const report: WorkloadReport = { ops: 0, errors: new Map(), wrongReads: [], mismatches: [], acknowledged: 0 };
  await WorkItem.all().delete();
  const stopAt = Date.now() + options.durationMs;
  const txShare = options.transactionShare ?? 2;
  const states: WorkerState[] = Array.from({ length: options.workers }, (_, worker) => ({ worker, rows: new Map(), doomed: [], seq: 0 }));
  const fail = (operation: string, error: unknown): void => {
    options.onError?.(error, operation);
    const key = errorKey(operation, error);
    report.errors.set(key, (report.errors.get(key) ?? 0) + 1);
  };
  const read = <T extends { usingDb(db: UsingDb): T }>(query: T): T => (options.readDb === undefined ? query : query.usingDb(options.readDb));
  const pick = (state: WorkerState): number | undefined => {
    if (state.rows.size === 0) return undefined;
    const ids = [...state.rows.keys()];
    return ids[Math.floor(Math.random() * ids.length)];
  };
  const note = (state: WorkerState): string => `w${state.worker}-${state.seq++}-${Math.random().toString(36).slice(2, 8)}`;

  async function create(state: WorkerState): Promise<void> {
    const n = note(state);
    const qty = Math.floor(Math.random() * 1000);
    try {
      const row = await WorkItem.create({ worker: state.worker, qty, note: n });
      state.rows.set(row.id, qty);
      report.acknowledged++;
      report.ops++;
    } catch (error) {
      state.doomed.push(n);
      fail('create', error);
    }
  }

  async function get(state: WorkerState): Promise<void> {
    const id = pick(state);
    if (id === undefined) return create(state);
    try {
      const row = await read(WorkItem.filter({ id })).first();
      if (row === null || row.id !== id || row.worker !== state.worker || row.qty !== state.rows.get(id)) {
        report.wrongReads.push(`get ${id} (qty ${state.rows.get(id)}) returned ${row === null ? 'nothing' : `id ${row.id} worker ${row.worker} qty ${row.qty}`}`);
      }
      report.ops++;
    } catch (error) {
      fail('get', error);
    }
  }

  async function count(state: WorkerState): Promise<void> {
    try {
      const n = await read(WorkItem.filter({ worker: state.worker })).count();
      if (n !== state.rows.size) report.wrongReads.push(`count of worker ${state.worker}: ${n}, expected ${state.rows.size}`);
      report.ops++;
    } catch (error) {
      fail('count', error);
    }
  }

  async function update(state: WorkerState): Promise<void> {
    const id = pick(state);
    if (id === undefined) return create(state);
    const qty = Math.floor(Math.random() * 1000);
    try {
      const affected = await WorkItem.filter({ id }).update({ qty });
      if (affected !== 1) report.wrongReads.push(`update of ${id} affected ${affected} rows`);
      state.rows.set(id, qty);
      report.acknowledged++;
      report.ops++;
    } catch (error) {
      // The UPDATE failed, so the old value stands.
      fail('update', error);
    }
  }

  async function remove(state: WorkerState): Promise<void> {
    const id = pick(state);
    if (id === undefined) return create(state);
    try {
      const affected = await WorkItem.filter({ id }).delete();
      if (affected !== 1) report.wrongReads.push(`delete of ${id} affected ${affected} rows`);
      state.rows.delete(id);
      report.acknowledged++;
      report.ops++;
    } catch (error) {
      fail('delete', error);
    }
  }

  /** Two creates, a locked read and an update of one of them, a savepoint that fails; commits or rolls back. */
  async function transaction(state: WorkerState): Promise<void> {
    const notes = [note(state), note(state)];
    const inner = note(state);
    const rollBack = Math.random() < 0.3;
    const qty = Math.floor(Math.random() * 1000);
    let created: number[] = [];
    try {
      created = await inTransaction(async () => {
        const a = await WorkItem.create({ worker: state.worker, qty: 1, note: notes[0]! });
        const b = await WorkItem.create({ worker: state.worker, qty: 2, note: notes[1]! });
        const locked = await WorkItem.filter({ id: a.id }).selectForUpdate().first();
        if (locked?.id !== a.id) report.wrongReads.push(`selectForUpdate of ${a.id} returned ${locked?.id}`);
        await WorkItem.filter({ id: a.id }).update({ qty });
        await inTransaction(async () => {
          await WorkItem.create({ worker: state.worker, qty: 3, note: inner });
          throw new Rollback();
        }, options.transactionOptions).catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
        const n = await WorkItem.filter({ worker: state.worker }).count();
        if (n !== state.rows.size + 2) report.wrongReads.push(`count inside a transaction of worker ${state.worker}: ${n}, expected ${state.rows.size + 2}`);
        if (rollBack) throw new Rollback();
        return [a.id, b.id];
      }, options.transactionOptions);
      state.rows.set(created[0]!, qty);
      state.rows.set(created[1]!, 2);
      state.doomed.push(inner);
      report.acknowledged++;
      report.ops++;
    } catch (error) {
      state.doomed.push(...notes, inner);
      if (error instanceof Rollback) report.ops++;
      else fail('transaction', error);
    }
  }

  const operations = [create, create, get, get, count, update, remove, get];
  async function worker(state: WorkerState): Promise<void> {
    while (Date.now() < stopAt) {
      if (Math.random() * 10 < txShare) await transaction(state);
      else await operations[Math.floor(Math.random() * operations.length)]!(state);
    }
  }
  await Promise.all(states.map(worker));

  // The outcome, read back on the model's own connection (the primary).
  const rows = await WorkItem.all().values('id', 'worker', 'qty', 'note');
  const byId = new Map(rows.map((row) => [row.id, row]));
  const notes = new Set(rows.map((row) => row.note));
  for (const state of states) {
    for (const [id, qty] of state.rows) {
      const row = byId.get(id);
      if (row === undefined) report.mismatches.push(`acknowledged row ${id} of worker ${state.worker} is missing`);
      else if (row.worker !== state.worker || row.qty !== qty) report.mismatches.push(`row ${id}: worker ${row.worker} qty ${row.qty}, expected worker ${state.worker} qty ${qty}`);
    }
    for (const doomed of state.doomed) if (notes.has(doomed)) report.mismatches.push(`row '${doomed}' of a failed or rolled-back write exists`);
  }
  const expected = states.reduce((sum, state) => sum + state.rows.size, 0);
  if (rows.length !== expected) report.mismatches.push(`the table holds ${rows.length} rows, the acknowledged writes left ${expected}`);
  return report;
}

/** One line for a test's log: operations, errors by kind, wrong reads and mismatches. */
export function describeReport(label: string, report: WorkloadReport, seconds: number): string {
  const errors = [...report.errors].map(([key, n]) => `\n    ${n}× ${key}`).join('');
  return (
    `${label}: ${report.ops} operations in ${seconds.toFixed(1)} s (${Math.round(report.ops / seconds)}/s), ${report.acknowledged} acknowledged writes, ` +
    `${[...report.errors.values()].reduce((a, b) => a + b, 0)} errors, ${report.wrongReads.length} wrong reads, ${report.mismatches.length} mismatches${errors}` +
    report.wrongReads.slice(0, 5).map((line) => `\n    wrong read: ${line}`).join('') +
    report.mismatches.slice(0, 5).map((line) => `\n    mismatch: ${line}`).join('')
  );
}
