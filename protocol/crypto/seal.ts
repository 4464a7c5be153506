/**
 * Sealing and opening datagrams. Layout (all integers big-endian):
 *
 *   0  magic "AS" | 2 version (1) | 3 kind (1 session, 2 heartbeat)
 *   4  sender public key, 32 bytes raw
 *  36  sender start id, 8 bytes (random per process start)
 *  44  counter u64 (per sender start, never repeats)
 *  52  ChaCha20-Poly1305 ciphertext, then its 16-byte tag
 *
 * The header is the AEAD's additional data. The key is derived per direction,
 * sender start and kind: HKDF-SHA256(X25519(secret, peer public), salt
 * "assim v1", info sender || receiver || start id || kind), so the 96-bit nonce
 * (4 zero bytes + counter) never repeats under one key.
 */
import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import type { PacketKind } from "../transport.js";
import { type KeyPair, publicKeyObject } from "./keys.js";
import { Lru } from "./lru.js";

export const HEADER_SIZE = 52;
export const TAG_SIZE = 16;
export const OVERHEAD = HEADER_SIZE + TAG_SIZE;
const MAGIC_0 = 0x41; // "A"
const MAGIC_1 = 0x53; // "S"
const VERSION = 1;
const KINDS: Record<number, PacketKind> = { 1: "session", 2: "heartbeat" };
const KIND_BYTE: Record<PacketKind, number> = { session: 1, heartbeat: 2 };
const SALT = Buffer.from("assim v1");

export interface Header {
  kind: PacketKind;
  sender: string;
  senderRaw: Buffer;
  startId: string;
  counter: bigint;
}

export type ParseResult = { ok: true; header: Header } | { ok: false; reason: string };

/** Reads the clear header: cheap, no crypto. */
export function parseHeader(datagram: Buffer): ParseResult {
  if (datagram.length < OVERHEAD) return { ok: false, reason: "too_short" };
  if (datagram[0] !== MAGIC_0 || datagram[1] !== MAGIC_1) return { ok: false, reason: "bad_magic" };
  if (datagram[2] !== VERSION) return { ok: false, reason: "bad_version" };
  const kind = KINDS[datagram[3] ?? 0];
  if (!kind) return { ok: false, reason: "bad_kind" };
  const senderRaw = datagram.subarray(4, 36);
  return {
    ok: true,
    header: {
      kind,
      sender: senderRaw.toString("base64url"),
      senderRaw,
      startId: datagram.subarray(36, 44).toString("hex"),
      counter: datagram.readBigUInt64BE(44),
    },
  };
}

/** Seals and opens for one key pair; caches peer keys and derived keys (bounded). */
export class Sealer {
  private readonly ownRaw: Buffer;
  private readonly startRaw: Buffer;
  private readonly shared = new Lru<string, Buffer | null>(4096);
  private readonly derived = new Lru<string, Buffer>(8192);
  private counter = 0n;

  constructor(
    private readonly keys: KeyPair,
    readonly startId: string,
  ) {
    this.ownRaw = Buffer.from(keys.publicKey, "base64url");
    this.startRaw = Buffer.from(startId, "hex");
    if (this.startRaw.length !== 8) throw new Error("a start id is 16 hex digits");
  }

  seal(peerKey: string, kind: PacketKind, plaintext: Buffer): Buffer | null {
    const peerRaw = Buffer.from(peerKey, "base64url");
    const key = this.key(peerKey, this.ownRaw, peerRaw, this.startRaw, kind);
    if (!key) return null;
    this.counter += 1n;
    const header = Buffer.alloc(HEADER_SIZE);
    header[0] = MAGIC_0;
    header[1] = MAGIC_1;
    header[2] = VERSION;
    header[3] = KIND_BYTE[kind];
    this.ownRaw.copy(header, 4);
    this.startRaw.copy(header, 36);
    header.writeBigUInt64BE(this.counter, 44);
    const cipher = createCipheriv("chacha20-poly1305", key, nonceOf(this.counter), {
      authTagLength: TAG_SIZE,
    });
    cipher.setAAD(header, { plaintextLength: plaintext.length });
    return Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /** Decrypts a datagram whose header parsed; null when it does not authenticate. */
  open(datagram: Buffer, header: Header): Buffer | null {
    const key = this.key(
      header.sender,
      header.senderRaw,
      this.ownRaw,
      datagram.subarray(36, 44),
      header.kind,
    );
    if (!key) return null;
    const tagStart = datagram.length - TAG_SIZE;
    try {
      const decipher = createDecipheriv("chacha20-poly1305", key, nonceOf(header.counter), {
        authTagLength: TAG_SIZE,
      });
      decipher.setAAD(datagram.subarray(0, HEADER_SIZE), {
        plaintextLength: tagStart - HEADER_SIZE,
      });
      decipher.setAuthTag(datagram.subarray(tagStart));
      return Buffer.concat([
        decipher.update(datagram.subarray(HEADER_SIZE, tagStart)),
        decipher.final(),
      ]);
    } catch {
      return null;
    }
  }

  private key(
    peerKey: string,
    senderRaw: Buffer,
    receiverRaw: Buffer,
    startRaw: Buffer,
    kind: PacketKind,
  ): Buffer | null {
    const cacheKey = `${senderRaw.toString("base64url")}>${receiverRaw.toString("base64url")}/${startRaw.toString("hex")}/${kind}`;
    const cached = this.derived.get(cacheKey);
    if (cached) return cached;
    const secret = this.sharedSecret(peerKey);
    if (!secret) return null;
    const info = Buffer.concat([senderRaw, receiverRaw, startRaw, Buffer.from([KIND_BYTE[kind]])]);
    const key = Buffer.from(hkdfSync("sha256", secret, SALT, info, 32));
    this.derived.set(cacheKey, key);
    return key;
  }

  private sharedSecret(peerKey: string): Buffer | null {
    const cached = this.shared.get(peerKey);
    if (cached !== undefined) return cached;
    let secret: Buffer | null;
    try {
      const publicKey: KeyObject = publicKeyObject(peerKey);
      secret = diffieHellman({ privateKey: this.keys.privateKey, publicKey });
      // A small-order public key gives an all-zero secret: anyone could compute it.
      if (secret.every((byte) => byte === 0)) secret = null;
    } catch {
      secret = null;
    }
    this.shared.set(peerKey, secret);
    return secret;
  }
}

function nonceOf(counter: bigint): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(counter, 4);
  return nonce;
}
