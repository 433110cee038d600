/**
 * @module secretStorage/keyCheck — is this the 4S key a description was made for? (spec
 * secrets.md "m.secret_storage.v1.aes-hmac-sha2", key check; matrix-crypto.md §5.2)
 *
 * HKDF-SHA-256(key, salt = 32 zero bytes, info = "", 64 bytes) → AES key ‖ MAC key; encrypt 32
 * zero bytes with AES-256-CTR under the stored IV; HMAC-SHA-256 of that must equal the stored MAC.
 * Compared in constant time (js-sdk compares base64 strings, security.md §2.3).
 */
import { equalBytes, wipe } from '../bytes.ts';
import { aes256Ctr, hkdfSha256, hmacSha256 } from '../crypto/symmetric.ts';
import type { KeyCheckFields } from './keyDescription.ts';

export type KeyCheckResult = 'match' | 'mismatch' | 'unverifiable';

const ZERO_SALT = new Uint8Array(32);
const EMPTY_INFO = new Uint8Array(0);

/**
 * Checks a candidate 4S key against a description's `iv`/`mac`.
 * @param key the 32-byte candidate key (not changed; the caller wipes it)
 * @param check the description's decoded check fields, or undefined when it has none
 * @returns `unverifiable` when there is nothing to check against (the key then needs a secret's
 *   MAC to be confirmed, security.md F2)
 * @throws RangeError when `key` is not 32 bytes
 */
export function checkSecretStorageKey(key: Uint8Array, check: KeyCheckFields | undefined): KeyCheckResult {
  if (key.length !== 32) throw new RangeError('4S key must be 32 bytes');
  if (!check) return 'unverifiable';
  const keys = hkdfSha256(key, ZERO_SALT, EMPTY_INFO, 64);
  const aesKey = keys.subarray(0, 32);
  const macKey = keys.subarray(32, 64);
  // The CTR output is a function of the key alone (the plaintext is zeros), so wipe it too.
  const ciphertext = aes256Ctr(aesKey, check.iv, new Uint8Array(32));
  const expected = hmacSha256(macKey, ciphertext);
  const same = equalBytes(expected, check.mac);
  wipe(keys, ciphertext, expected);
  return same ? 'match' : 'mismatch';
}
