/**
 * @module syncStore/dump — the contract between the injected sync-store reader
 * (./readSyncStore.ts) and the pure decoder (./decodeSyncStore.ts). Plain JSON (it crosses
 * `executeScript` and messaging). It comes from the page, which may be hostile (security.md D4),
 * so {@link validateSyncStoreDump} checks every field and bound before anything reads it.
 */
import { type Result, ok, err } from '../../../core/result.ts';

export const SYNC_STORE_DUMP_FORMAT = 'crosscheck-sync-store-dump/1';

/**
 * One state event reduced to what an audit needs: `['m', userId, membership]` for
 * `m.room.member`, `['e', stateKey, algorithm]` for `m.room.encryption`.
 */
export type SyncStateEntry = readonly ['m' | 'e', string, string];

export interface SyncStoreRoom {
  readonly roomId: string;
  /** `org.matrix.msc4222.state_after` (the state at the end of the timeline), when the client stored it; else null. */
  readonly stateAfter: readonly SyncStateEntry[] | null;
  /** `state` (the state at the start of the timeline). */
  readonly state: readonly SyncStateEntry[];
  /** State events in the stored timeline, in order. */
  readonly timeline: readonly SyncStateEntry[];
}

export interface SyncStoreDump {
  readonly format: typeof SYNC_STORE_DUMP_FORMAT;
  readonly dbName: string;
  readonly version: number;
  /** Account data by type (only secret storage, cross-signing, backup types); contents as stored. */
  readonly accountData: Readonly<Record<string, unknown>>;
  /** Whether the client had saved its sync data at all (js-sdk writes it lazily, at most every 5 minutes). */
  saved: boolean;
  /** Joined rooms (up to the reader's cap) and how many there were. */
  rooms: SyncStoreRoom[];
  roomsTotal: number;
  /** Lazy-loaded members: `[roomId, userId, membership]`; how many records were read (markers included) and how many the store had. */
  oob: (readonly [string, string, string])[];
  oobRead: number;
  oobTotal: number;
  /** Rooms whose members were loaded (js-sdk's `oob_written` marker). */
  oobLoaded: string[];
}

export type SyncStoreReadErrorCode = 'no-store' | 'ambiguous-store' | 'schema-too-new' | 'storage-corrupt' | 'read-failed';

export type SyncStoreReadResult =
  | { readonly ok: true; readonly value: SyncStoreDump }
  | { readonly ok: false; readonly error: { readonly code: SyncStoreReadErrorCode; readonly message: string; readonly version?: number } };

export const SYNC_DUMP_LIMITS = { rooms: 100_000, entriesPerRoom: 1_000_000, oob: 1_000_000, idChars: 512, accountDataTypes: 256, accountDataChars: 1_000_000 } as const;

export interface SyncDumpError {
  readonly code: 'bad-dump';
  /** What was wrong and where. */
  readonly message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= SYNC_DUMP_LIMITS.idChars;

function validEntries(v: unknown): v is SyncStateEntry[] {
  if (!Array.isArray(v) || v.length > SYNC_DUMP_LIMITS.entriesPerRoom) return false;
  return v.every((e) => Array.isArray(e) && e.length === 3 && (e[0] === 'm' || e[0] === 'e') && typeof e[1] === 'string' && e[1].length <= SYNC_DUMP_LIMITS.idChars && typeof e[2] === 'string' && e[2].length <= 256);
}

/** Checks a dump from the page: shape, types and bounds. */
export function validateSyncStoreDump(d: unknown): Result<SyncStoreDump, SyncDumpError> {
  const bad = (where: string) => err<SyncDumpError>({ code: 'bad-dump', message: `The sync store dump is malformed at ${where}.` });
  if (!isObj(d)) return bad('the top level');
  if (d['format'] !== SYNC_STORE_DUMP_FORMAT) return bad('"format"');
  if (!isId(d['dbName'])) return bad('"dbName"');
  if (!isCount(d['version'])) return bad('"version"');
  if (typeof d['saved'] !== 'boolean') return bad('"saved"');
  const ad = d['accountData'];
  if (!isObj(ad) || Object.keys(ad).length > SYNC_DUMP_LIMITS.accountDataTypes) return bad('"accountData"');
  for (const [type, content] of Object.entries(ad)) {
    if (type.length > SYNC_DUMP_LIMITS.idChars) return bad('"accountData" (a type name)');
    let size: number;
    try {
      size = JSON.stringify(content ?? null).length;
    } catch {
      return bad(`"accountData"["${type.slice(0, 80)}"]`);
    }
    if (size > SYNC_DUMP_LIMITS.accountDataChars) return bad(`"accountData"["${type.slice(0, 80)}"] (too large)`);
  }
  const rooms = d['rooms'];
  if (!Array.isArray(rooms) || rooms.length > SYNC_DUMP_LIMITS.rooms) return bad('"rooms"');
  for (let i = 0; i < rooms.length; i++) {
    const r: unknown = rooms[i];
    if (!isObj(r) || !isId(r['roomId'])) return bad(`"rooms"[${i}]`);
    if (!(r['stateAfter'] === null || validEntries(r['stateAfter'])) || !validEntries(r['state']) || !validEntries(r['timeline'])) return bad(`"rooms"[${i}] (its state events)`);
  }
  if (!isCount(d['roomsTotal']) || d['roomsTotal'] < rooms.length) return bad('"roomsTotal"');
  const oob = d['oob'];
  if (!Array.isArray(oob) || oob.length > SYNC_DUMP_LIMITS.oob) return bad('"oob"');
  for (let i = 0; i < oob.length; i++) {
    const o: unknown = oob[i];
    if (!Array.isArray(o) || o.length !== 3 || !isId(o[0]) || typeof o[1] !== 'string' || o[1].length > SYNC_DUMP_LIMITS.idChars || typeof o[2] !== 'string' || o[2].length > 256) return bad(`"oob"[${i}]`);
  }
  if (!isCount(d['oobRead']) || d['oobRead'] < oob.length) return bad('"oobRead"');
  if (!isCount(d['oobTotal'])) return bad('"oobTotal"');
  const loaded = d['oobLoaded'];
  if (!Array.isArray(loaded) || loaded.length > SYNC_DUMP_LIMITS.rooms || !loaded.every(isId)) return bad('"oobLoaded"');
  return ok(d as unknown as SyncStoreDump);
}
