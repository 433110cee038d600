/**
 * Test helper: builds secret-storage (4S) account data with node:crypto, an implementation
 * independent of the noble code under test (STYLE.md §9 item 22). Follows spec secrets.md /
 * matrix-crypto.md §5.2–5.3 (HKDF-SHA-256 with a zero salt, AES-256-CTR, HMAC-SHA-256).
 */
import * as nodeCrypto from 'node:crypto';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64').replace(/=+$/, '');

function hkdf64(key: Uint8Array, info: string): { aesKey: Buffer; macKey: Buffer } {
  const out = Buffer.from(nodeCrypto.hkdfSync('sha256', key, Buffer.alloc(32), Buffer.from(info, 'utf8'), 64));
  return { aesKey: out.subarray(0, 32), macKey: out.subarray(32, 64) };
}

function ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  const c = nodeCrypto.createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

/** A fresh IV with bit 63 cleared, as conforming clients make it. */
export function freshIv(): Uint8Array {
  const iv = nodeCrypto.randomBytes(16);
  iv[8] = (iv[8] as number) & 0x7f;
  return iv;
}

/** `m.secret_storage.key.<id>` content with a key-check iv/mac for `key`. */
export function keyDescriptionFor(key: Uint8Array, iv: Uint8Array = freshIv(), extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { aesKey, macKey } = hkdf64(key, '');
  const mac = nodeCrypto.createHmac('sha256', macKey).update(ctr(aesKey, iv, new Uint8Array(32))).digest();
  return { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', iv: b64(iv), mac: b64(mac), ...extra };
}

/** One `encrypted.<keyId>` entry: `plaintext` encrypted under `key` for secret `name`. */
export function encryptSecretFor(key: Uint8Array, name: string, plaintext: string | Uint8Array, iv: Uint8Array = freshIv()): { iv: string; ciphertext: string; mac: string } {
  const { aesKey, macKey } = hkdf64(key, name);
  const ct = ctr(aesKey, iv, typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext);
  const mac = nodeCrypto.createHmac('sha256', macKey).update(ct).digest();
  return { iv: b64(iv), ciphertext: b64(ct), mac: b64(mac) };
}

/** Unpadded base64 of an Ed25519 public key for a 32-byte seed, via node:crypto. */
export function ed25519PublicFromSeed(seed: Uint8Array): string {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const pub = nodeCrypto.createPublicKey(nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url').toString('base64').replace(/=+$/, '');
}

/** Unpadded base64 of the X25519 public key of a 32-byte private key, via node:crypto. */
export function x25519PublicFromPrivate(priv: Uint8Array): string {
  const der = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), priv]);
  const pub = nodeCrypto.createPublicKey(nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url').toString('base64').replace(/=+$/, '');
}

export const unpaddedB64 = b64;
