/**
 * Window functions: RowNumber, Rank, DenseRank, Lag, Lead and aggregates over a window, with
 * partitionBy and orderBy, the same rows on every backend.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Count, DenseRank, FieldError, Lag, Lead, Model, NotSupportedError, ParamsError, Rank, RowNumber, Sum, Window, fields } from '../../src/index.js';
import { forEachBackend } from '../support/backends.js';

class Score extends Model {
  id = fields.IntField({ pk: true });
  team = fields.CharField({ maxLength: 10 });
  points = fields.IntField();
  static override meta = { table: 'tk_score' };
}

forEachBackend('window_functions', [{ Score }], () => {
  before(async () => {
    await Score.bulkCreate([
      Score.build({ id: 1, team: 'red', points: 10 }),
      Score.build({ id: 2, team: 'red', points: 30 }),
      Score.build({ id: 3, team: 'red', points: 30 }),
      Score.build({ id: 4, team: 'blue', points: 5 }),
      Score.build({ id: 5, team: 'blue', points: 20 }),
    ]);
  });

  it('numbers and ranks rows per partition', async () => {
    const rows = await Score.all()
      .annotate({
        n: Window(RowNumber(), { partitionBy: ['team'], orderBy: ['-points', 'id'] }),
        rank: Window(Rank(), { partitionBy: ['team'], orderBy: ['-points'] }),
        dense: Window(DenseRank(), { partitionBy: ['team'], orderBy: ['-points'] }),
      })
      .orderBy('id')
      .values('id', 'n', 'rank', 'dense');
    assert.deepEqual(rows, [
      { id: 1, n: 3, rank: 3, dense: 2 },
      { id: 2, n: 1, rank: 1, dense: 1 },
      { id: 3, n: 2, rank: 1, dense: 1 },
      { id: 4, n: 2, rank: 2, dense: 2 },
      { id: 5, n: 1, rank: 1, dense: 1 },
    ]);
    expectTypeOf(rows[0]!.n).toEqualTypeOf<number>();
  });

  it('reads neighbours with Lag and Lead, and aggregates over a window', async () => {
    const rows = await Score.all()
      .annotate({
        previous: Window(Lag('points'), { orderBy: ['id'] }),
        twoAhead: Window(Lead('points', 2), { orderBy: ['id'] }),
        teamTotal: Window(Sum('points'), { partitionBy: ['team'] }),
        running: Window(Sum('points'), { orderBy: ['id'] }),
        teamSize: Window(Count('id'), { partitionBy: ['team'] }),
      })
      .orderBy('id')
      .values('id', 'previous', 'twoAhead', 'teamTotal', 'running', 'teamSize');
    assert.deepEqual(rows, [
      { id: 1, previous: null, twoAhead: 30, teamTotal: 70, running: 10, teamSize: 3 },
      { id: 2, previous: 10, twoAhead: 5, teamTotal: 70, running: 40, teamSize: 3 },
      { id: 3, previous: 30, twoAhead: 20, teamTotal: 70, running: 70, teamSize: 3 },
      { id: 4, previous: 30, twoAhead: null, teamTotal: 25, running: 75, teamSize: 2 },
      { id: 5, previous: 5, twoAhead: null, teamTotal: 25, running: 95, teamSize: 2 },
    ]);
    expectTypeOf(rows[0]!.previous).toEqualTypeOf<number | null>();
  });

  it('orders by a window annotation; filtering on one and bare window functions are refused', async () => {
    const best = await Score.annotate({ n: Window(RowNumber(), { orderBy: ['-points', 'id'] }) }).orderBy('n').limit(2);
    assert.deepEqual(best.map((s) => s.id), [2, 3]);
    assert.throws(() => Score.annotate({ n: Window(RowNumber(), { orderBy: ['id'] }) }).filter({ n: 1 }), (e: unknown) => e instanceof NotSupportedError && /window annotation 'n'/.test(e.message));
    assert.throws(() => Score.annotate({ n: RowNumber() }), (e: unknown) => e instanceof ParamsError && /RowNumber\(\) is a window function; wrap it in Window/.test(e.message));
    assert.throws(() => Window(RowNumber(), { partition: ['team'] } as never), (e: unknown) => e instanceof ParamsError && /unknown option 'partition'/.test(e.message));
    assert.throws(() => Score.annotate({ n: Window(Rank(), { orderBy: ['pionts'] }) }), (e: unknown) => e instanceof FieldError && /pionts/.test(e.message));
    assert.throws(() => Lag('points', -1), ParamsError);
  });
});
