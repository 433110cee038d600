/**
 * @module legacyStore/stack — which crypto stack the client on this page uses, from what the
 * reader saw (client-storage.md §4 "Which stack is in use", after react-sdk
 * src/utils/StorageManager.ts checkCryptoStore and js-sdk src/rust-crypto/libolm_migration.ts):
 * - a rust store is listed → `rust`: the legacy database is leftover data (or the source of a
 *   migration the next load finishes);
 * - otherwise `migrationState` (absent = 0, NOT_STARTED) 0 → `libolm`: an old client, still to be
 *   migrated; 1–2 → `libolm-migrating` (a migration that stopped before the megolm sessions);
 *   ≥ 3 (MEGOLM_SESSIONS_MIGRATED) → `libolm-migrated`: the sessions were moved out, and the rust
 *   store that received them is gone.
 */
export type ClientStack = 'rust' | 'libolm' | 'libolm-migrating' | 'libolm-migrated';

/** js-sdk MigrationState.MEGOLM_SESSIONS_MIGRATED (src/crypto/store/base.ts). */
export const MEGOLM_SESSIONS_MIGRATED = 3;

export function clientStack(rustStores: readonly string[], migrationState: number): ClientStack {
  if (rustStores.length > 0) return 'rust';
  if (migrationState >= MEGOLM_SESSIONS_MIGRATED) return 'libolm-migrated';
  if (migrationState > 0) return 'libolm-migrating';
  return 'libolm';
}
