/**
 * @module rustStore/schema — which schema versions of the rust crypto store this reader knows
 * (client-storage.md §3.8; matrix-sdk-indexeddb `crypto_store/migrations/mod.rs`).
 *
 * The main database's IndexedDB version is the schema version. The layout this reader depends on
 * exists from 10 (`inbound_group_sessions3`) to 107 (crypto-wasm 18.9): 11 renamed
 * `backup_key_v1` to `backup_version_v1`, 100/101 replaced `direct_withheld_info` by
 * `withheld_sessions`, and the rest added stores it does not read. Anything outside is refused
 * as "unsupported store version N" rather than read on a guess — including versions up to the
 * library's own MAX_SUPPORTED_SCHEMA_VERSION (199), which it promises to stay compatible with but
 * which nobody has yet seen.
 */

/** The oldest schema read: schema 10 (crypto-wasm 4.x–6.x, Element mid-2024). */
export const MIN_SCHEMA_VERSION = 10;
/** The newest schema read: 107 (crypto-wasm 18.9, matrix-sdk-indexeddb 0.19). */
export const MAX_SCHEMA_VERSION = 107;

/** True when this reader knows the layout of schema `v`. */
export const isKnownSchema = (v: number): boolean => Number.isSafeInteger(v) && v >= MIN_SCHEMA_VERSION && v <= MAX_SCHEMA_VERSION;

/** Object store names (matrix-sdk-indexeddb `crypto_store::keys` and `migrations::old_keys`). */
export const STORES = {
  core: 'core',
  backupKeys: 'backup_keys',
  identities: 'identities',
  devices: 'devices',
  trackedUsers: 'tracked_users',
  sessions: 'inbound_group_sessions3',
  withheld: 'withheld_sessions',
  withheldBefore101: 'direct_withheld_info',
} as const;

/** Record keys in `core` and `backup_keys` (never hashed). */
export const KEYS = {
  account: 'account',
  privateIdentity: 'private_identity',
  backupVersion: 'backup_version_v1',
  /** Before schema 11: the backup version, always in the legacy encoding. */
  backupVersionBefore11: 'backup_key_v1',
  recoveryKey: 'recovery_key_v1',
} as const;
