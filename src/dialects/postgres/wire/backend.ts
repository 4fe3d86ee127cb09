/**
 * Backend (server → client) messages: framing of the byte stream into messages, and the fields
 * of ErrorResponse / NoticeResponse.
 */
import { FrameReader } from '../../../execution/wire-buffers.js';

/** An ErrorResponse: the server's fields, named as libpq and postgres.js name them. */
export class PostgresServerError extends Error {
  readonly severity: string;
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: string | undefined;
  readonly schema_name: string | undefined;
  readonly table_name: string | undefined;
  readonly column_name: string | undefined;
  readonly constraint_name: string | undefined;
  readonly routine: string | undefined;

  constructor(fields: ReadonlyMap<string, string>) {
    super(fields.get('M') ?? 'unknown server error');
    this.name = 'PostgresServerError';
    this.severity = fields.get('V') ?? fields.get('S') ?? 'ERROR';
    this.code = fields.get('C') ?? 'XX000';
    this.detail = fields.get('D');
    this.hint = fields.get('H');
    this.position = fields.get('P');
    this.schema_name = fields.get('s');
    this.table_name = fields.get('t');
    this.column_name = fields.get('c');
    this.constraint_name = fields.get('n');
    this.routine = fields.get('R');
  }
}

/** The fields of an ErrorResponse or NoticeResponse body: a type byte and a C string each. */
export function readErrorFields(buffer: Buffer, start: number, end: number): Map<string, string> {
  const fields = new Map<string, string>();
  let at = start;
  while (at < end && buffer[at] !== 0) {
    const type = String.fromCharCode(buffer[at]!);
    const stop = buffer.indexOf(0, at + 1);
    fields.set(type, buffer.toString('utf8', at + 1, stop));
    at = stop + 1;
  }
  return fields;
}

/** Reads a C string at `at`; returns it with the offset after its terminator. */
export function readCString(buffer: Buffer, at: number): [string, number] {
  const stop = buffer.indexOf(0, at);
  return [buffer.toString('utf8', at, stop), stop + 1];
}

export type MessageHandler = (type: number, buffer: Buffer, start: number, end: number) => void;

/** Cuts the stream into messages: a type byte, then a 32-bit length that counts itself and the body. */
export function messageReader(handle: MessageHandler): FrameReader {
  return new FrameReader(
    5,
    (buffer, at) => 1 + buffer.readInt32BE(at + 1),
    (buffer, start, end) => handle(buffer[start]!, buffer, start + 5, end),
  );
}
