/**
 * @module legacyStore/dump — the contract between the injected reader (./readLegacyStore.ts),
 * which copies records out of the page's legacy libolm crypto store (`matrix-js-sdk:crypto`,
 * client-storage.md §4) without decrypting anything, and the pure decoder
 * (./decodeLegacyStore.ts). Plain JSON only (it crosses `executeScript` and messaging), bytes as
 * base64. It carries pickles and ciphertext, never a key: the pickle key travels beside it.
 *
 * A dump comes from the page, which may be hostile (security.md D4, STYLE §9.18), so
 * {@link validateLegacyStoreDump} checks every field and bound before the decoder looks at it.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import type { RawValue } from '../rustStore/dump.ts';

export type { RawValue };

export const LEGACY_STORE_DUMP_FORMAT = 'crosscheck-legacy-store-dump/1';

/** Element's legacy store (element-web createMatrixClient.ts; js-sdk IndexedDBCryptoStore). */
export const LEGACY_DB_NAME = 'matrix-js-sdk:crypto';

/** `[stored key, stored value]` of the `account` store (out-of-line string keys). */
export type RawAccountRecord = readonly [string, RawValue];

/** Records of one object store, possibly capped: `total` is how many the store holds. */
export interface RawList {
  readonly records: readonly RawValue[];
  readonly total: number;
}

export interface RawLegacySessions extends RawList {
  /**
   * Every session the reader counted, per room: `[room ID, sessions, of which in
   * sessions_needing_backup]`. The room is inside the value in this store, so the reader reads
   * every value to count; `counted` says how many it got to (equal to `total` unless the count cap
   * stopped it, and then the counts are a lower bound).
   */
  readonly buckets: readonly (readonly [string, number, number])[];
  readonly counted: number;
}

export interface LegacyStoreDump {
  readonly format: typeof LEGACY_STORE_DUMP_FORMAT;
  /** The database name (`matrix-js-sdk:crypto` for Element). */
  readonly dbName: string;
  /** The database version (11 for every js-sdk since `parked_shared_history`; indexeddb-crypto-store-backend.ts DB_MIGRATIONS). */
  readonly version: number;
  /** The object stores the database has, sorted. */
  readonly objectStores: readonly string[];
  /** Databases `indexedDB.databases()` listed whose names end in `::matrix-sdk-crypto` (a rust store on the same origin). */
  readonly rustStores: readonly string[];
  /**
   * The `account` records the decoder needs: `-` (the libolm Account pickle), `crossSigningKeys`,
   * `migrationState` and every `ssss_cache:*`. `total` is how many records the store holds.
   */
  readonly account: { readonly records: readonly RawAccountRecord[]; readonly total: number };
  /**
   * `device_data` `-`'s `crossSigningInfo`, per user (capped); `null` when there is no
   * `device_data` record. `total` is how many users the record holds.
   */
  readonly crossSigningInfo: { readonly records: readonly RawAccountRecord[]; readonly total: number } | null;
  /** `inbound_group_sessions` values (capped) with exact per-room counts. */
  readonly sessions: RawLegacySessions;
  /** `sessions_needing_backup` keys `[sender key, session ID]` (capped at the record limit) and their total. */
  readonly needingBackup: { readonly keys: readonly (readonly [string, string])[]; readonly total: number };
  /** `inbound_group_sessions_withheld` values (capped). */
  readonly withheld: RawList;
}

/** Bounds the decoder enforces, whatever the reader was told (a page could send more). */
export const LEGACY_DUMP_LIMITS = {
  records: 200_000,
  buckets: 100_000,
  /** One stored value as base64 (an account pickle with 50 one-time keys is ~7 kB). */
  valueChars: 1_000_000,
  keyChars: 4_096,
  nameChars: 512,
} as const;

export interface LegacyDumpError {
  readonly code: 'not-a-dump' | 'unsupported-format' | 'bad-field';
  readonly message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function rawValueOk(v: unknown): v is RawValue {
  if (!isObj(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  if ('b' in v) return typeof v['b'] === 'string' && v['b'].length <= LEGACY_DUMP_LIMITS.valueChars && /^[A-Za-z0-9+/]*$/.test(v['b']);
  if ('x' in v) return typeof v['x'] === 'string' && v['x'].length <= 64;
  return 'j' in v;
}

function keyedOk(v: unknown): v is { records: RawAccountRecord[]; total: number } {
  if (!isObj(v) || !Array.isArray(v['records']) || !isCount(v['total']) || v['records'].length > LEGACY_DUMP_LIMITS.records) return false;
  for (const r of v['records'] as unknown[]) if (!Array.isArray(r) || r.length !== 2 || !isName(r[0], LEGACY_DUMP_LIMITS.keyChars) || !rawValueOk(r[1])) return false;
  return true;
}

function listOk(v: unknown): v is RawList {
  if (!isObj(v) || !Array.isArray(v['records']) || !isCount(v['total']) || v['records'].length > LEGACY_DUMP_LIMITS.records) return false;
  return (v['records'] as unknown[]).every(rawValueOk);
}

/**
 * Checks that `v` is a {@link LegacyStoreDump} within {@link LEGACY_DUMP_LIMITS}. The size of `j`
 * values is bounded by the transport; the decoder bounds what it decodes.
 */
export function validateLegacyStoreDump(v: unknown): Result<LegacyStoreDump, LegacyDumpError> {
  const bad = (what: string) => err<LegacyDumpError>({ code: 'bad-field', message: `the legacy store dump's ${what} is malformed` });
  if (!isObj(v)) return err({ code: 'not-a-dump', message: 'the legacy store dump is not an object' });
  if (v['format'] !== LEGACY_STORE_DUMP_FORMAT) return err({ code: 'unsupported-format', message: `unsupported legacy store dump format (expected "${LEGACY_STORE_DUMP_FORMAT}")` });
  if (!isName(v['dbName'], LEGACY_DUMP_LIMITS.nameChars)) return bad('database name');
  if (!isCount(v['version'])) return bad('version');
  for (const f of ['objectStores', 'rustStores'] as const) {
    const list = v[f];
    if (!Array.isArray(list) || list.length > 256 || !list.every((s) => isName(s, LEGACY_DUMP_LIMITS.nameChars))) return bad(f);
  }
  if (!keyedOk(v['account'])) return bad('account records');
  if (v['crossSigningInfo'] !== null && !keyedOk(v['crossSigningInfo'])) return bad('crossSigningInfo');
  const s = v['sessions'];
  if (!listOk(s) || !isObj(s) || !isCount(s['counted']) || s['counted'] > s['total'] || !Array.isArray(s['buckets']) || s['buckets'].length > LEGACY_DUMP_LIMITS.buckets) return bad('sessions');
  for (const b of s['buckets'] as unknown[]) {
    if (!Array.isArray(b) || b.length !== 3 || !isName(b[0], LEGACY_DUMP_LIMITS.keyChars) || !isCount(b[1]) || !isCount(b[2]) || b[2] > b[1]) return bad('session buckets');
  }
  const nb = v['needingBackup'];
  if (!isObj(nb) || !isCount(nb['total']) || !Array.isArray(nb['keys']) || nb['keys'].length > LEGACY_DUMP_LIMITS.records) return bad('needingBackup');
  for (const k of nb['keys'] as unknown[]) if (!Array.isArray(k) || k.length !== 2 || !isName(k[0], LEGACY_DUMP_LIMITS.keyChars) || !isName(k[1], LEGACY_DUMP_LIMITS.keyChars)) return bad('needingBackup keys');
  if (!listOk(v['withheld'])) return bad('withheld');
  return ok(v as unknown as LegacyStoreDump);
}
