/**
 * A bounds-checked cursor over a byte range, so that no decoder does its own
 * index arithmetic. Reading past the range throws a DecodeFault naming the
 * TLV (or header) the range belongs to and that TLV's offset in the frame;
 * the decoders' entry points turn a DecodeFault into an error result, and
 * let any other exception (a bug) through.
 */

/**
 * Thrown inside the decoders and always caught by their entry points, so it
 * is deliberately not an Error: capturing a stack trace for every malformed
 * frame would cost more than decoding it.
 */
export class DecodeFault {
  constructor(
    readonly tlv: string,
    readonly offset: number,
    readonly message: string,
  ) {}
}

/**
 * Every bounds check made by any ByteReader. Each loop in the decoders reads
 * through a ByteReader and every read but an empty one consumes bytes, so the
 * count per frame stays proportional to the frame's length; the fuzz test
 * holds each decode to such a budget, which is how it proves nothing loops.
 */
export const readerSteps = { count: 0 };

export class ByteReader {
  private pos: number;

  /**
   * @param bytes the whole buffer
   * @param start first byte of this range in `bytes`
   * @param end one past the last byte of this range in `bytes`
   * @param frameOffset where `bytes[0]` sits in the frame (for error offsets)
   * @param tlv what this range is, for error messages
   * @param tlvOffset the frame offset of the TLV (or header) this range belongs to
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    readonly frameOffset: number,
    readonly tlv: string,
    readonly tlvOffset: number,
  ) {
    this.pos = start;
  }

  static over(bytes: Uint8Array, frameOffset: number, tlv: string): ByteReader {
    return new ByteReader(bytes, 0, bytes.length, frameOffset, tlv, frameOffset);
  }

  /** Frame offset of the next byte. */
  get offset(): number {
    return this.frameOffset + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string): never {
    throw new DecodeFault(this.tlv, this.tlvOffset, message);
  }

  private need(count: number, what: string): void {
    readerSteps.count++;
    if (count > this.end - this.pos) {
      this.fail(
        `${what} needs ${count} byte${count === 1 ? "" : "s"} at offset ${this.offset}, ` +
          `only ${this.end - this.pos} left`,
      );
    }
  }

  u8(what = "field"): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  u16(what = "field"): number {
    this.need(2, what);
    const value = ((this.bytes[this.pos] as number) << 8) | (this.bytes[this.pos + 1] as number);
    this.pos += 2;
    return value;
  }

  u24(what = "field"): number {
    this.need(3, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
  }

  u32(what = "field"): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (
      (b[p] as number) * 0x1000000 +
      (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
    );
  }

  /** The next `count` bytes, as a view (no copy). */
  take(count: number, what = "field"): Uint8Array {
    this.need(count, what);
    const view = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return view;
  }

  /** Everything left in the range. */
  rest(): Uint8Array {
    readerSteps.count++;
    const view = this.bytes.subarray(this.pos, this.end);
    this.pos = this.end;
    return view;
  }

  skip(count: number, what = "field"): void {
    this.need(count, what);
    this.pos += count;
  }

  /**
   * A reader over the next `count` bytes, for the TLV `tlv` whose header
   * starts at frame offset `tlvOffset`; this reader moves past them.
   */
  sub(count: number, tlv: string, tlvOffset: number, what = `${tlv} value`): ByteReader {
    readerSteps.count++;
    if (count > this.end - this.pos) {
      // The fault belongs to the TLV whose length lies, not to the enclosing range.
      throw new DecodeFault(
        tlv,
        tlvOffset,
        `${what} needs ${count} bytes at offset ${this.offset}, only ${this.end - this.pos} left`,
      );
    }
    const reader = new ByteReader(
      this.bytes,
      this.pos,
      this.pos + count,
      this.frameOffset,
      tlv,
      tlvOffset,
    );
    this.pos += count;
    return reader;
  }

  /** A reader over what is left here, under another TLV name (e.g. an organisation TLV's subtype). */
  renamed(tlv: string): ByteReader {
    return new ByteReader(this.bytes, this.pos, this.end, this.frameOffset, tlv, this.tlvOffset);
  }

  /** Fails unless exactly `count` bytes are left: for fixed-size TLV values. */
  expectLength(count: number): void {
    if (this.end - this.pos !== count) {
      this.fail(
        `${this.tlv} value must be ${count} byte${count === 1 ? "" : "s"}, ` +
          `it is ${this.end - this.pos}`,
      );
    }
  }

  /** Fails unless at least `count` bytes are left. */
  expectAtLeast(count: number): void {
    if (this.end - this.pos < count) {
      this.fail(`${this.tlv} value must be at least ${count} bytes, it is ${this.end - this.pos}`);
    }
  }
}
