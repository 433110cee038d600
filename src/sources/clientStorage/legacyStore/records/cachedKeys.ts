/**
 * @module legacyStore/records/cachedKeys — the private keys the legacy client cached in its
 * `account` store under `ssss_cache:<name>`, turned into public keys (js-sdk 36
 * src/crypto/CrossSigning.ts createCryptoStoreCacheCallbacks, src/crypto/index.ts
 * storeSessionBackupPrivateKey / getSessionBackupPrivateKey; src/rust-crypto/libolm_migration.ts
 * getAndDecryptCachedSecretKey).
 *
 * A cached value is, newest form first:
 * - `{iv, ciphertext, mac}`: aes-hmac-sha2 (js-sdk encryptAESSecretStorageItem) of the *padded
 *   base64* of the key, with the **UTF-8 bytes of the pickle key string as the HKDF input**
 *   (`Buffer.from(olmDevice.pickleKey)`, no extra HKDF, any length) and the cache name
 *   (`master`, `self_signing`, `user_signing`, `m.megolm_backup.v1`) as the HKDF info;
 * - a Uint8Array of the raw 32 bytes (cross-signing caches before encryption, `{b}` in the dump);
 * - for the backup key, a base64 string (getSessionBackupPrivateKey re-stores it encrypted).
 * Cross-signing keys are Ed25519 seeds (PkSigning.init_with_seed), the backup key a Curve25519
 * private key (PkDecryption.init_with_private_key). Private bytes are wiped at once.
 */
import { type Result, ok, err } from '../../../../core/result.ts';
import { equalBytes, utf8, wipe } from '../../../../core/bytes.ts';
import { decodeBase64, encodeBase64 } from '../../../../core/encoding/base64.ts';
import { aes256Ctr, hkdfSha256, hmacSha256 } from '../../../../core/crypto/symmetric.ts';
import { parseEncryptedSecret, decodeSecretKey } from '../../../../core/secretStorage/secret.ts';
import { ed25519PublicKeyFromSeed } from '../../../../core/crypto/ed25519Policy.ts';
import { x25519PublicKey } from '../../../../core/crypto/x25519.ts';
import type { RawValue } from '../dump.ts';

export type CachedKeyName = 'master' | 'self_signing' | 'user_signing' | 'm.megolm_backup.v1';
export const CACHED_KEY_NAMES: readonly CachedKeyName[] = ['master', 'self_signing', 'user_signing', 'm.megolm_backup.v1'];

export type CachedKeyForm = 'encrypted' | 'raw-bytes' | 'base64-string';

export type CachedKeyProblem =
  /** Not one of the forms the library writes. */
  | 'unexpected-shape'
  /** The MAC does not match: another pickle key, or moved under another name. */
  | 'mac-mismatch'
  /** It decrypted, but not to base64 of 32 bytes. */
  | 'corrupt';

const ZERO_SALT = new Uint8Array(32);

/** js-sdk decryptAESSecretStorageItem with an arbitrary-length key (utils/internal/deriveKeys.ts: HKDF(key, 32 zero bytes, name, 512 bits)). */
function decryptCacheItem(pickleKeyBytes: Uint8Array, name: string, entry: unknown): Result<Uint8Array, CachedKeyProblem> {
  const fields = parseEncryptedSecret(entry);
  if (!fields.ok) return err('unexpected-shape');
  const keys = hkdfSha256(pickleKeyBytes, ZERO_SALT, utf8(name), 64);
  try {
    const mac = hmacSha256(keys.subarray(32, 64), fields.value.ciphertext);
    const same = equalBytes(mac, fields.value.mac);
    wipe(mac);
    if (!same) return err('mac-mismatch');
    const plain = aes256Ctr(keys.subarray(0, 32), fields.value.iv, fields.value.ciphertext);
    const key = decodeSecretKey(plain);
    wipe(plain);
    return key.ok ? ok(key.value) : err('corrupt');
  } finally {
    wipe(keys);
  }
}

/**
 * The public key of one cached private key.
 * @param pickleKey the pickle key string the client used (or js-sdk's "DEFAULT_KEY")
 * @returns the unpadded base64 public key (Ed25519 for cross-signing, Curve25519 for the backup) and the form it was stored in
 */
export function cachedPublicKey(name: CachedKeyName, raw: RawValue, pickleKey: string): Result<{ publicKey: string; form: CachedKeyForm }, CachedKeyProblem> {
  let priv: Uint8Array;
  let form: CachedKeyForm;
  if ('b' in raw) {
    const b = decodeBase64(raw.b, { bytes: 32 });
    if (!b.ok) return err('unexpected-shape');
    priv = b.value;
    form = 'raw-bytes';
  } else if ('j' in raw && typeof raw.j === 'string' && name === 'm.megolm_backup.v1') {
    const b = decodeBase64(raw.j, { padding: 'allow', bytes: 32 });
    if (!b.ok) return err('corrupt');
    priv = b.value;
    form = 'base64-string';
  } else if ('j' in raw && typeof raw.j === 'object' && raw.j !== null && !Array.isArray(raw.j)) {
    const pk = utf8(pickleKey);
    const d = decryptCacheItem(pk, name, raw.j);
    wipe(pk);
    if (!d.ok) return d;
    priv = d.value;
    form = 'encrypted';
  } else return err('unexpected-shape');
  try {
    const pub = name === 'm.megolm_backup.v1' ? x25519PublicKey(priv) : ed25519PublicKeyFromSeed(priv);
    return ok({ publicKey: encodeBase64(pub), form });
  } finally {
    wipe(priv);
  }
}
