/**
 * @module crypto/pbkdf2 — PBKDF2-HMAC-SHA-512 (RFC 8018 §5.2), injected into core.
 *
 * The 4S passphrase derivation (matrix-crypto.md §4.1) runs 500 000 iterations for keys made by
 * current clients; WebCrypto does that far faster than JavaScript, so the extension passes its own
 * implementation and core only depends on the function type (STYLE.md §9 item 2). The noble
 * version is the default for the CLI and tests, and a test checks both agree.
 */
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';

/**
 * PBKDF2 with HMAC-SHA-512.
 * @param password the password bytes (UTF-8 of the passphrase, no normalisation)
 * @param salt the salt bytes
 * @param iterations iteration count, an integer ≥ 1 (policy limits are the caller's job)
 * @param bytes output length in bytes
 */
export type Pbkdf2Sha512 = (password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number) => Promise<Uint8Array>;

/**
 * The default {@link Pbkdf2Sha512}: noble's `pbkdf2Async`, which yields to the event loop so a
 * long derivation does not freeze the caller.
 * @throws RangeError (as a rejected promise) for a non-integer or < 1 iteration count or length
 */
export const noblePbkdf2Sha512: Pbkdf2Sha512 = async (password, salt, iterations, bytes) => {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`PBKDF2 iterations must be an integer ≥ 1, got ${iterations}`);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`PBKDF2 output length must be an integer ≥ 1, got ${bytes}`);
  return pbkdf2Async(sha512, password, salt, { c: iterations, dkLen: bytes });
};
