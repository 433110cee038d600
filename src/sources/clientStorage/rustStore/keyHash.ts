/**
 * @module rustStore/keyHash — how the rust crypto store names its records (client-storage.md
 * §3.4; matrix-sdk-store-encryption `hash_key` / `get_mac_key_for_table`, matrix-sdk-indexeddb
 * `safe_encode`).
 *
 * In an encrypted store every key component is hidden: per object store, a MAC key is derived
 * with BLAKE3 in derive-key mode (context = the store's name, key material = `mac_key_seed`), and
 * each component is BLAKE3-keyed-hashed with it and written as unpadded standard base64. Before
 * hashing (and, in an unencrypted store, instead of it) a component is "encoded": every U+001D is
 * replaced by U+001E U+001D. A tuple key joins its components with U+001D, so the text before
 * the first U+001D groups records by their first component (room, user) without any key.
 * `core`, `backup_keys`, `tracked_users` and `lease_locks` keys are never hashed.
 */
import { blake3 } from '@noble/hashes/blake3.js';
import { utf8, wipe } from '../../../core/bytes.ts';
import { encodeBase64 } from '../../../core/encoding/base64.ts';

/** Joins the components of a tuple key (matrix-sdk-indexeddb KEY_SEPARATOR). */
export const KEY_SEPARATOR = '\u001d';
/** Upper bound of a prefix range (RANGE_END). */
export const RANGE_END = '\u001e';

/** `safe_encode`'s escaping of one key component. */
export const encodeKeyComponent = (s: string): string => s.replaceAll(KEY_SEPARATOR, `${RANGE_END}${KEY_SEPARATOR}`);

/** Hashes record-key components for one store cipher; holds the per-table keys until wiped. */
export interface KeyHasher {
  /** The stored key of `components` in `table` (hashed and joined; or encoded and joined without a cipher). */
  key(table: string, ...components: string[]): string;
  /** Forgets and wipes the per-table keys. */
  wipe(): void;
}

/**
 * A {@link KeyHasher} for a store whose `mac_key_seed` is `macKeySeed`, or for an unencrypted
 * store when it is `undefined`. The seed is copied, so the caller may wipe its own.
 */
export function keyHasher(macKeySeed: Uint8Array | undefined): KeyHasher {
  const seed = macKeySeed?.slice();
  const tables = new Map<string, Uint8Array>();
  let wiped = false;
  const tableKey = (table: string): Uint8Array => {
    if (wiped || !seed) throw new TypeError('keyHasher: used after wipe()');
    let k = tables.get(table);
    if (!k) {
      // blake3::derive_key(context, material): noble v2 takes the context as bytes.
      k = blake3(seed, { context: utf8(table) });
      tables.set(table, k);
    }
    return k;
  };
  return {
    key(table, ...components) {
      if (macKeySeed === undefined) return components.map(encodeKeyComponent).join(KEY_SEPARATOR);
      const k = tableKey(table);
      return components.map((c) => encodeBase64(blake3(utf8(encodeKeyComponent(c)), { key: k }))).join(KEY_SEPARATOR);
    },
    wipe() {
      wiped = true;
      for (const k of tables.values()) wipe(k);
      tables.clear();
      wipe(seed);
    },
  };
}

/** The first component of a stored tuple key (a room or user bucket), as stored. */
export function firstComponent(storedKey: string): string {
  // An encoded component never contains a bare U+001D except after U+001E.
  for (let i = 0; i < storedKey.length; i++) {
    if (storedKey.charCodeAt(i) === 0x1d && (i === 0 || storedKey.charCodeAt(i - 1) !== 0x1e)) return storedKey.slice(0, i);
  }
  return storedKey;
}
