/**
 * @module secretStorage/secret — decrypts one 4S secret (spec secrets.md
 * "m.secret_storage.v1.aes-hmac-sha2"; matrix-crypto.md §5.3–5.4).
 *
 * HKDF-SHA-256(key, salt = 32 zero bytes, info = secret name, 64) → AES key ‖ MAC key. The
 * HMAC-SHA-256 over the ciphertext is checked first, in constant time, and only then is the
 * ciphertext decrypted with AES-256-CTR (matrix-crypto.md §9.8). Because the name is the HKDF
 * info, a blob moved under another secret name fails the MAC.
 * The MAC does not cover the IV (security.md F5): a flipped IV bit passes the MAC and yields a
 * different plaintext, which is why the audit also derives the public key from what it decrypts.
 */
import { type Result, ok, err } from '../result.ts';
import { equalBytes, utf8, wipe } from '../bytes.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { isJsonObject, type JsonValue } from '../json/strictJson.ts';
import { aes256Ctr, hkdfSha256, hmacSha256 } from '../crypto/symmetric.ts';
import { ivHasBit63Set } from './keyDescription.ts';

const ZERO_SALT = new Uint8Array(32);

/** One `encrypted.<keyId>` entry as found in account data (values unchecked). */
export interface EncryptedSecretFields {
  readonly iv: unknown;
  readonly ciphertext: unknown;
  readonly mac: unknown;
}

export interface DecryptedSecret {
  /** The plaintext (for the secrets we audit: base64 of a 32-byte private key). The caller wipes it. */
  readonly plaintext: Uint8Array;
  /** The stored IV has bit 63 set, which conforming clients never write (128- and 64-bit counter
   * implementations could then disagree, security.md §2.3). Decrypted with the 128-bit counter anyway. */
  readonly ivNonConformant: boolean;
}

/** Why a secret did not decrypt: stored badly (`malformed`, with the field) or made for another key or name. */
export type SecretError =
  | { readonly code: 'malformed'; readonly field: 'entry' | 'iv' | 'ciphertext' | 'mac' }
  | { readonly code: 'mac-mismatch' };

/** Reads `encrypted.<keyId>` of a secret's account data, or undefined when there is no such object. */
export function encryptedEntry(content: JsonValue | undefined, keyId: string): JsonValue | undefined {
  if (!isJsonObject(content)) return undefined;
  const encrypted = content['encrypted'];
  if (!isJsonObject(encrypted)) return undefined;
  return Object.hasOwn(encrypted, keyId) ? encrypted[keyId] : undefined;
}

/**
 * Decodes the three fields of an encrypted secret (base64, padded or not): iv 16 bytes, mac 32.
 * Lets the audit tell "stored badly" from "wrong key" without a key.
 */
export function parseEncryptedSecret(entry: unknown): Result<{ iv: Uint8Array; ciphertext: Uint8Array; mac: Uint8Array }, Extract<SecretError, { code: 'malformed' }>> {
  if (!isJsonObject(entry)) return err({ code: 'malformed', field: 'entry' });
  const iv = decodeBase64(entry['iv'], { padding: 'allow', bytes: 16 });
  if (!iv.ok) return err({ code: 'malformed', field: 'iv' });
  const ciphertext = decodeBase64(entry['ciphertext'], { padding: 'allow' });
  if (!ciphertext.ok) return err({ code: 'malformed', field: 'ciphertext' });
  const mac = decodeBase64(entry['mac'], { padding: 'allow', bytes: 32 });
  if (!mac.ok) return err({ code: 'malformed', field: 'mac' });
  return ok({ iv: iv.value, ciphertext: ciphertext.value, mac: mac.value });
}

/**
 * Decrypts a 4S secret.
 * @param key the 32-byte 4S key (not changed; the caller wipes it)
 * @param secretName the account-data type, e.g. `m.cross_signing.master` (the HKDF info)
 * @param encrypted the `encrypted.<keyId>` entry
 * @returns the plaintext, `malformed` (a field is not base64 of the right size) or `mac-mismatch`
 *   (wrong key, wrong name, or a tampered ciphertext)
 * @throws RangeError when `key` is not 32 bytes
 */
export function decryptSecret(key: Uint8Array, secretName: string, encrypted: EncryptedSecretFields | JsonValue | undefined): Result<DecryptedSecret, SecretError> {
  if (key.length !== 32) throw new RangeError('4S key must be 32 bytes');
  const fields = parseEncryptedSecret(encrypted);
  if (!fields.ok) return fields;
  const { iv, ciphertext, mac } = fields.value;
  const keys = hkdfSha256(key, ZERO_SALT, utf8(secretName), 64);
  const aesKey = keys.subarray(0, 32);
  const macKey = keys.subarray(32, 64);
  try {
    const expected = hmacSha256(macKey, ciphertext);
    const same = equalBytes(expected, mac);
    wipe(expected);
    if (!same) return err({ code: 'mac-mismatch' });
    return ok({ plaintext: aes256Ctr(aesKey, iv, ciphertext), ivNonConformant: ivHasBit63Set(iv) });
  } finally {
    wipe(keys);
  }
}

/**
 * Reads a decrypted private-key secret: base64 (padded or not, real ones often end in `=`) of
 * exactly 32 bytes (matrix-crypto.md §5.4).
 * @param plaintext the decrypted secret (not changed; the caller wipes it)
 * @returns the 32 bytes (the caller wipes them), or `corrupt`
 */
export function decodeSecretKey(plaintext: Uint8Array): Result<Uint8Array, { readonly code: 'corrupt' }> {
  // Base64 is ASCII: anything else is corrupt, and checking bytes first avoids building a string
  // out of arbitrary decrypted garbage. (The string we do build cannot be wiped; JS strings are immutable.)
  if (plaintext.length > 64) return err({ code: 'corrupt' });
  let text = '';
  for (const b of plaintext) {
    if (b > 0x7e || b < 0x21) return err({ code: 'corrupt' });
    text += String.fromCharCode(b);
  }
  const decoded = decodeBase64(text, { padding: 'allow', bytes: 32 });
  return decoded.ok ? ok(decoded.value) : err({ code: 'corrupt' });
}
