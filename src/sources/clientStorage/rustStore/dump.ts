/**
 * @module rustStore/dump — the contract between the injected reader (./readRustStore.ts), which
 * copies records out of the page's rust crypto store without decrypting anything, and the pure
 * decoder (./decodeRustStore.ts). Plain JSON only (it crosses `executeScript` and messaging),
 * bytes as base64. It carries ciphertext and the store's own structure, never a key: the pickle
 * key travels beside it, separately, so it can be dropped first.
 *
 * A dump comes from the page, which may be hostile (security.md D4, STYLE §9.18), so
 * {@link validateRustStoreDump} checks every field and bound before the decoder looks at it.
 */
import { type Result, ok, err } from '../../../core/result.ts';

export const RUST_STORE_DUMP_FORMAT = 'crosscheck-rust-store-dump/1';

/**
 * One stored IndexedDB value, copied out of the page:
 * - `{ b }`: the value was an array whose elements are all integers 0…255 (a legacy-encoded value,
 *   or the store-cipher export); `b` is those bytes in standard unpadded base64, four times smaller
 *   than the array as JSON;
 * - `{ j }`: any other plain value (object, string, number, boolean, null, or an array that is not
 *   all bytes), copied structurally;
 * - `{ x }`: a value of a type the store never writes (an ArrayBuffer, a Date…), named, not copied.
 */
export type RawValue = { readonly b: string } | { readonly j: unknown } | { readonly x: string };

/** `[stored key, stored value]`. Keys in this store are strings. */
export type RawRecord = readonly [string, RawValue];

/** Records of one object store, possibly capped: `total` is how many the store holds. */
export interface RawTable {
  readonly records: readonly RawRecord[];
  readonly total: number;
}

export interface RawSessions extends RawTable {
  /** Sessions whose `needs_backup` flag is set (the store's `backup` index), across the whole store. */
  readonly notBackedUp: number;
  /**
   * Every session grouped by the first key component (the room, hashed in an encrypted store):
   * `[bucket, sessions, of which not backed up]`. Exact even when `records` is capped; the
   * reader keeps at least one record per bucket so the decoder can name each bucket's room.
   */
  readonly buckets: readonly (readonly [string, number, number])[];
}

export interface RustStoreDump {
  readonly format: typeof RUST_STORE_DUMP_FORMAT;
  /** The database prefix (`matrix-js-sdk` for Element): databases `<prefix>::matrix-sdk-crypto[-meta]`. */
  readonly prefix: string;
  /** The main database's version = the store's schema version (107 for crypto-wasm 18.9). */
  readonly schemaVersion: number;
  /** The object stores the main database has, sorted. */
  readonly objectStores: readonly string[];
  /** The meta database's `store_cipher` record; `null` when there is none (an unencrypted store). */
  readonly storeCipher: RawValue | null;
  /** `core` records the decoder needs (`account`, `private_identity`). */
  readonly core: RawTable;
  /** Every `backup_keys` record (`backup_version_v1`, `recovery_key_v1`, older `backup_key_v1`). */
  readonly backupKeys: RawTable;
  readonly identities: RawTable;
  readonly devices: RawTable;
  /** `tracked_users`: plain user IDs → dirty flag. */
  readonly trackedUsers: RawTable;
  /** `inbound_group_sessions3`. */
  readonly sessions: RawSessions;
  /** `withheld_sessions` (schema ≥ 100) or `direct_withheld_info` (older); `store` says which. */
  readonly withheld: RawTable & { readonly store: 'withheld_sessions' | 'direct_withheld_info' | null };
}

/** Bounds the decoder enforces, whatever the reader was told (a page could send more). */
export const DUMP_LIMITS = {
  records: 200_000,
  buckets: 100_000,
  /** One stored value, as base64 or JSON text (an account pickle with its one-time keys is ~35 kB). */
  valueChars: 4_000_000,
  keyChars: 4_096,
  prefixChars: 512,
} as const;

export interface DumpError {
  readonly code: 'not-a-dump' | 'unsupported-format' | 'bad-field';
  readonly message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function rawValueOk(v: unknown): v is RawValue {
  if (!isObj(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  if ('b' in v) return typeof v['b'] === 'string' && v['b'].length <= DUMP_LIMITS.valueChars && /^[A-Za-z0-9+/]*$/.test(v['b']);
  if ('x' in v) return typeof v['x'] === 'string' && v['x'].length <= 64;
  return 'j' in v;
}

function tableOk(v: unknown): v is RawTable {
  if (!isObj(v) || !Array.isArray(v['records']) || !isCount(v['total'])) return false;
  if (v['records'].length > DUMP_LIMITS.records) return false;
  for (const r of v['records'] as unknown[]) {
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || r[0].length > DUMP_LIMITS.keyChars || !rawValueOk(r[1])) return false;
  }
  return true;
}

/**
 * Checks that `v` is a {@link RustStoreDump} within {@link DUMP_LIMITS}. The size of `j` values is
 * bounded by the transport; the decoder bounds what it decrypts and parses.
 */
export function validateRustStoreDump(v: unknown): Result<RustStoreDump, DumpError> {
  const bad = (what: string) => err<DumpError>({ code: 'bad-field', message: `the rust store dump's ${what} is malformed` });
  if (!isObj(v)) return err({ code: 'not-a-dump', message: 'the rust store dump is not an object' });
  if (v['format'] !== RUST_STORE_DUMP_FORMAT) return err({ code: 'unsupported-format', message: `unsupported rust store dump format (expected "${RUST_STORE_DUMP_FORMAT}")` });
  if (typeof v['prefix'] !== 'string' || v['prefix'].length > DUMP_LIMITS.prefixChars) return bad('prefix');
  if (!isCount(v['schemaVersion'])) return bad('schema version');
  const stores = v['objectStores'];
  if (!Array.isArray(stores) || stores.length > 256 || !stores.every((s) => typeof s === 'string' && s.length <= 256)) return bad('object store list');
  if (v['storeCipher'] !== null && !rawValueOk(v['storeCipher'])) return bad('store cipher');
  for (const t of ['core', 'backupKeys', 'identities', 'devices', 'trackedUsers'] as const) if (!tableOk(v[t])) return bad(t);
  const s = v['sessions'];
  if (!tableOk(s) || !isObj(s) || !isCount(s['notBackedUp']) || !Array.isArray(s['buckets']) || s['buckets'].length > DUMP_LIMITS.buckets) return bad('sessions');
  for (const b of s['buckets'] as unknown[]) {
    if (!Array.isArray(b) || b.length !== 3 || typeof b[0] !== 'string' || b[0].length > DUMP_LIMITS.keyChars || !isCount(b[1]) || !isCount(b[2]) || b[2] > b[1]) return bad('session buckets');
  }
  const w = v['withheld'];
  if (!tableOk(w) || !isObj(w) || !(w['store'] === null || w['store'] === 'withheld_sessions' || w['store'] === 'direct_withheld_info')) return bad('withheld sessions');
  return ok(v as unknown as RustStoreDump);
}
