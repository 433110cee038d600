/**
 * @module clientStorage/offlineSnapshot — a snapshot made from the client's own stores alone, so
 * an audit can run without the network (issue 5; client-storage.md §3.6, §5):
 * - `keysQuery` is assembled from the signed device keys and cross-signing keys the rust crypto
 *   store kept, exactly as stored (matrix-sdk-crypto keeps unknown fields, so the signatures
 *   verify over them as over the server's copy), and checked by the same core as a live capture:
 *   a store the page tampered with can make a verdict weaker, never stronger, because every link
 *   still needs its signature and every identity its anchor (security.md D4);
 * - `accountData` comes from the sync store (ciphertext; only the recovery key opens it);
 * - who to audit: the joined members of joined encrypted rooms per the sync store, or, without
 *   one, every user whose keys the crypto store tracks; `queriedUsers` lists them, so a user the
 *   store holds no keys for is reported `unknown` rather than left out;
 * - `local` is the crypto store's own view (./rustStore/localView.ts).
 * What a store cannot tell (the server's current key backup, display names, keys changed since
 * the client last synced) is absent, and the report lists it under "not checked"
 * (`capturedFrom: "client-store"`, `coverageGaps`).
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonObject, type JsonValue, LosslessNumber } from '../../core/json/strictJson.ts';
import { SNAPSHOT_FORMAT, type LocalView } from '../../core/snapshot/snapshot.ts';
import { BigIntText, NumberText, type JsonB } from './rustStore/jsonBytes.ts';
import type { RustStoreContents } from './rustStore/decodeRustStore.ts';
import type { SyncStoreContents } from './syncStore/decodeSyncStore.ts';

export interface OfflineSnapshotInput {
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserver?: string;
  readonly rust: RustStoreContents;
  readonly local: LocalView;
  readonly sync?: SyncStoreContents;
  /** Why the sync store could not be used, when it could not. */
  readonly syncUnavailable?: string;
  readonly now: Date;
}

export interface OfflineSnapshotError {
  readonly code: 'account-mismatch';
  readonly message: string;
}

/** A stored JSON value as the core's strict JSON: prototype-less objects, numbers that are not plain integers kept as text. */
export function toJsonValue(v: JsonB): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof BigIntText || v instanceof NumberText) return new LosslessNumber(v.text);
  if (Array.isArray(v)) return v.map(toJsonValue);
  const out: JsonObject = Object.create(null);
  for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x);
  return out;
}

const obj = (): JsonObject => Object.create(null) as JsonObject;
const child = (parent: JsonObject, key: string): JsonObject => {
  const existing = parent[key];
  if (existing !== undefined && existing !== null && typeof existing === 'object' && !Array.isArray(existing) && !(existing instanceof LosslessNumber)) return existing;
  const made = obj();
  parent[key] = made;
  return made;
};

/** Builds the snapshot JSON (read it with `readSnapshot`, as every other snapshot). */
export function offlineSnapshot(input: OfflineSnapshotInput): Result<JsonObject, OfflineSnapshotError> {
  const { rust } = input;
  if (rust.account && (rust.account.userId !== input.userId || rust.account.deviceId !== input.deviceId))
    return err({ code: 'account-mismatch', message: 'The client’s crypto store belongs to another account or session than the one named.' });

  // Who to audit.
  const gaps: string[] = [];
  let users: string[];
  if (input.sync?.saved) {
    users = [...input.sync.rooms.users];
    for (const g of input.sync.gaps) gaps.push(`people in encrypted rooms: ${g}`);
  } else {
    const known = new Set<string>([...Object.keys(rust.trackedUsers), ...Object.keys(rust.identities), ...rust.devices.map((d) => d.userId)]);
    known.delete(input.userId);
    users = [input.userId, ...[...known].sort()];
    gaps.push(
      input.sync
        ? 'people in encrypted rooms: the client had not saved its sync data yet, so everyone whose keys the crypto store tracks was audited instead'
        : `people in encrypted rooms: ${input.syncUnavailable ?? 'the sync store was not read'}, so everyone whose keys the crypto store tracks was audited instead`,
    );
  }
  const wanted = new Set(users);
  const outdated = users.filter((u) => rust.trackedUsers[u] === true).length;
  if (outdated > 0) gaps.push(`current keys: the client had marked the device lists of ${outdated} user${outdated === 1 ? '' : 's'} out of date`);
  if (!rust.complete.devices || !rust.complete.identities) gaps.push('every stored key: the crypto store held more devices or identities than were read');

  // keysQuery, as /keys/query would have answered from what the client last saw.
  const keysQuery = obj();
  const deviceKeys = child(keysQuery, 'device_keys');
  for (const d of rust.devices) {
    if (d.deleted || !wanted.has(d.userId)) continue;
    child(deviceKeys, d.userId)[d.deviceId] = toJsonValue(d.signed);
  }
  for (const [userId, id] of Object.entries(rust.identities)) {
    if (!wanted.has(userId) || id.userId !== userId) continue;
    if (id.kind === 'own' && userId !== input.userId) continue;
    child(keysQuery, 'master_keys')[userId] = toJsonValue(id.signed.master);
    child(keysQuery, 'self_signing_keys')[userId] = toJsonValue(id.signed.selfSigning);
    if (id.kind === 'own') child(keysQuery, 'user_signing_keys')[userId] = toJsonValue(id.signed.userSigning);
  }
  keysQuery['failures'] = obj();

  const snapshot: JsonObject = Object.create(null);
  Object.assign(snapshot, {
    format: SNAPSHOT_FORMAT,
    capturedAt: input.now.toISOString(),
    ...(input.homeserver ? { homeserver: input.homeserver } : {}),
    userId: input.userId,
    deviceId: input.deviceId,
    capturedFrom: 'client-store',
    keysQuery,
    queriedUsers: users,
    // js-sdk saves account data together with the sync data (IndexedDBStore syncToDatabase): an
    // unsaved store's empty account data would read as "no secret storage", so it is left out.
    ...(input.sync?.saved ? { accountData: input.sync.accountData } : {}),
    local: input.local as unknown as JsonValue,
    coverageGaps: gaps,
    pins: obj(),
  });
  return ok(snapshot);
}
