/**
 * X25519 key pairs: generated with node:crypto, kept as two files, the secret
 * one readable by its owner only. A public key travels as base64url of its 32
 * raw bytes (43 characters): that string is the holder's identity.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface KeyPair {
  /** base64url of the raw 32-byte public key. */
  publicKey: string;
  privateKey: KeyObject;
}

export class KeyFileError extends Error {
  override name = "KeyFileError";
}

const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

export function isPublicKey(text: string): boolean {
  return PUBLIC_KEY.test(text);
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  return { privateKey, publicKey: rawPublicKey(publicKey) };
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("an X25519 key without its public part");
  return jwk.x;
}

/** The public key as a KeyObject, for diffieHellman. Throws on a malformed key. */
export function publicKeyObject(publicKey: string): KeyObject {
  if (!isPublicKey(publicKey))
    throw new KeyFileError("not an X25519 public key (43 base64url characters)");
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: publicKey }, format: "jwk" });
}

/** A short fingerprint for people: the first 16 hex digits of the key's SHA-256. */
export function fingerprint(publicKey: string): string {
  return createHash("sha256")
    .update(Buffer.from(publicKey, "base64url"))
    .digest("hex")
    .slice(0, 16);
}

/**
 * Loads NAME.key and NAME.pub from dir, creating them when both are missing.
 * Refuses a secret key file that group or others can read or write.
 */
export function loadOrCreateKeyPair(dir: string, name: string): KeyPair {
  const secretFile = join(dir, `${name}.key`);
  const publicFile = join(dir, `${name}.pub`);
  if (!existsSync(secretFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPair();
    const pem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    writeFileSync(secretFile, pem, { mode: 0o600, flag: "wx" });
    writeFileSync(publicFile, `${pair.publicKey}\n`, { mode: 0o644 });
    chmodSync(publicFile, 0o644);
    return pair;
  }
  const mode = statSync(secretFile).mode & 0o777;
  if (mode & 0o077) {
    throw new KeyFileError(
      `${secretFile} has mode ${mode.toString(8).padStart(4, "0")}: a secret key must be readable by its owner only (chmod 600)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(secretFile));
  } catch (error) {
    throw new KeyFileError(`${secretFile} is not a private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== "x25519") {
    throw new KeyFileError(`${secretFile} holds a ${privateKey.asymmetricKeyType} key, not X25519`);
  }
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  if (!existsSync(publicFile)) writeFileSync(publicFile, `${publicKey}\n`, { mode: 0o644 });
  return { privateKey, publicKey };
}

/** Reads a pinned public key file (one line of base64url). */
export function loadPublicKey(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new KeyFileError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (!isPublicKey(text))
    throw new KeyFileError(`${file} does not hold an X25519 public key (43 base64url characters)`);
  return text;
}
