/**
 * Byte handling both of Terrapin's database clients need: a growing buffer that requests are
 * written into and taken from in one piece, and a reader that cuts the incoming stream into the
 * protocol's length-prefixed frames.
 */

const INITIAL_SIZE = 8192;
const SHRINK_ABOVE = 1024 * 1024;

/** A buffer that grows as messages are written; `take()` hands them out as a buffer of their own. */
export class ByteWriter {
  protected buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  protected length = 0;

  protected ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Where the next message will start: `reset(mark)` drops everything written after it. */
  mark(): number {
    return this.length;
  }

  reset(mark: number): void {
    this.length = mark;
  }

  /** The messages built since the last call, copied out, so the socket may keep them while the next are built. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buffer.copy(out, 0, 0, this.length);
    this.length = 0;
    // One huge parameter must not pin a buffer its size for the connection's lifetime.
    if (this.buffer.length > SHRINK_ABOVE) this.buffer = Buffer.allocUnsafe(INITIAL_SIZE);
    return out;
  }
}

/**
 * Cuts incoming chunks into frames of `headerLength` bytes plus what the header says. A frame
 * split across chunks waits in `parts` until all its bytes are there, then is joined once (a
 * 10 MB row arriving in 64 KB chunks is copied once, not once per chunk).
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes the split frame needs in all, once its header has arrived. */
  private needed = 0;

  constructor(
    private readonly headerLength: number,
    /** The whole frame's length, header included, from the header at `at`. */
    private readonly frameLength: (buffer: Buffer, at: number) => number,
    private readonly handle: (buffer: Buffer, start: number, end: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.parts.length > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.needed === 0 && this.partsLength >= this.headerLength) this.needed = this.frameLength(Buffer.concat(this.parts, this.headerLength), 0);
      if (this.needed === 0 || this.partsLength < this.needed) return;
      buffer = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
      this.needed = 0;
    }
    let at = 0;
    const total = buffer.length;
    while (total - at >= this.headerLength) {
      const end = at + this.frameLength(buffer, at);
      if (end > total) break;
      this.handle(buffer, at, end);
      at = end;
    }
    if (at < total) {
      const rest = buffer.subarray(at);
      this.parts = [rest];
      this.partsLength = rest.length;
      this.needed = rest.length >= this.headerLength ? this.frameLength(rest, 0) : 0;
    }
  }
}
