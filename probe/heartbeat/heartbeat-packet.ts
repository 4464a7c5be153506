/**
 * The heartbeat payload, inside a sealed "heartbeat" packet: small on purpose.
 * The sender's identity and freshness come from the packet layer (its key, start
 * id and counter); the payload only says "heartbeat" and carries a sequence
 * number for diagnostics.
 */
const HEARTBEAT = 1;
const SIZE = 9;

export function encodeHeartbeat(sequence: bigint): Buffer {
  const payload = Buffer.alloc(SIZE);
  payload.writeUInt8(HEARTBEAT, 0);
  payload.writeBigUInt64BE(sequence, 1);
  return payload;
}

/** The sequence number, or null for anything that is not a heartbeat payload. */
export function decodeHeartbeat(payload: Buffer): bigint | null {
  if (payload.length !== SIZE || payload.readUInt8(0) !== HEARTBEAT) return null;
  return payload.readBigUInt64BE(1);
}
