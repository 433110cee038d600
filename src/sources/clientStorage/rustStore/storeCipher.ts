/**
 * @module rustStore/storeCipher — the rust crypto store's StoreCipher: parse the export kept in
 * `<prefix>::matrix-sdk-crypto-meta` / `matrix-sdk-crypto` / `store_cipher`, derive the wrapping
 * key from Element's pickle key, and unwrap the two store keys (client-storage.md §3.2–3.3,
 * §9(b) steps 2–4; matrix-sdk-store-encryption `export_with_key` / `export_kdf` / `import*`).
 *
 * The export is MessagePack with named fields (very old passphrase exports were serde_json):
 * `{kdf_info, ciphertext_info: {ChaCha20Poly1305: {nonce: [24], ciphertext: [80]}}}`. The
 * ciphertext is XChaCha20-Poly1305 of `encryption_key (32) ‖ mac_key_seed (32)`. `kdf_info` says
 * how the wrapping key comes from what the application passed:
 * - `"None"` (crypto-wasm ≤ 18.6 `openWithKey`): HKDF-SHA-256(raw key, no salt, "CRYPTOSTORE_CIPHER");
 * - `"HkdfSha256"` (crypto-wasm ≥ 18.7 `openWithKey`): HKDF-SHA-256(that, no salt,
 *   "matrix-sdk-store-encryption") — established by decrypting stores the library wrote (§10.2);
 * - `{"Pbkdf2ToChaCha20Poly1305": {rounds, kdf_salt}}` (`open` with a passphrase; Element before
 *   June 2024): PBKDF2-HMAC-SHA-256(UTF-8 passphrase, kdf_salt, rounds). Element's passphrase was
 *   the pickle-key string, which is also what rust tries when it migrates such a store to a key.
 * Element's pickle key is 32 random bytes written as 43 characters of unpadded base64; the raw
 * key is those 32 bytes.
 *
 * Every key this module makes is wiped before it returns, except the {@link StoreKeys} it hands
 * out, which the caller wipes with {@link wipeStoreKeys}.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { type Result, ok, err } from '../../../core/result.ts';
import { utf8, wipe } from '../../../core/bytes.ts';
import { decodeBase64 } from '../../../core/encoding/base64.ts';
import { decodeMessagePack, type MsgMap, type MsgValue } from './messagePack.ts';
import { parseJsonBytes, type JsonB, type JsonBObject } from './jsonBytes.ts';

/** How the wrapping key is derived (`kdf_info`). */
export type KdfInfo = { readonly kind: 'none' } | { readonly kind: 'hkdf-sha256' } | { readonly kind: 'pbkdf2'; readonly rounds: number; readonly salt: Uint8Array };

/** A parsed `store_cipher` export. */
export interface StoreCipherExport {
  readonly kdf: KdfInfo;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** What the bytes were: MessagePack (every current writer) or JSON (very old passphrase exports). */
  readonly encoding: 'msgpack' | 'json';
}

/** The two keys a StoreCipher holds. Secret: wipe with {@link wipeStoreKeys}. */
export interface StoreKeys {
  /** XChaCha20-Poly1305 key for every stored value. */
  readonly encryptionKey: Uint8Array;
  /** Seed of the per-table BLAKE3 keys that hash record keys. */
  readonly macKeySeed: Uint8Array;
}

export type StoreCipherErrorCode =
  /** The export is not the MessagePack/JSON structure matrix-sdk-store-encryption writes. */
  | 'malformed-export'
  /** `kdf_info` names a derivation this reader does not know (a newer library). */
  | 'unknown-kdf'
  /** PBKDF2 parameters outside what any library wrote (a hostile page could ask for 2^32 rounds). */
  | 'unsafe-kdf-parameters'
  /** The store is encrypted but no pickle key was given. */
  | 'no-pickle-key'
  /** The pickle key is not 43 characters of unpadded base64 (32 bytes), which a raw-key store needs. */
  | 'bad-pickle-key'
  /** The export does not decrypt under the key derived from this pickle key. */
  | 'wrong-key';

export interface StoreCipherError {
  readonly code: StoreCipherErrorCode;
  /** One plain sentence, never key material. */
  readonly message: string;
}

/** PBKDF2-HMAC-SHA-256, injectable (WebCrypto is much faster than JS for 200 000 rounds). */
export type Pbkdf2Sha256 = (password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number) => Promise<Uint8Array>;

/** The default {@link Pbkdf2Sha256}: noble's `pbkdf2Async` (yields to the event loop). */
export const noblePbkdf2Sha256: Pbkdf2Sha256 = (password, salt, iterations, bytes) => pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: bytes });

/** matrix-sdk-store-encryption KDF_ROUNDS: what every passphrase export so far used. */
export const KDF_ROUNDS = 200_000;
/** Refuse more than this (50× what the library writes): a derivation must not hang the reader. */
export const MAX_KDF_ROUNDS = 10_000_000;

const HKDF_INFO_STORE = utf8('CRYPTOSTORE_CIPHER');
const HKDF_INFO_V2 = utf8('matrix-sdk-store-encryption');

const fail = (code: StoreCipherErrorCode, message: string) => err<StoreCipherError>({ code, message });

/** Overwrites both store keys. */
export function wipeStoreKeys(keys: StoreKeys | undefined): void {
  if (keys) wipe(keys.encryptionKey, keys.macKeySeed);
}

type Tree = MsgValue | JsonB;

const isMap = (v: Tree | undefined): v is MsgMap | JsonBObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === null;

/** A byte array field: an array of integers 0…255 (rmp_serde, serde_json) or MessagePack `bin`. */
function bytesOf(v: Tree | undefined, length?: number): Uint8Array | undefined {
  let out: Uint8Array;
  if (v instanceof Uint8Array) out = v;
  else if (Array.isArray(v)) {
    out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) return undefined;
      out[i] = x;
    }
  } else return undefined;
  return length === undefined || out.length === length ? out : undefined;
}

