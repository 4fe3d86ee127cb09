/**
 * Window functions: RowNumber, Rank, DenseRank, Lag, Lead and aggregates over a window, with
 * partitionBy and orderBy, the same rows on every backend.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { Count, DenseRank, FieldError, FirstValue, Lag, LastValue, Lead, Model, NotSupportedError, NthValue, ParamsError, Q, Rank, RowNumber, Sum, Window, fields } from '../../src/index.js';
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

  it('orders by a window annotation; bare window functions and bad options are refused', async () => {
    const best = await Score.annotate({ n: Window(RowNumber(), { orderBy: ['-points', 'id'] }) }).orderBy('n').limit(2);
    assert.deepEqual(best.map((s) => s.id), [2, 3]);
    assert.throws(() => Score.annotate({ n: RowNumber() }), (e: unknown) => e instanceof ParamsError && /RowNumber\(\) is a window function; wrap it in Window/.test(e.message));
    assert.throws(() => Window(RowNumber(), { partition: ['team'] } as never), (e: unknown) => e instanceof ParamsError && /unknown option 'partition'/.test(e.message));
    assert.throws(() => Score.annotate({ n: Window(Rank(), { orderBy: ['pionts'] }) }), (e: unknown) => e instanceof FieldError && /pionts/.test(e.message));
    assert.throws(() => Lag('points', -1), ParamsError);
  });

  it('frames: a moving sum over ROWS, a RANGE by value, FirstValue, LastValue and NthValue', async () => {
    const rows = await Score.all()
      .annotate({
        lastThree: Window(Sum('points'), { orderBy: ['id'], frame: { type: 'rows', start: -2, end: 0 } }),
        around: Window(Sum('points'), { orderBy: ['id'], frame: { type: 'rows', start: -1, end: 1 } }),
        near: Window(Count('id'), { orderBy: ['points'], frame: { type: 'range', start: -10, end: 10 } }),
        best: Window(FirstValue('points'), { partitionBy: ['team'], orderBy: ['-points', 'id'] }),
        worstSoFar: Window(LastValue('points'), { partitionBy: ['team'], orderBy: ['-points', 'id'] }),
        worst: Window(LastValue('points'), { partitionBy: ['team'], orderBy: ['-points', 'id'], frame: { type: 'rows', start: null, end: null } }),
        second: Window(NthValue('points', 2), { partitionBy: ['team'], orderBy: ['-points', 'id'], frame: { type: 'rows', start: null, end: null } }),
      })
      .orderBy('id')
      .values('id', 'lastThree', 'around', 'near', 'best', 'worstSoFar', 'worst', 'second');
    assert.deepEqual(rows, [
      { id: 1, lastThree: 10, around: 40, near: 3, best: 30, worstSoFar: 10, worst: 10, second: 30 },
      { id: 2, lastThree: 40, around: 70, near: 3, best: 30, worstSoFar: 30, worst: 10, second: 30 },
      { id: 3, lastThree: 70, around: 65, near: 3, best: 30, worstSoFar: 30, worst: 10, second: 30 },
      { id: 4, lastThree: 65, around: 55, near: 2, best: 20, worstSoFar: 5, worst: 5, second: 5 },
      { id: 5, lastThree: 55, around: 25, near: 4, best: 20, worstSoFar: 20, worst: 5, second: 5 },
    ]);
  });

  it('refuses frames it cannot honour, naming the problem', () => {
    const refused = (options: object, pattern: RegExp, fn: Parameters<typeof Window>[0] = Sum('points')) =>
      assert.throws(() => Window(fn, options), (e: unknown) => e instanceof ParamsError && pattern.test(e.message));
    refused({ orderBy: ['id'], frame: { type: 'rows', start: 1, end: -1 } }, /start \(1\) comes after end \(-1\)/);
    refused({ orderBy: ['id'], frame: { type: 'groups', start: null, end: 0 } }, /type is 'rows' or 'range'/);
    refused({ orderBy: ['id'], frame: { type: 'rows', start: 1.5, end: null } }, /start is null or a whole number/);
    refused({ orderBy: ['id'], frame: { type: 'rows', start: null, end: 0, exclude: 'ties' } }, /unknown key 'exclude'/);
    refused({ orderBy: ['team', 'id'], frame: { type: 'range', start: -1, end: 0 } }, /exactly one orderBy field/);
    refused({ orderBy: ['id'], frame: { type: 'rows', start: null, end: 0 } }, /RowNumber\(\) numbers or offsets rows and ignores a frame/, RowNumber());
    assert.throws(() => NthValue('points', 0), (e: unknown) => e instanceof ParamsError && /position that is a whole number ≥ 1/.test(e.message));
  });

  it('filters on a window annotation through a wrapping query: top two per team', async () => {
    const ranked = Score.annotate({ place: Window(RowNumber(), { partitionBy: ['team'], orderBy: ['-points', 'id'] }) });
    const top = await ranked.filter({ place__lte: 2 }).orderBy('team', 'place');
    assert.deepEqual(top.map((s) => [s.id, s.place]), [[5, 1], [4, 2], [2, 1], [3, 2]]);
    assert.match(ranked.filter({ place__lte: 2 }).sql(), /FROM \(SELECT .* OVER \(.*\) AS .?_c4.? FROM .*\) .?_w.? WHERE .?_w.?\..?_c4.? <= /);
    // Other filters stay inside (they decide which rows are numbered); limit and order apply outside.
    const redTop = await ranked.filter({ team: 'red' }).filter({ place: 1 }).values('id', 'place');
    assert.deepEqual(redTop, [{ id: 2, place: 1 }]);
    assert.deepEqual(await ranked.filter(Q({ place: 1 }).or(Q({ place: 3 }))).orderBy('-id').valuesList('id', { flat: true }), [5, 2, 1]);
    assert.equal(await ranked.filter({ place__gte: 2 }).count(), 3);
    assert.equal(await ranked.filter({ place__gt: 3 }).exists(), false);
    assert.deepEqual((await ranked.filter({ place: 2 }).orderBy('-points').first())?.id, 3);
    assert.throws(() => ranked.filter(Q({ place: 1 }).or(Q({ team: 'red' }))).sql(), (e: unknown) => e instanceof NotSupportedError && /in a filter\(\) of its own/.test(e.message));
    assert.throws(() => ranked.filter({ place: 1 }).delete(), (e: unknown) => e instanceof NotSupportedError && /delete\(\) cannot filter on a window annotation/.test(e.message));
  });
});
