/**
 * @module platform/webCryptoPbkdf2 — PBKDF2-HMAC-SHA-512 through WebCrypto (`crypto.subtle`),
 * available in browsers, Workers and Node ≥ 20. Injected into core's secret-storage audit, where a
 * 500 000-iteration derivation in JavaScript would take seconds. Looked up lazily (STYLE §9.6).
 */
import type { Pbkdf2Sha512 } from '../core/crypto/pbkdf2.ts';

export const webCryptoPbkdf2Sha512: Pbkdf2Sha512 = async (password, salt, iterations, bytes) => {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`PBKDF2 iterations must be an integer ≥ 1, got ${iterations}`);
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', password as BufferSource, 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: salt as BufferSource, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
};
