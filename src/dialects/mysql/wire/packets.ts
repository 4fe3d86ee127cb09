/**
 * MySQL protocol packets: a 3-byte little-endian payload length and a sequence number before
 * each payload; payloads of 16 MB − 1 or more continue in the next packet. The writer builds
 * commands (sequence 0, split when large); the reader hands whole payloads to a handler.
 */

import { ByteWriter, FrameReader } from '../../../execution/wire-buffers.js';

const MAX_PACKET = 0xffffff;

/** Builds the payload of one command at a time and frames it into packets. */
export class PacketWriter extends ByteWriter {
  /** Where the current payload starts (its 4-byte header sits just before). */
  private start = 0;

  /** Starts a payload; `sequence` is 0 for a new command, the next number in an exchange. */
  begin(sequence = 0): this {
    this.ensure(4);
    this.buffer[this.length + 3] = sequence;
    this.length += 4;
    this.start = this.length;
    return this;
  }

  /** Finishes the payload begun last: its header, and continuation packets past 16 MB. */
  end(): this {
    const size = this.length - this.start;
    if (size < MAX_PACKET) {
      this.buffer.writeUIntLE(size, this.start - 4, 3);
      return this;
    }
    // Large payload: cut it into full packets (and an empty one when it divides exactly).
    const payload = Buffer.from(this.buffer.subarray(this.start, this.length));
    let sequence = this.buffer[this.start - 1]!;
    this.length = this.start - 4;
    for (let at = 0; at <= payload.length; at += MAX_PACKET) {
      const part = payload.subarray(at, Math.min(at + MAX_PACKET, payload.length));
      this.ensure(4 + part.length);
      this.buffer.writeUIntLE(part.length, this.length, 3);
      this.buffer[this.length + 3] = sequence++ & 0xff;
      this.buffer.set(part, this.length + 4);
      this.length += 4 + part.length;
      if (part.length < MAX_PACKET) break;
    }
    return this;
  }

  int8(value: number): this {
    this.ensure(1);
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16LE(value, this.length);
    this.length += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.buffer.writeBigInt64LE(value, this.length);
    this.length += 8;
    return this;
  }

  double(value: number): this {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
    return this;
  }

  /** A length-encoded integer. */
  lenenc(value: number): this {
    if (value < 251) return this.int8(value);
    if (value < 0x10000) return this.int8(0xfc).int16(value);
    if (value < 0x1000000) {
      this.int8(0xfd);
      this.ensure(3);
      this.buffer.writeUIntLE(value, this.length, 3);
      this.length += 3;
      return this;
    }
    return this.int8(0xfe).int64(BigInt(value));
  }

  /** UTF-8 text with its length first. */
  lenencString(text: string): this {
    const size = Buffer.byteLength(text);
    this.lenenc(size);
    this.ensure(size);
    this.buffer.write(text, this.length, 'utf8');
    this.length += size;
    return this;
  }

  /** UTF-8 text to the end of the payload (COM_QUERY, COM_STMT_PREPARE). */
  rest(text: string): this {
    this.ensure(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
    return this;
  }

  cstring(text: string): this {
    this.rest(text);
    return this.int8(0);
  }

  zeros(count: number): this {
    this.ensure(count);
    this.buffer.fill(0, this.length, this.length + count);
    this.length += count;
    return this;
  }
}

export type PayloadHandler = (payload: Buffer, start: number, end: number, sequence: number) => void;

/** Cuts incoming chunks into payloads; a payload continued over several packets is joined before delivery. */
export class PacketReader {
  private readonly frames: FrameReader;
  /** Payload pieces of a large payload still being continued. */
  private continued: Buffer[] = [];

  constructor(private readonly handle: PayloadHandler) {
    this.frames = new FrameReader(4, (buffer, at) => 4 + buffer.readUIntLE(at, 3), (buffer, start, end) => this.onPacket(buffer, start, end));
  }

  push(chunk: Buffer): void {
    this.frames.push(chunk);
  }

  private onPacket(buffer: Buffer, start: number, end: number): void {
    const sequence = buffer[start + 3]!;
    const size = end - start - 4;
    if (size < MAX_PACKET && this.continued.length === 0) {
      this.handle(buffer, start + 4, end, sequence);
      return;
    }
    this.continued.push(buffer.subarray(start + 4, end));
    if (size < MAX_PACKET) {
      const whole = Buffer.concat(this.continued);
      this.continued = [];
      this.handle(whole, 0, whole.length, sequence);
    }
  }
}

/** Reads length-encoded values from a payload, moving forward. */
export class PayloadCursor {
  constructor(
    readonly buffer: Buffer,
    public at: number,
    readonly end: number,
  ) {}

  int8(): number {
    return this.buffer[this.at++]!;
  }

  int16(): number {
    const value = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    return value;
  }

  int32(): number {
    const value = this.buffer.readUInt32LE(this.at);
    this.at += 4;
    return value;
  }

  /** A length-encoded integer (numbers past 2^53 lose precision; row counts and ids stay below). */
  lenenc(): number {
    const first = this.buffer[this.at++]!;
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.int16();
    if (first === 0xfd) {
      const value = this.buffer.readUIntLE(this.at, 3);
      this.at += 3;
      return value;
    }
    if (first === 0xfe) {
      const value = Number(this.buffer.readBigUInt64LE(this.at));
      this.at += 8;
      return value;
    }
    return -1; // 0xfb: NULL
  }

  /** A length-encoded integer, as a bigint when it is past 2^53 (auto-increment ids can be). */
  lenencExact(): number | bigint {
    if (this.buffer[this.at] !== 0xfe) return this.lenenc();
    const value = this.buffer.readBigUInt64LE(this.at + 1);
    this.at += 9;
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? value : Number(value);
  }

  lenencString(): string {
    const size = this.lenenc();
    const value = this.buffer.toString('utf8', this.at, this.at + size);
    this.at += size;
    return value;
  }

  skipLenencString(): void {
    const size = this.lenenc();
    this.at += size;
  }

  cstring(): string {
    const stop = this.buffer.indexOf(0, this.at);
    const value = this.buffer.toString('utf8', this.at, stop);
    this.at = stop + 1;
    return value;
  }

  restString(): string {
    return this.buffer.toString('utf8', this.at, this.end);
  }
}