/**
 * Parses the bytes of a `store_cipher` record (the stored JS array of numbers, as bytes).
 * MessagePack first, then JSON, in the library's own order (`StoreCipher::import`).
 */
export function parseStoreCipherExport(bytes: Uint8Array): Result<StoreCipherExport, StoreCipherError> {
  const malformed = fail('malformed-export', 'The rust crypto store’s key record (store_cipher) is not in a format Crosscheck knows.');
  let tree: Tree;
  let encoding: StoreCipherExport['encoding'];
  const mp = decodeMessagePack(bytes);
  if (mp.ok) {
    tree = mp.value;
    encoding = 'msgpack';
  } else {
    const js = bytes[0] === 0x7b ? parseJsonBytes(bytes) : undefined;
    if (!js?.ok) return malformed;
    tree = js.value;
    encoding = 'json';
  }
  if (!isMap(tree)) return malformed;
  const kdfInfo = tree['kdf_info'];
  const ctInfo = tree['ciphertext_info'];
  let kdf: KdfInfo;
  if (kdfInfo === 'None') kdf = { kind: 'none' };
  else if (kdfInfo === 'HkdfSha256') kdf = { kind: 'hkdf-sha256' };
  else if (isMap(kdfInfo) && Object.keys(kdfInfo).length === 1 && isMap(kdfInfo['Pbkdf2ToChaCha20Poly1305'])) {
    const p = kdfInfo['Pbkdf2ToChaCha20Poly1305'];
    const rounds = p['rounds'];
    const salt = bytesOf(p['kdf_salt'], 32);
    if (typeof rounds !== 'number' || !Number.isSafeInteger(rounds) || !salt) return malformed;
    if (rounds < 1 || rounds > MAX_KDF_ROUNDS)
      return fail('unsafe-kdf-parameters', `The rust crypto store asks for ${rounds} PBKDF2 rounds, outside what any Matrix client writes, so Crosscheck did not run it.`);
    kdf = { kind: 'pbkdf2', rounds, salt };
  } else if (typeof kdfInfo === 'string' || (isMap(kdfInfo) && Object.keys(kdfInfo).length === 1))
    return fail('unknown-kdf', 'The rust crypto store’s key is protected in a way this version of Crosscheck does not know (a newer Matrix library); update Crosscheck.');
  else return malformed;
  if (!isMap(ctInfo) || Object.keys(ctInfo).length !== 1 || !isMap(ctInfo['ChaCha20Poly1305'])) return malformed;
  const c = ctInfo['ChaCha20Poly1305'];
  const nonce = bytesOf(c['nonce'], 24);
  const ciphertext = bytesOf(c['ciphertext']);
  // 64 key bytes + the 16-byte Poly1305 tag.
  if (!nonce || !ciphertext || ciphertext.length !== 80) return malformed;
  return ok({ kdf, nonce, ciphertext, encoding });
}

export interface UnwrapOptions {
  /** PBKDF2 for passphrase-era stores; noble by default. */
  readonly pbkdf2?: Pbkdf2Sha256;
}

/**
 * Derives the wrapping key from Element's pickle key and decrypts the store keys.
 * @param pickleKey the pickle key as Element keeps it: 43 characters of unpadded base64
 * @returns the store keys (caller wipes them), or why not; an authentication failure is
 *   `wrong-key` — the reader never guesses further
 */
export async function unwrapStoreCipher(exp: StoreCipherExport, pickleKey: string | null | undefined, opts: UnwrapOptions = {}): Promise<Result<StoreKeys, StoreCipherError>> {
  if (typeof pickleKey !== 'string' || pickleKey.length === 0)
    return fail('no-pickle-key', 'The rust crypto store is encrypted, but Element holds no pickle key for this session.');
  let wrapKey: Uint8Array | undefined;
  let raw: Uint8Array | undefined;
  let first: Uint8Array | undefined;
  let password: Uint8Array | undefined;
  let plain: Uint8Array | undefined;
  try {
    if (exp.kdf.kind === 'pbkdf2') {
      password = utf8(pickleKey);
      wrapKey = await (opts.pbkdf2 ?? noblePbkdf2Sha256)(password, exp.kdf.salt, exp.kdf.rounds, 32);
    } else {
      const decoded = pickleKey.length === 43 ? decodeBase64(pickleKey, { bytes: 32 }) : undefined;
      if (!decoded?.ok) return fail('bad-pickle-key', 'Element’s pickle key is not the 32-byte key this rust crypto store was opened with.');
      raw = decoded.value;
      // RFC 5869 with no salt = HashLen zero bytes (matrix-sdk-indexeddb open_with_key: Hkdf::new(None, key)).
      first = hkdf(sha256, raw, undefined, HKDF_INFO_STORE, 32);
      if (exp.kdf.kind === 'none') {
        wrapKey = first;
        first = undefined;
      } else wrapKey = hkdf(sha256, first, undefined, HKDF_INFO_V2, 32);
    }
    try {
      plain = xchacha20poly1305(wrapKey, exp.nonce).decrypt(exp.ciphertext);
    } catch {
      return fail('wrong-key', 'The rust crypto store’s key did not decrypt with Element’s pickle key (wrong key, or the store belongs to another session).');
    }
    if (plain.length !== 64) return fail('malformed-export', 'The rust crypto store’s key record decrypted to the wrong length.');
    return ok({ encryptionKey: plain.slice(0, 32), macKeySeed: plain.slice(32, 64) });
  } finally {
    wipe(wrapKey, raw, first, password, plain);
  }
}
