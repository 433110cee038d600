/**
 * @module rustStore/valueCodec — turns one stored value of the rust crypto store back into the
 * JSON the library serialised (client-storage.md §3.5; matrix-sdk-indexeddb
 * `serializer/safe_encode/types.rs` `deserialize_value`, matrix-sdk-store-encryption
 * `decrypt_value*`).
 *
 * Four encodings exist, and one store can mix them (a v10 store reopened by a current library
 * keeps its old records as they were):
 * 1. current, encrypted: `{version: 1, ciphertext, nonce}` with unpadded base64 strings;
 *    XChaCha20-Poly1305 under `encryption_key`; plaintext = serde_json bytes;
 * 2. legacy, encrypted: an array of byte values = the serde_json bytes of
 *    `{version: 1, ciphertext: [..], nonce: [24 values]}`; decrypted the same way;
 * 3. current, unencrypted: a string = unpadded base64 of the serde_json bytes;
 * 4. legacy, unencrypted: the JSON value stored as it is.
 * The order of tries is the library's: first "is it a MaybeEncrypted" (an object with a numeric
 * `version` and string `ciphertext`/`nonce`, or a string), and if so it must match the store (an
 * encrypted value in a store without a cipher, or a string in an encrypted store, is an error,
 * not a guess); otherwise the legacy forms.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { type Result, ok, err } from '../../../core/result.ts';
import { wipe } from '../../../core/bytes.ts';
import { decodeBase64 } from '../../../core/encoding/base64.ts';
import { type JsonB, type JsonBObject, isJsonBObject, parseJsonBytes } from './jsonBytes.ts';
import type { RawValue } from './dump.ts';

/** Which of the four encodings a value had. */
export type ValueEncoding = 'current' | 'legacy' | 'unencrypted' | 'unencrypted-legacy';

export type ValueErrorCode =
  /** The value is none of the four encodings (or a type the store never writes). */
  | 'malformed'
  /** An encrypted value's `version` is not 1 (a newer format). */
  | 'unsupported-version'
  /** Authentication failed: wrong key, or the value was altered. */
  | 'wrong-key'
  /** The plaintext is not JSON. */
  | 'bad-json'
  /** An encrypted value in a store without a cipher, or a plaintext one in an encrypted store. */
  | 'encryption-mismatch';

export interface ValueError {
  readonly code: ValueErrorCode;
}

export interface DecodedValue {
  readonly value: JsonB;
  readonly encoding: ValueEncoding;
}

/** `StoreCipher` VERSION. */
const VALUE_VERSION = 1;

const e = (code: ValueErrorCode) => err<ValueError>({ code });

/** A plain JSON value (as it came through messaging) as a {@link JsonB}: objects without prototype. */
export function toJsonB(v: unknown, depth = 0): JsonB | undefined {
  if (depth > 64) return undefined;
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) {
    const out: JsonB[] = [];
    for (const x of v) {
      const c = toJsonB(x, depth + 1);
      if (c === undefined) return undefined;
      out.push(c);
    }
    return out;
  }
  if (typeof v === 'object') {
    const out: JsonBObject = Object.create(null);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const c = toJsonB(x, depth + 1);
      if (c === undefined) return undefined;
      out[k] = c;
    }
    return out;
  }
  return undefined;
}

/** Decrypts and parses; the plaintext bytes are wiped whatever happens. */
function openValue(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Result<JsonB, ValueError> {
  if (nonce.length !== 24 || ciphertext.length < 16) return e('malformed');
  let plain: Uint8Array | undefined;
  try {
    plain = xchacha20poly1305(key, nonce).decrypt(ciphertext);
  } catch {
    return e('wrong-key');
  }
  try {
    const parsed = parseJsonBytes(plain);
    return parsed.ok ? ok(parsed.value) : e('bad-json');
  } finally {
    wipe(plain);
  }
}

function bytesFromNumbers(v: JsonB | undefined): Uint8Array | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) return undefined;
    out[i] = x;
  }
  return out;
}

/** The serde shape of `EncryptedValueBase64`: extra fields are ignored, as serde does. */
function asEncryptedBase64(v: unknown): { version: number; ciphertext: string; nonce: string } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const version = o['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > 255) return undefined;
  if (typeof o['ciphertext'] !== 'string' || typeof o['nonce'] !== 'string') return undefined;
  return { version, ciphertext: o['ciphertext'], nonce: o['nonce'] };
}

/**
 * Decodes a value the library only ever wrote in a legacy encoding (`backup_key_v1`), skipping
 * the MaybeEncrypted step as `deserialize_legacy_value` does: in an unencrypted store such a
 * value is a plain JSON string, which the general rule would take for base64.
 */
export function decodeLegacyValue(raw: RawValue, encryptionKey: Uint8Array | undefined): Result<DecodedValue, ValueError> {
  if ('x' in raw) return e('malformed');
  if ('b' in raw) return decodeValue(raw, encryptionKey);
  if (encryptionKey) return e('malformed');
  const plain = toJsonB(raw.j);
  return plain === undefined ? e('malformed') : ok({ value: plain, encoding: 'unencrypted-legacy' });
}

/**
 * Decodes one stored value.
 * @param raw the value as the reader copied it
 * @param encryptionKey the store's `encryption_key`, or `undefined` for an unencrypted store
 */
export function decodeValue(raw: RawValue, encryptionKey: Uint8Array | undefined): Result<DecodedValue, ValueError> {
  if ('x' in raw) return e('malformed');
  // The legacy byte array arrives as base64; as an IndexedDB value it was an array of numbers.
  if ('b' in raw) {
    const bytes = decodeBase64(raw.b);
    if (!bytes.ok) return e('malformed');
    if (!encryptionKey) {
      // Unencrypted legacy: the value was that JSON array itself.
      return ok({ value: Array.from(bytes.value), encoding: 'unencrypted-legacy' });
    }
    const outer = parseJsonBytes(bytes.value);
    if (!outer.ok || !isJsonBObject(outer.value)) return e('malformed');
    const o = outer.value;
    if (o['version'] !== VALUE_VERSION) return typeof o['version'] === 'number' ? e('unsupported-version') : e('malformed');
    const nonce = bytesFromNumbers(o['nonce']);
    const ciphertext = bytesFromNumbers(o['ciphertext']);
    if (!nonce || !ciphertext) return e('malformed');
    const r = openValue(encryptionKey, nonce, ciphertext);
    return r.ok ? ok({ value: r.value, encoding: 'legacy' }) : r;
  }
  const v = raw.j;
  const enc = asEncryptedBase64(v);
  if (enc) {
    if (!encryptionKey) return e('encryption-mismatch');
    if (enc.version !== VALUE_VERSION) return e('unsupported-version');
    const nonce = decodeBase64(enc.nonce, { bytes: 24 });
    const ciphertext = decodeBase64(enc.ciphertext);
    if (!nonce.ok || !ciphertext.ok) return e('malformed');
    const r = openValue(encryptionKey, nonce.value, ciphertext.value);
    return r.ok ? ok({ value: r.value, encoding: 'current' }) : r;
  }
  if (typeof v === 'string') {
    if (encryptionKey) return e('encryption-mismatch');
    const bytes = decodeBase64(v);
    if (!bytes.ok) return e('malformed');
    const parsed = parseJsonBytes(bytes.value);
    return parsed.ok ? ok({ value: parsed.value, encoding: 'unencrypted' }) : e('bad-json');
  }
  if (encryptionKey) return e('malformed');
  const plain = toJsonB(v);
  return plain === undefined ? e('malformed') : ok({ value: plain, encoding: 'unencrypted-legacy' });
}
