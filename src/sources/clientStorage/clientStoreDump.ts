/**
 * @module clientStorage/clientStoreDump — one file holding what the page readers copied out of a
 * client's storage (the rust crypto store's raw records, the sync store's extract), for
 * `crosscheck audit|capture --client-store FILE`: support staff and developers audit a client
 * offline, or add the client's own view to a live capture.
 *
 * An optional `legacy` part holds `readLegacyStore`'s dump (the libolm store `matrix-js-sdk:crypto`,
 * client-storage.md §4): it is used only when `rust` is unavailable, as the extension reads it only
 * when the page has no rust store. Its Account pickle names no device, so it is matched to the
 * session by its device keys ({@link legacyDeviceMismatch}) before it describes it.
 *
 * The file holds no key that opens anything: the crypto store's records stay encrypted with the
 * client's pickle key, which the command line reads from a separate file (`--pickle-key-file`),
 * hands to the decoder and wipes; the readers' pickle key never enters the dump.
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonObject, type JsonValue, LosslessNumber, isJsonObject } from '../../core/json/strictJson.ts';
import type { LocalView } from '../../core/snapshot/snapshot.ts';
import type { Pbkdf2Sha256 } from './rustStore/storeCipher.ts';
import type { RustStoreContents } from './rustStore/decodeRustStore.ts';
import { readLocalView } from './rustStore/localView.ts';
import { readLegacyLocalView } from './legacyStore/localView.ts';
import type { ClientStack } from './legacyStore/stack.ts';
import { type SyncStoreContents, decodeSyncStore } from './syncStore/decodeSyncStore.ts';
import { offlineSnapshot } from './offlineSnapshot.ts';

export const CLIENT_STORE_DUMP_FORMAT = 'crosscheck-client-store/1';

/** What the file says about one store: its reader's dump, or why there was none. */
export type StorePart = { readonly dump: unknown } | { readonly unavailable: string };

export interface ClientStoreDump {
  readonly format: typeof CLIENT_STORE_DUMP_FORMAT;
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserver?: string;
  /** `readRustStore`'s dump (its pickle key left out). */
  readonly rust: StorePart;
  /** `readSyncStore`'s dump. */
  readonly sync: StorePart;
  /** `readLegacyStore`'s dump (its pickle key left out), used when `rust` is unavailable. */
  readonly legacy?: StorePart;
}

/** What the client's stores say, decoded. */
export interface ClientStoreFacts {
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserver?: string;
  /** `local`, or why it could not be had. */
  readonly local:
    | { readonly source: 'rust'; readonly view: LocalView; readonly contents: RustStoreContents }
    /** The legacy libolm store: not yet matched to the device (the Account pickle names none); see {@link legacyDeviceMismatch}. */
    | { readonly source: 'legacy'; readonly view: LocalView; readonly stack: ClientStack }
    | { readonly unavailable: string };
  readonly sync: SyncStoreContents | { readonly unavailable: string };
}

export interface ClientStoreError {
  /** One line: what was wrong and where. */
  readonly message: string;
}

const USER_ID = /^@[^:\s]+:\S+$/;

/**
 * LosslessNumbers (strict JSON) back to plain JSON values, as the page readers produced them.
 * Walked by hand: `JSON.stringify` would call `LosslessNumber.toJSON` first and turn them into strings.
 */
