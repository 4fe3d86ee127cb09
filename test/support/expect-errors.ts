/**
 * Assertions on the errors Terrapin raises for wrong use, and on the statements a piece of work
 * runs: shared by the integration suites so each checks errors the same way.
 */
import assert from 'node:assert/strict';
import { Terrapin } from '../../src/index.js';

export type ErrorClass = new (...args: never[]) => Error;

/** For assert.throws/rejects: the error is a `type` whose message equals `message` (a string) or matches it (a RegExp). */
export function errorMatching(type: ErrorClass, message: RegExp | string): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    if (typeof message === 'string') assert.equal((error as Error).message, message);
    else assert.match((error as Error).message, message);
    return true;
  };
}

/** `fn` throws a `type` with this message. */
export function fails(fn: () => unknown, type: ErrorClass, message: RegExp | string): void {
  assert.throws(fn, errorMatching(type, message));
}

/** `promise` rejects with a `type` with this message. */
export async function rejects(promise: PromiseLike<unknown>, type: ErrorClass, message: RegExp | string): Promise<void> {
  await assert.rejects(Promise.resolve(promise), errorMatching(type, message));
}

/** Runs `fn` and returns its result with the SQL of every statement it ran on the default instance. */
export async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = [];
  const stop = Terrapin.onQuery((event) => queries.push(event.sql));
  try {
    return { result: await fn(), queries };
  } finally {
    stop();
  }
}
