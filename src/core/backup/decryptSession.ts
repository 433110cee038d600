/**
 * @module backup/decryptSession — decrypts one `session_data` of an `m.megolm_backup.v1.curve25519-aes-sha2`
 * key backup (spec end_to_end_encryption.md "Server-side key backups"; matrix-crypto.md §3.3–3.4).
 *
 * S = X25519(backup private key, ephemeral); HKDF-SHA-256(S, salt 32 zero bytes, info "", 80) →
 * AES key ‖ MAC key ‖ IV; `mac` = the first 8 bytes of HMAC-SHA-256(MAC key, **empty input**) —
 * the libolm bug the spec now documents: the tag does not cover the ciphertext. It depends on S,
 * so it confirms the *key* (mismatch ⇒ wrong key), but anyone who knows the public key can write
 * a valid entry: everything decrypted here is unauthenticated (security.md G4, matrix-crypto §9.2).
 * After the tag: AES-256-CBC with PKCS#7, then a strict JSON parse; a failure there with a good
 * tag means a damaged or tampered entry.
 */
import { type Result, ok, err } from '../result.ts';
import { equalBytes, utf8DecodeStrict, wipe } from '../bytes.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { isJsonObject, parseStrictJson, type JsonObject, type JsonValue } from '../json/strictJson.ts';
import { aes256CbcDecrypt, hkdfSha256, hmacSha256 } from '../crypto/symmetric.ts';
import { x25519SharedSecret } from '../crypto/x25519.ts';

const ZERO_SALT = new Uint8Array(32);
const EMPTY = new Uint8Array(0);
/** The standard tag is 8 bytes; vodozemac checks whatever length up to 32 is supplied. Fewer
 * than 8 would make the key confirmation guessable, so those are refused as malformed. */
const MIN_MAC_BYTES = 8;
/** Megolm session-export format (olm-megolm/megolm.md): version 0x01 ‖ index (u32 BE) ‖ R(4×32) ‖ Ed25519 key (32). */
const EXPORT_LENGTH = 165;
const EXPORT_VERSION = 0x01;
/** Backup entries are small (a session export is ~1 kB of JSON); refuse absurd ones before any work. */
const MAX_CIPHERTEXT_BYTES = 1 << 20;

/** Why an entry did not decrypt; `mac-mismatch` means another key, the rest a damaged or hostile entry. */
export type SessionDecryptError =
  | { readonly code: 'malformed'; readonly field: 'session_data' | 'ephemeral' | 'ciphertext' | 'mac' }
  | { readonly code: 'low-order-ephemeral' }
  | { readonly code: 'mac-mismatch' }
  | { readonly code: 'bad-padding' }
  | { readonly code: 'not-json' };

/** One decrypted backup entry and what could be cross-checked in it. */
export interface DecryptedSession {
  /**
   * The plaintext `BackedUpSessionData` object, parsed leniently (field spellings vary, §3.4).
   * It holds the Megolm session key: never log it or put it in a report.
   */
  readonly content: JsonObject;
  /** Always false for v1 backups: the format cannot say who wrote an entry (security.md G4). */
  readonly authenticated: false;
  /** `export-v1` when `session_key` is the 165-byte session-export format, else `other`. */
  readonly sessionKeyFormat: 'export-v1' | 'other';
  /** The true first known message index, read from the session key (the outer `first_message_index` is unauthenticated). */
  readonly firstKnownIndex?: number;
  /**
   * Whether the session key's public part is the session ID the entry was filed under
   * (matrix-crypto.md §3.4); undefined when no ID was given or the key is not in export format.
   */
  readonly sessionIdMatches?: boolean;
}

/**
 * Decrypts one backed-up session.
 * @param privateKey the 32-byte backup decryption key (not changed; the caller wipes it)
 * @param sessionData the `session_data` object as received
 * @param sessionId the session ID the entry is stored under, to cross-check the key
 * @returns the decrypted content, or `malformed` (shape), `low-order-ephemeral` (hostile
 *   ephemeral key), `mac-mismatch` (the entry was made for another key), `bad-padding` or
 *   `not-json` (damaged content)
 * @throws RangeError when `privateKey` is not 32 bytes
 */
