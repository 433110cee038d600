/**
 * @module rustStore/records/backupKeys — the cached key-backup decryption key, as the Curve25519
 * public key derived from it, and the backup version it belongs to (client-storage.md §3.6;
 * matrix-sdk-crypto BackupDecryptionKey, matrix-sdk-indexeddb `backup_keys`).
 *
 * `recovery_key_v1` holds the 32-byte private key (serde writes it as 32 numbers);
 * `backup_version_v1` (`backup_key_v1` before schema 11) is a string. Deriving the public key lets
 * the audit compare it with the server's `auth_data.public_key` (security.md G6) without the
 * private key ever leaving this function: it is wiped at once.
 */
import { x25519PublicKey } from '../../../../core/crypto/x25519.ts';
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import { wipe } from '../../../../core/bytes.ts';
import type { JsonB } from '../jsonBytes.ts';
import { type Parsed, bytes, parsed, problem, wipeNumbers } from './fields.ts';

/** The public key of a decrypted `recovery_key_v1` value; wipes the private key in `json`. */
export function parseBackupDecryptionKey(json: JsonB): Parsed<string> {
  try {
    const priv = bytes(json, 32, true);
    if (!priv) return problem('unexpected-shape', 'recovery_key_v1');
    const pub = encodeBase64(x25519PublicKey(priv));
    wipe(priv);
    return parsed(pub);
  } finally {
    wipeNumbers(json);
  }
}

/** A decrypted `backup_version_v1` / `backup_key_v1` value: the backup version string. */
export function parseBackupVersion(json: JsonB): Parsed<string> {
  // Versions are short opaque strings (Synapse: decimal numbers).
  return typeof json === 'string' && json.length > 0 && json.length <= 256 ? parsed(json) : problem('unexpected-shape', 'backup_version_v1');
}
