/**
 * Test helper: writes `m.megolm_backup.v1.curve25519-aes-sha2` entries with node:crypto (an
 * implementation independent of the noble code under test), exactly as matrix-crypto.md §3.3
 * describes: X25519 with a fresh (or given) ephemeral key, HKDF-SHA-256 (zero salt, empty info,
 * 80 bytes), AES-256-CBC/PKCS#7, and the 8-byte HMAC of the empty string. Needs only the public key,
 * which is the point of security.md G4.
 */
import * as nodeCrypto from 'node:crypto';

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64').replace(/=+$/, '');

export interface SessionData {
  ephemeral: string;
  ciphertext: string;
  mac: string;
}

export interface EncryptOptions {
  /** Ephemeral private key (random when absent). */
  ephemeralPrivate?: Uint8Array;
  /** Pad the plaintext ourselves with this byte instead of PKCS#7 (to make bad padding). */
  badPadByte?: number;
  /** Bytes of the tag to publish (8 by default). */
  macBytes?: number;
}

export function encryptBackupEntry(backupPublicKey: Uint8Array, plaintext: string | Uint8Array, opts: EncryptOptions = {}): SessionData {
  const ephPriv = opts.ephemeralPrivate ?? nodeCrypto.randomBytes(32);
  const privateKey = nodeCrypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519, ephPriv]), format: 'der', type: 'pkcs8' });
  const publicKey = nodeCrypto.createPublicKey({ key: Buffer.concat([SPKI_X25519, backupPublicKey]), format: 'der', type: 'spki' });
  const shared = nodeCrypto.diffieHellman({ privateKey, publicKey });
  const keys = Buffer.from(nodeCrypto.hkdfSync('sha256', shared, Buffer.alloc(32), Buffer.alloc(0), 80));
  const pt = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
  let ct: Buffer;
  if (opts.badPadByte !== undefined) {
    const padLen = 16 - (pt.length % 16);
    const padded = Buffer.concat([pt, Buffer.alloc(padLen, opts.badPadByte)]);
    const c = nodeCrypto.createCipheriv('aes-256-cbc', keys.subarray(0, 32), keys.subarray(64, 80)).setAutoPadding(false);
    ct = Buffer.concat([c.update(padded), c.final()]);
  } else {
    const c = nodeCrypto.createCipheriv('aes-256-cbc', keys.subarray(0, 32), keys.subarray(64, 80));
    ct = Buffer.concat([c.update(pt), c.final()]);
  }
  const mac = nodeCrypto.createHmac('sha256', keys.subarray(32, 64)).update(Buffer.alloc(0)).digest().subarray(0, opts.macBytes ?? 8);
  const ephPub = nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.length);
  return { ephemeral: b64(ephPub), ciphertext: b64(ct), mac: b64(mac) };
}

/** Raw X25519 public key of a raw private key, via node:crypto. */
export function x25519Public(priv: Uint8Array): Uint8Array {
  const privateKey = nodeCrypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519, priv]), format: 'der', type: 'pkcs8' });
  return Uint8Array.from(nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.length));
}

/** A 165-byte Megolm session export (version 0x01) with the given first index and Ed25519 public part. */
export function sessionExport(index: number, publicPart: Uint8Array): string {
  const b = Buffer.alloc(165);
  b[0] = 1;
  b.writeUInt32BE(index, 1);
  nodeCrypto.randomFillSync(b, 5, 128);
  Buffer.from(publicPart).copy(b, 133);
  return b64(b);
}
