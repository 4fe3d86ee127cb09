/**
 * Backend (server → client) messages: framing of the byte stream into messages, and the fields
 * of ErrorResponse / NoticeResponse.
 */

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

/**
 * Cuts the incoming chunks into whole messages. A message split across chunks waits in `parts`
 * until all its bytes are there, then is joined once (a 10 MB row arriving in 64 KB chunks is
 * copied once, not once per chunk).
 */
export class MessageReader {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes the split message needs in all, once its header has arrived. */
  private needed = 0;

  constructor(private readonly handle: MessageHandler) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.parts.length > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.needed === 0 && this.partsLength >= 5) this.needed = 1 + Buffer.concat(this.parts, 5).readInt32BE(1);
      if (this.needed === 0 || this.partsLength < this.needed) return;
      buffer = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
      this.needed = 0;
    }
    let at = 0;
    const total = buffer.length;
    while (total - at >= 5) {
      const end = at + 1 + buffer.readInt32BE(at + 1);
      if (end > total) break;
      this.handle(buffer[at]!, buffer, at + 5, end);
      at = end;
    }
    if (at < total) {
      const rest = buffer.subarray(at);
      this.parts = [rest];
      this.partsLength = rest.length;
      this.needed = rest.length >= 5 ? 1 + rest.readInt32BE(1) : 0;
    }
  }
}
