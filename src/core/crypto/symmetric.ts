/**
 * @module crypto/symmetric — the symmetric primitives Matrix key storage is built from:
 * HKDF-SHA-256, HMAC-SHA-256, AES-256-CTR (secret storage, matrix-crypto.md §5.2–5.3) and
 * AES-256-CBC with PKCS#7 (key backup, §3.3), as thin wrappers over noble.
 *
 * Lengths of keys and IVs are fixed by the protocol, so a wrong one here is a bug in our own code
 * and throws RangeError. Bad padding comes from data (a wrong key or a tampered backup entry) and
 * is returned as a value.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { cbc, ctr } from '@noble/ciphers/aes.js';
import { type Result, ok, err } from '../result.ts';

/** RFC 5869 §2.3: L ≤ 255 · HashLen. */
const HKDF_SHA256_MAX = 255 * 32;

function assertBytes(b: Uint8Array, len: number | undefined, what: string): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (len !== undefined && b.length !== len) throw new RangeError(`${what} must be ${len} bytes, got ${b.length}`);
}

/**
 * HKDF-SHA-256 (RFC 5869).
 * @param ikm input keying material
 * @param salt salt; `undefined` or empty means HashLen zero bytes (RFC 5869 §2.2), which is also
 *   what every all-zero salt of ≤ 64 bytes gives (matrix-crypto.md §5.3 "HKDF salt detail")
 * @param info context string (the secret name for 4S, empty for the key check and backups)
 * @param length output length in bytes, 1…8160
 * @throws RangeError when `length` is outside 1…8160
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  assertBytes(ikm, undefined, 'hkdf ikm');
  assertBytes(info, undefined, 'hkdf info');
  if (salt !== undefined) assertBytes(salt, undefined, 'hkdf salt');
  if (!Number.isSafeInteger(length) || length < 1 || length > HKDF_SHA256_MAX) throw new RangeError(`hkdf length must be 1…${HKDF_SHA256_MAX}, got ${length}`);
  return hkdf(sha256, ikm, salt, info, length);
}

/** HMAC-SHA-256 (RFC 2104), full 32-byte tag. Truncate at the call site when a protocol does. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(key, undefined, 'hmac key');
  assertBytes(message, undefined, 'hmac message');
  return hmac(sha256, key, message);
}

/**
 * AES-256-CTR with a full 128-bit big-endian counter (NIST SP 800-38A §6.5), the width
 * matrix-rust-sdk uses (`Ctr128BE`). Encryption and decryption are the same operation.
 * js-sdk uses WebCrypto with a 64-bit counter; both agree whenever bit 63 of the IV is clear,
 * which creators guarantee (spec secrets.md; matrix-crypto.md §5.3). The caller's IV is not changed.
 * @throws RangeError when the key is not 32 bytes or the IV not 16
 */
export function aes256Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, 32, 'AES-256 key');
  assertBytes(iv, 16, 'AES-CTR counter block');
  assertBytes(data, undefined, 'AES-CTR input');
  return ctr(key, iv).encrypt(data);
}

/** Why a CBC ciphertext did not decrypt: not whole blocks, or invalid PKCS#7 padding. */
export type CbcError = { code: 'bad-length'; length: number } | { code: 'bad-padding' };

/**
 * AES-256-CBC decryption with PKCS#7 unpadding (RFC 5652 §6.3), as the v1 key backup uses.
 * The padding is checked by us rather than by noble so that bad padding is a value, and without
 * branching on which pad byte was wrong.
 * @returns the plaintext, `bad-length` when the ciphertext is empty or not whole blocks, or
 *   `bad-padding` (for a backup entry whose key-confirmation MAC passed, that means tampering)
 * @throws RangeError when the key is not 32 bytes or the IV not 16
 */
export function aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Result<Uint8Array, CbcError> {
  assertBytes(key, 32, 'AES-256 key');
  assertBytes(iv, 16, 'AES-CBC IV');
  assertBytes(ciphertext, undefined, 'AES-CBC ciphertext');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return err({ code: 'bad-length', length: ciphertext.length });
  const padded = cbc(key, iv, { disablePadding: true }).decrypt(ciphertext);
  const n = padded[padded.length - 1] as number;
  // Valid pad: 1…16 copies of the byte n. Fold every check into one flag.
  let bad = (n === 0 ? 1 : 0) | (n > 16 ? 1 : 0);
  for (let i = 1; i <= 16; i++) {
    const inPad = i <= n ? 1 : 0;
    bad |= inPad & ((padded[padded.length - i] as number) !== n ? 1 : 0);
  }
  if (bad !== 0) {
    padded.fill(0);
    return err({ code: 'bad-padding' });
  }
  const plaintext = padded.slice(0, padded.length - n);
  padded.fill(0);
  return ok(plaintext);
}
