/**
 * @module legacyStore/pickleCipher — libolm's pickle encryption (libolm src/pickle_encoding.c
 * `_olm_enc_output` / `_olm_enc_input`, src/cipher.cpp `CipherAesSha256`; vodozemac
 * src/cipher/mod.rs `Cipher::new_pickle`, `decrypt_pickle`), verified against @matrix-org/olm
 * 3.2.15 by test/sources/clientStorage/legacyStore:
 *
 * - the pickle key is the UTF-8 bytes of the string handed to `pickle(key)` (Emscripten
 *   `intArrayFromString`; a key with "é" only verifies as UTF-8);
 * - HKDF-SHA-256(ikm = those bytes, salt = none, info = "Pickle", 80) → AES-256 key ‖ HMAC key ‖
 *   16-byte IV. An empty, one-zero-byte or 32-zero-byte salt are the same HMAC key, so the
 *   "salt" question (client-storage.md §10 item 8) makes no difference;
 * - the pickle string is unpadded base64 of AES-256-CBC(PKCS#7) ‖ the first 8 bytes of
 *   HMAC-SHA-256(MAC key, ciphertext).
 *
 * Every pickle of one store shares the key and the IV (they depend only on the pickle key), so
 * the keys are derived once per decode and wiped with {@link wipePickleKeys}.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import { equalBytes, utf8, wipe } from '../../../core/bytes.ts';
import { decodeBase64 } from '../../../core/encoding/base64.ts';
import { aes256CbcDecrypt, hkdfSha256, hmacSha256 } from '../../../core/crypto/symmetric.ts';

export interface PickleKeys {
  readonly aesKey: Uint8Array;
  readonly macKey: Uint8Array;
  readonly iv: Uint8Array;
}

export type PickleError =
  /** Not unpadded base64, or too short to hold a block and a MAC. */
  | { readonly code: 'malformed' }
  /** The MAC does not match: another pickle key (or a tampered pickle). */
  | { readonly code: 'mac-mismatch' }
  /** The MAC matched but the padding is bad (libolm never writes that). */
  | { readonly code: 'bad-padding' };

const MAC_LENGTH = 8;

/** Derives the pickle cipher's keys from a pickle key string. */
export function pickleKeys(pickleKey: string): PickleKeys {
  const ikm = utf8(pickleKey);
  const okm = hkdfSha256(ikm, undefined, utf8('Pickle'), 80);
  wipe(ikm);
  const keys = { aesKey: okm.slice(0, 32), macKey: okm.slice(32, 64), iv: okm.slice(64, 80) };
  wipe(okm);
  return keys;
}

export function wipePickleKeys(k: PickleKeys | undefined): void {
  if (k) wipe(k.aesKey, k.macKey, k.iv);
}

/**
 * Decrypts one pickle. The MAC is checked first, in constant time.
 * @param maxChars refuse longer strings before decoding them (page data)
 * @returns the plaintext (the caller wipes it)
 */
export function decryptPickle(keys: PickleKeys, pickle: string, maxChars: number): Result<Uint8Array, PickleError> {
  if (pickle.length > maxChars) return err({ code: 'malformed' });
  const raw = decodeBase64(pickle);
  if (!raw.ok || raw.value.length < 16 + MAC_LENGTH) return err({ code: 'malformed' });
  const ciphertext = raw.value.subarray(0, raw.value.length - MAC_LENGTH);
  const full = hmacSha256(keys.macKey, ciphertext);
  const same = equalBytes(full.subarray(0, MAC_LENGTH), raw.value.subarray(raw.value.length - MAC_LENGTH));
  wipe(full);
  if (!same) return err({ code: 'mac-mismatch' });
  const pt = aes256CbcDecrypt(keys.aesKey, keys.iv, ciphertext);
  if (!pt.ok) return err(pt.error.code === 'bad-padding' ? { code: 'bad-padding' } : { code: 'malformed' });
  return ok(pt.value);
}
