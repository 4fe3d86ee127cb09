/**
 * makemigrations' questions on a terminal: was this model or field renamed, what value do existing
 * rows get. Only when both stdin and stderr are terminals — a CI job or a pipe gets the
 * non-interactive answers, and the autodetector then refuses to guess and names the flag to pass.
 */
import { createInterface } from 'node:readline/promises';
import type { JsonValue } from '../fields/misc.js';
import { NON_INTERACTIVE, type Questioner } from '../migrations/autodetector.js';
import type { FieldState } from '../migrations/state.js';

export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

const yes = async (question: string) => /^y(es)?$/i.test(await ask(`${question} [y/N] `));

export const terminalQuestioner: Questioner = {
  renameModel: (from, to) => yes(`Was the model ${from} renamed to ${to}? (no: ${from} is dropped with its rows)`),
  renameField: (model, from: FieldState, to: FieldState) =>
    yes(`Was ${model}.${from.name} renamed to ${model}.${to.name} (${to.fieldType})? (no: '${from.name}' is dropped with its values)`),
  async fill(model, field, why): Promise<JsonValue | undefined> {
    const answer = await ask(
      `${model}.${field.name} is ${why === 'new' ? 'a new NOT NULL field' : 'NOT NULL now'} without a default. Value for the existing rows (JSON, or text; empty to stop): `,
    );
    if (answer === '') return undefined;
    try {
      return JSON.parse(answer) as JsonValue;
    } catch {
      return answer;
    }
  },
};

export function questioner(): Questioner {
  return isInteractive() ? terminalQuestioner : NON_INTERACTIVE;
}