export function decryptSessionData(privateKey: Uint8Array, sessionData: JsonValue | undefined, sessionId?: string): Result<DecryptedSession, SessionDecryptError> {
  if (privateKey.length !== 32) throw new RangeError('backup private key must be 32 bytes');
  if (!isJsonObject(sessionData)) return err({ code: 'malformed', field: 'session_data' });
  // Strict unpadded base64 as the spec writes it; padding tolerated, as everywhere in Matrix decoding.
  const ephemeral = decodeBase64(sessionData['ephemeral'], { padding: 'allow', bytes: 32 });
  if (!ephemeral.ok) return err({ code: 'malformed', field: 'ephemeral' });
  const mac = decodeBase64(sessionData['mac'], { padding: 'allow' });
  if (!mac.ok || mac.value.length < MIN_MAC_BYTES || mac.value.length > 32) return err({ code: 'malformed', field: 'mac' });
  const ciphertextRaw = sessionData['ciphertext'];
  if (typeof ciphertextRaw !== 'string' || ciphertextRaw.length > (MAX_CIPHERTEXT_BYTES * 4) / 3 + 4) return err({ code: 'malformed', field: 'ciphertext' });
  const ciphertext = decodeBase64(ciphertextRaw, { padding: 'allow' });
  if (!ciphertext.ok || ciphertext.value.length === 0 || ciphertext.value.length % 16 !== 0) return err({ code: 'malformed', field: 'ciphertext' });

  const shared = x25519SharedSecret(privateKey, ephemeral.value);
  if (!shared.ok) return err({ code: 'low-order-ephemeral' });
  const keys = hkdfSha256(shared.value, ZERO_SALT, EMPTY, 80);
  wipe(shared.value);
  let plaintext: Uint8Array | undefined;
  try {
    const aesKey = keys.subarray(0, 32);
    const macKey = keys.subarray(32, 64);
    const iv = keys.subarray(64, 80);
    const tag = hmacSha256(macKey, EMPTY);
    const same = equalBytes(tag.subarray(0, mac.value.length), mac.value);
    wipe(tag);
    if (!same) return err({ code: 'mac-mismatch' });
    const decrypted = aes256CbcDecrypt(aesKey, iv, ciphertext.value);
    if (!decrypted.ok) return err({ code: 'bad-padding' });
    plaintext = decrypted.value;
    const text = utf8DecodeStrict(plaintext);
    if (text === undefined) return err({ code: 'not-json' });
    const parsed = parseStrictJson(text, { maxDepth: 16 });
    if (!parsed.ok || !isJsonObject(parsed.value)) return err({ code: 'not-json' });
    return ok(describeSession(parsed.value, sessionId));
  } finally {
    wipe(keys, plaintext);
  }
}

function describeSession(content: JsonObject, sessionId: string | undefined): DecryptedSession {
  const sessionKey = content['session_key'];
  const key = typeof sessionKey === 'string' ? decodeBase64(sessionKey, { padding: 'allow' }) : undefined;
  if (!key?.ok || key.value.length !== EXPORT_LENGTH || key.value[0] !== EXPORT_VERSION) {
    if (key?.ok) wipe(key.value);
    return { content, authenticated: false, sessionKeyFormat: 'other' };
  }
  const bytes = key.value;
  const firstKnownIndex = (((bytes[1] as number) << 24) >>> 0) + ((bytes[2] as number) << 16) + ((bytes[3] as number) << 8) + (bytes[4] as number);
  // The session ID is the unpadded base64 of the session's Ed25519 key, the last 32 bytes.
  // Compared as bytes, so a padded spelling of the same ID is not called a mismatch.
  let sessionIdMatches: boolean | undefined;
  if (sessionId !== undefined) {
    const id = decodeBase64(sessionId, { padding: 'allow', bytes: 32 });
    sessionIdMatches = id.ok && equalBytes(id.value, bytes.subarray(EXPORT_LENGTH - 32));
  }
  wipe(bytes);
  return {
    content,
    authenticated: false,
    sessionKeyFormat: 'export-v1',
    firstKnownIndex,
    ...(sessionIdMatches !== undefined ? { sessionIdMatches } : {}),
  };
}
