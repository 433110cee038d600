/**
 * @module secretStorage/keyDescription — parses `m.secret_storage.key.<id>` account data (spec
 * secrets.md "Key storage"; matrix-crypto.md §5.1–5.2).
 *
 * Only `m.secret_storage.v1.aes-hmac-sha2` is defined; older accounts may still hold MSC1946's
 * `m.secret_storage.v1.curve25519-aes-sha2`, which is reported as unsupported, never decrypted.
 * `iv` and `mac` (the key-check fields) are optional and may be padded base64; without them the
 * key cannot be checked (the spec says "assume valid", we say "unverifiable"), and with the wrong
 * length the description is malformed (rust-sdk `invalid_key_info`, security.md F3).
 * Passphrase parameters are parsed but a bad set does not spoil the description: the key can
 * still be checked with a recovery key.
 */
import { type Result, ok, err } from '../result.ts';
import { decodeBase64, describeBase64Error } from '../encoding/base64.ts';
import { isJsonObject, type JsonValue } from '../json/strictJson.ts';
import { parsePassphraseParameters, type PassphraseParameterError, type PassphraseParameters } from './passphrase.ts';

/** The only defined 4S algorithm (spec secrets.md). */
export const SECRET_STORAGE_AES_HMAC_SHA2 = 'm.secret_storage.v1.aes-hmac-sha2';
/** Account-data type prefix of key descriptions. */
export const KEY_DESCRIPTION_PREFIX = 'm.secret_storage.key.';

/** The key-check fields, decoded. */
export interface KeyCheckFields {
  readonly iv: Uint8Array;
  readonly mac: Uint8Array;
  /** Bit 63 of the IV is set: creators clear it (spec secrets.md), so this was not written by a conforming client. Reported, not refused. */
  readonly ivNonConformant: boolean;
}

/** A usable `m.secret_storage.v1.aes-hmac-sha2` key description. */
export interface KeyDescription {
  readonly keyId: string;
  readonly algorithm: typeof SECRET_STORAGE_AES_HMAC_SHA2;
  /** Display name, server-supplied. */
  readonly name?: string;
  /** Absent when `iv` or `mac` is missing: the key is then "unverifiable" by the check MAC. */
  readonly check?: KeyCheckFields;
  /** Absent when the key was not made from a passphrase. */
  readonly passphrase?: Result<PassphraseParameters, PassphraseParameterError>;
}

/** Why a description cannot be used: an algorithm we do not decrypt, or a field that is not what the spec allows. */
export type KeyDescriptionError =
  | { readonly code: 'unsupported-algorithm'; readonly algorithm: string }
  | { readonly code: 'malformed'; readonly field: 'content' | 'algorithm' | 'iv' | 'mac'; readonly message: string };

/** True when bit 63 of a 16-byte big-endian counter block is set (spec: creators clear it, `iv[8] &= 0x7f`). */
export function ivHasBit63Set(iv: Uint8Array): boolean {
  return iv.length === 16 && ((iv[8] as number) & 0x80) !== 0;
}

/**
 * Parses one key description.
 * @param keyId the `<id>` of `m.secret_storage.key.<id>`
 * @param content the account-data content
 */
export function parseKeyDescription(keyId: string, content: JsonValue | undefined): Result<KeyDescription, KeyDescriptionError> {
  if (!isJsonObject(content)) return err({ code: 'malformed', field: 'content', message: 'the key description is not a JSON object' });
  const algorithm = content['algorithm'];
  if (typeof algorithm !== 'string') return err({ code: 'malformed', field: 'algorithm', message: 'the key description has no algorithm' });
  if (algorithm !== SECRET_STORAGE_AES_HMAC_SHA2) return err({ code: 'unsupported-algorithm', algorithm });

  // `null` is treated as absent: rust-sdk writes `"name": null` (matrix-crypto.md TV-7b) and js-sdk's
  // check treats any falsy iv/mac as absent.
  const ivRaw = content['iv'] ?? undefined;
  const macRaw = content['mac'] ?? undefined;
  let check: KeyCheckFields | undefined;
  if (ivRaw !== undefined) {
    const iv = decodeBase64(ivRaw, { padding: 'allow', bytes: 16 });
    if (!iv.ok) return err({ code: 'malformed', field: 'iv', message: `the key-check iv ${describeBase64Error(iv.error)}` });
    if (macRaw !== undefined) {
      const mac = decodeBase64(macRaw, { padding: 'allow', bytes: 32 });
      if (!mac.ok) return err({ code: 'malformed', field: 'mac', message: `the key-check mac ${describeBase64Error(mac.error)}` });
      check = { iv: iv.value, mac: mac.value, ivNonConformant: ivHasBit63Set(iv.value) };
    }
  } else if (macRaw !== undefined) {
    const mac = decodeBase64(macRaw, { padding: 'allow', bytes: 32 });
    if (!mac.ok) return err({ code: 'malformed', field: 'mac', message: `the key-check mac ${describeBase64Error(mac.error)}` });
  }

  const name = content['name'];
  const passphraseRaw = content['passphrase'] ?? undefined;
  return ok({
    keyId,
    algorithm: SECRET_STORAGE_AES_HMAC_SHA2,
    ...(typeof name === 'string' ? { name } : {}),
    ...(check ? { check } : {}),
    ...(passphraseRaw !== undefined ? { passphrase: parsePassphraseParameters(passphraseRaw) } : {}),
  });
}
