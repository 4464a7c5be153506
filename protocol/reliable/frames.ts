/**
 * Frames of the reliable layer, inside the plaintext of a "session" packet.
 * All integers big-endian; start ids are the 8-byte process-start ids of the
 * packet layer.
 *
 *   DATA      1 | ver | flags | dst start (8) | seq u64 | fragment u16 | of u16 | chunk
 *   ACK       2 | ver | dst start (8) | handled u64 | received-through u64
 *               | bitmap u64 (bit i: seq received-through + 1 + i is received)
 *               | refusals u8 | refusals × (seq u64 | length u16 | UTF-8 reason)
 *   CHALLENGE 3 | ver | nonce (16) | known start (8: the start the challenger has
 *               confirmed for the recipient, zeros when none)
 *   CONFIRM   4 | ver | nonce (16)
 *
 * flags bit 0: the message's bytes are deflate-compressed.
 */

export const VERSION = 1;
export const DATA = 1;
export const ACK = 2;
export const CHALLENGE = 3;
export const CONFIRM = 4;
export const COMPRESSED = 1;
export const DATA_HEADER = 23;
const ACK_HEADER = 35;

export interface DataFrame {
  type: typeof DATA;
  flags: number;
  dstStart: string;
  seq: bigint;
  fragment: number;
  of: number;
  chunk: Buffer;
}

export interface Refusal {
  seq: bigint;
  reason: string;
}

export interface AckFrame {
  type: typeof ACK;
  dstStart: string;
  /** Every message whose frames are all <= this was handled. */
  handled: bigint;
  /** Every frame <= this was received (buffered or handled). */
  receivedThrough: bigint;
  bitmap: bigint;
  refusals: Refusal[];
}

export interface NonceFrame {
  type: typeof CHALLENGE | typeof CONFIRM;
  nonce: Buffer;
  /** CHALLENGE only: the recipient's start the challenger holds a session with, or null. */
  knownStart: string | null;
}

export type Frame = DataFrame | AckFrame | NonceFrame;

export function encodeData(frame: Omit<DataFrame, "type">): Buffer {
  const out = Buffer.alloc(DATA_HEADER + frame.chunk.length);
  out[0] = DATA;
  out[1] = VERSION;
  out[2] = frame.flags;
  out.write(frame.dstStart, 3, 8, "hex");
  out.writeBigUInt64BE(frame.seq, 11);
  out.writeUInt16BE(frame.fragment, 19);
  out.writeUInt16BE(frame.of, 21);
  frame.chunk.copy(out, DATA_HEADER);
  return out;
}

export function encodeAck(frame: Omit<AckFrame, "type">): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(ACK_HEADER);
  head[0] = ACK;
  head[1] = VERSION;
  head.write(frame.dstStart, 2, 8, "hex");
  head.writeBigUInt64BE(frame.handled, 10);
  head.writeBigUInt64BE(frame.receivedThrough, 18);
  head.writeBigUInt64BE(frame.bitmap, 26);
  head[34] = frame.refusals.length;
  parts.push(head);
  for (const refusal of frame.refusals) {
    const reason = Buffer.from(refusal.reason, "utf8").subarray(0, 300);
    const entry = Buffer.alloc(10);
    entry.writeBigUInt64BE(refusal.seq, 0);
    entry.writeUInt16BE(reason.length, 8);
    parts.push(entry, reason);
  }
  return Buffer.concat(parts);
}

const NO_START = "0000000000000000";

export function encodeConfirm(nonce: Buffer): Buffer {
  return Buffer.concat([Buffer.from([CONFIRM, VERSION]), nonce]);
}

export function encodeChallenge(nonce: Buffer, knownStart: string | null): Buffer {
  return Buffer.concat([
    Buffer.from([CHALLENGE, VERSION]),
    nonce,
    Buffer.from(knownStart ?? NO_START, "hex"),
  ]);
}

/** Parses a frame; null for anything malformed (never throws). */
export function decodeFrame(bytes: Buffer): Frame | null {
  if (bytes.length < 2 || bytes[1] !== VERSION) return null;
  switch (bytes[0]) {
    case DATA: {
      if (bytes.length < DATA_HEADER) return null;
      const fragment = bytes.readUInt16BE(19);
      const of = bytes.readUInt16BE(21);
      if (of === 0 || fragment >= of) return null;
      return {
        type: DATA,
        flags: bytes[2] as number,
        dstStart: bytes.subarray(3, 11).toString("hex"),
        seq: bytes.readBigUInt64BE(11),
        fragment,
        of,
        chunk: bytes.subarray(DATA_HEADER),
      };
    }
    case ACK: {
      if (bytes.length < ACK_HEADER) return null;
      const count = bytes[34] as number;
      const refusals: Refusal[] = [];
      let at = ACK_HEADER;
      for (let i = 0; i < count; i++) {
        if (at + 10 > bytes.length) return null;
        const seq = bytes.readBigUInt64BE(at);
        const length = bytes.readUInt16BE(at + 8);
        if (at + 10 + length > bytes.length) return null;
        refusals.push({ seq, reason: bytes.subarray(at + 10, at + 10 + length).toString("utf8") });
        at += 10 + length;
      }
      if (at !== bytes.length) return null;
      return {
        type: ACK,
        dstStart: bytes.subarray(2, 10).toString("hex"),
        handled: bytes.readBigUInt64BE(10),
        receivedThrough: bytes.readBigUInt64BE(18),
        bitmap: bytes.readBigUInt64BE(26),
        refusals,
      };
    }
    case CHALLENGE: {
      if (bytes.length !== 26) return null;
      const known = bytes.subarray(18, 26).toString("hex");
      return {
        type: CHALLENGE,
        nonce: bytes.subarray(2, 18),
        knownStart: known === NO_START ? null : known,
      };
    }
    case CONFIRM:
      if (bytes.length !== 18) return null;
      return { type: CONFIRM, nonce: bytes.subarray(2), knownStart: null };
    default:
      return null;
  }
}
