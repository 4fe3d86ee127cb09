/**
 * What every command shares: it prints what it did and how long it took (or, with --json, one JSON
 * object on stdout), and a failure is one line on stderr and a non-zero exit code — the stack only
 * with --verbose. A command's handler returns its result; it never prints the summary or exits itself.
 */

export interface GlobalOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

export interface CommandResult {
  /** One line: what was done ("Applied 2 migrations"). */
  readonly summary: string;
  /** Details printed before the summary in text mode. */
  readonly lines?: readonly string[];
  /** The machine-readable result (--json). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Exit code when the command ran but the answer is "no" (`check`: 1). */
  readonly exitCode?: number;
  /** Printed as is to stdout in text mode instead of lines and summary (inspectdb, sql: output to pipe). */
  readonly raw?: string;
}

export interface CommandIo {
  readonly json: boolean;
  /** A progress line in text mode (to stderr when the command's stdout is data, see `raw`). */
  say(line: string): void;
}

const jsonText = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

export function elapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Runs one command's handler and reports; sets process.exitCode (the process ends when its handles close). */
export async function runCommand(name: string, globals: GlobalOptions, handler: (io: CommandIo) => Promise<CommandResult>): Promise<void> {
  const json = globals.json === true;
  const started = performance.now();
  const io: CommandIo = { json, say: (line) => (json ? undefined : process.stderr.write(`${line}\n`)) };
  try {
    const result = await handler(io);
    const ms = performance.now() - started;
    if (json) {
      process.stdout.write(`${jsonText({ command: name, ok: result.exitCode === undefined || result.exitCode === 0, summary: result.summary, ms: Math.round(ms), ...result.data })}\n`);
    } else if (result.raw !== undefined) {
      process.stdout.write(result.raw.endsWith('\n') ? result.raw : `${result.raw}\n`);
      process.stderr.write(`${result.summary} (${elapsed(ms)})\n`);
    } else {
      for (const line of result.lines ?? []) process.stdout.write(`${line}\n`);
      process.stdout.write(`${result.summary} (${elapsed(ms)})\n`);
    }
    process.exitCode = result.exitCode ?? 0;
  } catch (error) {
    const ms = performance.now() - started;
    const kind = error instanceof Error ? error.constructor.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(`${jsonText({ command: name, ok: false, ms: Math.round(ms), error: { type: kind, message } })}\n`);
    // One line, so a CI log shows the whole reason where it shows the failure.
    const oneLine = message.replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`terrapin ${name}: ${kind}: ${oneLine}\n`);
    if (globals.verbose === true && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ''}\n`);
      let cause = (error as { cause?: unknown }).cause;
      while (cause instanceof Error) {
        process.stderr.write(`caused by: ${cause.stack ?? cause.message}\n`);
        cause = (cause as { cause?: unknown }).cause;
      }
    }
    process.exitCode = 1;
  }
}
