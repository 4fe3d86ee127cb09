/**
 * Graceful shutdown of the example API under load (issue 17): `app.close()` (what main.ts calls on
 * SIGTERM) while 10 clients keep creating users. Every request either gets its 201 (and its row is there
 * afterwards: 0 lost) or is refused cleanly (a refused connection, never a 5xx), no row exists
 * without its 201 (0 phantom), and no database session is left open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { User } from '../../examples/app/models.js';
import { activeBackends, freshDatabase } from '../support/backends.js';
import { assertNoSessions, assertSessions, sleep } from '../fixtures/web.js';
import { serveApp } from './support.js';

const SUITE = 'e2e_shutdown';
const WORKERS = 10;

type Outcome = { kind: 'answered'; status: number; id?: number } | { kind: 'refused'; error: string };

async function create(base: string, name: string): Promise<Outcome> {
  try {
    const response = await fetch(`${base}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const body = (await response.json()) as { id?: number };
    return { kind: 'answered', status: response.status, ...(body.id === undefined ? {} : { id: body.id }) };
  } catch (error) {
    return { kind: 'refused', error: String((error as Error).cause ?? error) };
  }
}

for (const backend of activeBackends().filter((b) => b !== 'sqlite')) {
  describe(backend, () => {
    it(`app.close() while ${WORKERS} clients create users: each is a 201 kept or a clean refusal; 0 lost, 0 phantom, no session left`, async () => {
      const dbUrl = await freshDatabase(backend, SUITE);
      const first = await serveApp(dbUrl);
      await assertSessions(backend, SUITE);
      // 10 clients creating users one after another until they are refused; the close begins
      // after 200 ms, while requests are in flight.
      const outcomes: Outcome[] = [];
      let n = 0;
      const worker = async () => {
        for (;;) {
          const outcome = await create(first.base, `user ${n++}`);
          outcomes.push(outcome);
          if (outcome.kind === 'refused' || outcomes.length > 2000) return;
        }
      };
      const workers = Array.from({ length: WORKERS }, worker);
      await sleep(200);
      const closed = first.app.close();
      await Promise.all(workers);
      await closed;
      await assertNoSessions(backend, SUITE);

      const answered = outcomes.filter((o): o is Extract<Outcome, { kind: 'answered' }> => o.kind === 'answered');
      for (const o of answered) assert.ok(o.status === 201 || (o.status >= 400 && o.status < 500) || o.status === 503, `answered ${o.status}`);
      const acknowledged = answered.filter((o) => o.status === 201).map((o) => o.id!);
      assert.ok(acknowledged.length > 0, 'some requests were served before the close');

      // Read what was written through a fresh app (the first one has closed its connections).
      const second = await serveApp(dbUrl);
      try {
        const stored = (await User.all().valuesList('id', { flat: true })).sort((a, b) => a - b);
        assert.deepEqual(stored, [...acknowledged].sort((a, b) => a - b), '0 lost (every 201 is stored), 0 phantom (nothing else is)');
      } finally {
        await second.app.close();
      }
      const refused = outcomes.length - answered.length;
      const others = answered.filter((o) => o.status !== 201).map((o) => o.status);
      console.log(`graceful shutdown (${backend}): ${acknowledged.length} × 201, other answers ${JSON.stringify(others)}, ${refused} refused connections; 0 lost, 0 phantom`);
    });
  });
}
