/**
 * @module legacyStore/schema — which versions of the legacy crypto database this reader knows
 * (client-storage.md §4; js-sdk src/crypto/store/indexeddb-crypto-store-backend.ts DB_MIGRATIONS,
 * whose length is the database version).
 *
 * Every migration in DB_MIGRATIONS only creates stores; the five read here all exist from version
 * 8 (`inbound_group_sessions_withheld`). Version 11 (`parked_shared_history`) is what the last
 * js-sdk with legacy crypto (36.2.0, checked) writes, and what the tests build with it. Anything
 * outside is refused as "unsupported store version N" rather than read on a guess.
 */

/** The oldest version read (all five stores present). */
export const MIN_LEGACY_VERSION = 8;
/** The newest version read: js-sdk ≤ 36.x's VERSION. */
export const MAX_LEGACY_VERSION = 11;

/** True when this reader knows the layout of version `v`. */
export const isKnownLegacyVersion = (v: number): boolean => Number.isSafeInteger(v) && v >= MIN_LEGACY_VERSION && v <= MAX_LEGACY_VERSION;

/** js-sdk's pickle key when the app gives none (src/crypto/OlmDevice.ts `pickleKey = "DEFAULT_KEY"`). */
export const DEFAULT_PICKLE_KEY = 'DEFAULT_KEY';