function plain(v: JsonValue): unknown {
  if (v instanceof LosslessNumber) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (isJsonObject(v)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

function part(v: JsonValue | undefined, name: string): Result<StorePart, ClientStoreError> {
  if (!isJsonObject(v)) return err({ message: `"${name}" must be an object with "dump" or "unavailable"` });
  if (typeof v['unavailable'] === 'string') return ok({ unavailable: v['unavailable'].slice(0, 1000) });
  // The readers wrote plain JSON; a strict-JSON file reader's LosslessNumbers are turned back into it.
  if (v['dump'] !== undefined) return ok({ dump: plain(v['dump']) });
  return err({ message: `"${name}" has neither "dump" nor "unavailable"` });
}

/** Reads a parsed client-store file: the envelope only (each dump is validated by its decoder). */
export function readClientStoreDump(v: JsonValue): Result<ClientStoreDump, ClientStoreError> {
  if (!isJsonObject(v)) return err({ message: 'the client-store file is not a JSON object' });
  if (v['format'] !== CLIENT_STORE_DUMP_FORMAT) return err({ message: `unsupported client-store format ${JSON.stringify(v['format'] ?? null)} (expected "${CLIENT_STORE_DUMP_FORMAT}")` });
  const userId = v['userId'];
  const deviceId = v['deviceId'];
  if (typeof userId !== 'string' || !USER_ID.test(userId)) return err({ message: '"userId" must be a Matrix user ID' });
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 255) return err({ message: '"deviceId" must be a device ID' });
  const hs = v['homeserver'];
  if (hs !== undefined && typeof hs !== 'string') return err({ message: '"homeserver" must be a URL string when present' });
  const rust = part(v['rust'], 'rust');
  if (!rust.ok) return rust;
  const sync = part(v['sync'], 'sync');
  if (!sync.ok) return sync;
  let legacy: StorePart | undefined;
  if (v['legacy'] !== undefined) {
    const l = part(v['legacy'], 'legacy');
    if (!l.ok) return l;
    legacy = l.value;
  }
  return ok({ format: CLIENT_STORE_DUMP_FORMAT, userId, deviceId, ...(hs !== undefined ? { homeserver: hs } : {}), rust: rust.value, sync: sync.value, ...(legacy ? { legacy } : {}) });
}


/**
 * Decodes both stores. Nothing fails as a whole: a store that cannot be used becomes an
 * "unavailable" reason that the report lists under "not checked".
 * @param pickleKey the client's pickle key (secret; the caller wipes its copy), or null
 */
export async function decodeClientStore(dump: ClientStoreDump, pickleKey: string | null, opts: { readonly pbkdf2?: Pbkdf2Sha256 } = {}): Promise<ClientStoreFacts> {
  let local: ClientStoreFacts['local'];
  if ('unavailable' in dump.rust) {
    if (dump.legacy && 'dump' in dump.legacy) local = legacyLocal(dump.legacy.dump, pickleKey, dump.userId);
    else if (dump.legacy) local = { unavailable: `${dump.rust.unavailable}; the legacy (libolm) store: ${dump.legacy.unavailable}`.slice(0, 1000) };
    else local = { unavailable: dump.rust.unavailable };
  } else {
    const r = await readLocalView(dump.rust.dump, pickleKey, { userId: dump.userId, deviceId: dump.deviceId, ...(opts.pbkdf2 ? { pbkdf2: opts.pbkdf2 } : {}) });
    local = r.ok ? { source: 'rust', view: r.value.local, contents: r.value.contents } : { unavailable: r.error.message };
  }
  let sync: ClientStoreFacts['sync'];
  if ('unavailable' in dump.sync) sync = { unavailable: dump.sync.unavailable };
  else {
    const s = decodeSyncStore(dump.sync.dump, dump.userId);
    sync = s.ok ? s.value : { unavailable: s.error.message };
  }
  return { userId: dump.userId, deviceId: dump.deviceId, ...(dump.homeserver ? { homeserver: dump.homeserver } : {}), local, sync };
}

/** Adds the client's own view to a snapshot of the same session (live capture or file). */
export function withClientStore(snapshot: JsonObject, facts: ClientStoreFacts): Result<JsonObject, ClientStoreError> {
  if (snapshot['userId'] !== facts.userId || snapshot['deviceId'] !== facts.deviceId)
    return err({ message: `the client store is ${facts.userId} ${facts.deviceId}, but the snapshot is ${String(snapshot['userId'])} ${String(snapshot['deviceId'])}` });
  const out: JsonObject = Object.create(null);
  Object.assign(out, snapshot);
  delete out['local'];
  delete out['localUnavailable'];
  const mismatch = 'source' in facts.local && facts.local.source === 'legacy' ? legacyDeviceMismatch(facts.local.view, snapshot, facts.userId, facts.deviceId) : undefined;
  if (mismatch !== undefined) out['localUnavailable'] = mismatch;
  else if ('view' in facts.local) out['local'] = facts.local.view as unknown as JsonValue;
  else out['localUnavailable'] = facts.local.unavailable;
  return ok(out);
}

/**
 * Decodes a legacy libolm store dump (`readLegacyStore`'s) into `local`, or says why it cannot
 * describe the client: undecodable, another account's, or leftover data of a client that has
 * migrated to rust crypto (client-storage.md §4 case 3: its message keys were moved out and
 * deleted) — stale data is never presented as the client's current state.
 * @param pickleKey the client's pickle key, or null (js-sdk's "DEFAULT_KEY" is tried); not kept
 */
export function legacyLocal(dump: unknown, pickleKey: string | null, userId: string): { readonly source: 'legacy'; readonly view: LocalView; readonly stack: ClientStack } | { readonly unavailable: string } {
  const r = readLegacyLocalView(dump, pickleKey, { userId });
  if (!r.ok) return { unavailable: r.error.message };
  if (r.value.stack === 'libolm-migrated')
    return { unavailable: 'this browser holds no rust crypto store, only the legacy (libolm) store of a client that has since migrated to rust crypto: that store is leftover data (its message keys were moved out), not the client’s current state' };
  if (r.value.stack === 'rust') return { unavailable: 'the legacy (libolm) crypto store is leftover data: the client now uses a rust crypto store' };
  return { source: 'legacy', view: r.value.local, stack: r.value.stack };
}

/**
 * The legacy Account pickle names no device: the store describes this session only if its device
 * keys are the ones the snapshot's /keys/query publishes for the session's own device.
 * @returns why the store cannot be used for this session, or undefined when the keys match
 */
export function legacyDeviceMismatch(view: LocalView, snapshot: JsonValue, userId: string, deviceId: string): string | undefined {
  const mine = view.deviceKeys;
  if (!mine) return 'the legacy (libolm) crypto store’s own device keys could not be read (is the pickle key right?), so it cannot be matched to this session';
  const field = (o: JsonValue | undefined, k: string): JsonValue | undefined => (o !== undefined && isJsonObject(o) ? o[k] : undefined);
  const published = field(field(field(field(field(snapshot, 'keysQuery'), 'device_keys'), userId), deviceId), 'keys');
  const ed = field(published, `ed25519:${deviceId}`);
  const curve = field(published, `curve25519:${deviceId}`);
  if (typeof ed !== 'string' || typeof curve !== 'string')
    return `the legacy (libolm) crypto store cannot be matched to this session: the homeserver publishes no device keys for ${deviceId}`;
  if (ed !== mine.ed25519 || curve !== mine.curve25519)
    return `the legacy (libolm) crypto store belongs to another device than this session (its device keys are not the ones published for ${deviceId}), so it was not used`;
  return undefined;
}

/** A snapshot from the stores alone (./offlineSnapshot.ts); needs a readable crypto store. */
export function offlineFromClientStore(facts: ClientStoreFacts, now: Date): Result<JsonObject, ClientStoreError> {
  if (!('view' in facts.local)) return err({ message: `an offline audit needs the client's crypto store, and it could not be used: ${facts.local.unavailable}` });
  if (facts.local.source === 'legacy')
    return err({
      message:
        'an offline audit needs the signed device and identity keys the rust crypto store keeps, and this client has only a legacy (libolm) store, whose decoder does not provide them; audit a snapshot with it instead (--snapshot FILE --client-store FILE)',
    });
  const sync = 'unavailable' in facts.sync ? undefined : facts.sync;
  const built = offlineSnapshot({
    userId: facts.userId,
    deviceId: facts.deviceId,
    ...(facts.homeserver ? { homeserver: facts.homeserver } : {}),
    rust: facts.local.contents,
    local: facts.local.view,
    ...(sync ? { sync } : { syncUnavailable: 'unavailable' in facts.sync ? facts.sync.unavailable : 'the sync store was not read' }),
    now,
  });
  return built.ok ? built : err({ message: built.error.message });
}
