/**
 * Frontend (client → server) messages of the PostgreSQL protocol, version 3. One writer per
 * connection builds the messages of a request into a growing buffer; `take()` hands out a copy,
 * so the socket may keep it while the next request is built.
 */
import { ByteWriter } from '../../../execution/wire-buffers.js';

export class MessageWriter extends ByteWriter {
  private start = 0;

  /** Starts a message: its type byte and room for its length. */
  private begin(type: number): this {
    this.ensure(5);
    this.start = this.length;
    this.buffer[this.length] = type;
    this.length += 5;
    return this;
  }

  /** Writes the length of the message begun last. */
  private end(): void {
    this.buffer.writeInt32BE(this.length - this.start - 1, this.start + 1);
  }

  private int16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  /** Counts (of parameters and their formats) are unsigned 16-bit. */
  private uint16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  private int32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  private cstring(text: string): this {
    this.ensure(text.length * 3 + 1);
    this.length += this.buffer.write(text, this.length, 'utf8');
    this.buffer[this.length++] = 0;
    return this;
  }


  /** A length-prefixed parameter value (−1 for NULL), as Bind carries them. */
  private value(value: string | Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    if (typeof value === 'string') {
      this.ensure(value.length * 3 + 4);
      const written = this.buffer.write(value, this.length + 4, 'utf8');
      this.buffer.writeInt32BE(written, this.length);
      this.length += 4 + written;
      return this;
    }
    return this.int32(value.length).bytes(value);
  }

  startup(parameters: Readonly<Record<string, string>>): this {
    this.ensure(8);
    this.start = this.length;
    this.length += 4;
    this.int32(196608); // protocol 3.0
    for (const [name, value] of Object.entries(parameters)) this.cstring(name).cstring(value);
    this.ensure(1);
    this.buffer[this.length++] = 0;
    this.buffer.writeInt32BE(this.length - this.start, this.start);
    return this;
  }

  password(text: string): this {
    this.begin(0x70).cstring(text).end();
    return this;
  }

  saslInitial(mechanism: string, data: string): this {
    const bytes = Buffer.from(data, 'utf8');
    this.begin(0x70).cstring(mechanism).int32(bytes.length).bytes(bytes).end();
    return this;
  }

  saslResponse(data: string): this {
    this.begin(0x70).bytes(Buffer.from(data, 'utf8')).end();
    return this;
  }

  /** Parse: a named statement, parameter types left for the server to infer. */
  parse(name: string, sql: string): this {
    this.begin(0x50).cstring(name).cstring(sql).int16(0).end();
    return this;
  }

  /** A message about one named statement ('S'): Describe or Close. */
  private aboutStatement(type: number, name: string): this {
    this.begin(type);
    this.ensure(1);
    this.buffer[this.length++] = 0x53;
    this.cstring(name).end();
    return this;
  }

  describeStatement(name: string): this {
    return this.aboutStatement(0x44, name);
  }

  /**
   * Bind to the unnamed portal. Text parameters, except byte arrays, which go in binary (their
   * bytes as they are, no hex); every result column comes back as text.
   */
  bind(statement: string, values: readonly (string | Uint8Array | null)[]): this {
    this.begin(0x42).cstring('').cstring(statement);
    let binary = false;
    for (const value of values) if (value !== null && typeof value !== 'string') binary = true;
    if (binary) {
      this.uint16(values.length);
      for (const value of values) this.int16(value !== null && typeof value !== 'string' ? 1 : 0);
    } else {
      this.int16(0);
    }
    this.uint16(values.length);
    for (const value of values) this.value(value);
    this.int16(0).end();
    return this;
  }

  execute(): this {
    this.begin(0x45).cstring('').int32(0).end();
    return this;
  }

  closeStatement(name: string): this {
    return this.aboutStatement(0x43, name);
  }

  sync(): this {
    this.begin(0x53).end();
    return this;
  }

  terminate(): this {
    this.begin(0x58).end();
    return this;
  }
}
