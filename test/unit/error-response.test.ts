/**
 * errorResponse for outages and conflicts (issue 17): 503 with a `detail` saying which kind, logged
 * (`unexpected`), the driver's message, host and SQL never in the body. web-outage.test.ts checks
 * the outages behind real frameworks with real servers stopped and frozen.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommitOutcomeUnknownError, DatabaseUnavailableError, OperationalError, QueryTimeoutError, TransactionRetryError } from '../../src/index.js';
import { errorResponse } from '../../src/integrations/error-response.js';

const SECRET = 'PostgreSQL: connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)';

it('outages and retryable conflicts are 503s with a detail of their kind; nothing of the cause leaks', () => {
  const cases: [Error, string][] = [
    [new DatabaseUnavailableError(SECRET, { sql: 'SELECT secret' }), 'Service Unavailable: the database cannot be reached; try again later'],
    [new QueryTimeoutError(SECRET), 'Service Unavailable: the database did not answer in time; try again later'],
    [new CommitOutcomeUnknownError(SECRET), 'Service Unavailable: the database connection was lost while committing; the change may or may not have been saved, check before sending it again'],
    [new TransactionRetryError(SECRET, { code: '40P01' }), 'Service Unavailable: the transaction conflicted with another one and was rolled back; send the request again'],
  ];
  for (const [error, detail] of cases) {
    const response = errorResponse(error);
    assert.deepEqual(response, { status: 503, body: { detail }, unexpected: true }, error.name);
    assert.ok(!JSON.stringify(response.body).includes('10.0.0.7') && !JSON.stringify(response.body).includes('hunter2'));
  }
  // Any other database failure stays a bare 500.
  assert.deepEqual(errorResponse(new OperationalError(SECRET)), { status: 500, body: { detail: 'Internal Server Error' }, unexpected: true });
});
