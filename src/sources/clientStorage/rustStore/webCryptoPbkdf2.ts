/**
 * @module rustStore/webCryptoPbkdf2 — PBKDF2-HMAC-SHA-256 through WebCrypto for passphrase-era
 * stores (200 000 rounds: a fraction of a second natively, seconds in JavaScript). Pass it to
 * `decodeRustStore` / `readLocalView` as `pbkdf2` where `crypto.subtle` exists (extension Worker,
 * Node ≥ 20); looked up lazily, at call time (STYLE §9 item 6).
 */
import type { Pbkdf2Sha256 } from './storeCipher.ts';

export const webCryptoPbkdf2Sha256: Pbkdf2Sha256 = async (password, salt, iterations, bytes) => {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`PBKDF2 iterations must be an integer ≥ 1, got ${iterations}`);
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', password as BufferSource, 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
};
