/**
 * @module syncStore/readSyncStore — copies what an offline audit needs out of the page's
 * matrix-js-sdk sync store (`matrix-js-sdk:riot-web-sync` for Element; client-storage.md §5):
 * the account data that describes secret storage, cross-signing and key backup, and who is in
 * which joined room and whether the room is encrypted. Nothing here is secret: the account-data
 * secrets are ciphertext only the recovery key opens (§5), and membership is public to the room.
 *
 * Like the other readers it is handed to `scripting.executeScript({ func })`, so it is one
 * self-contained function (no import at runtime, no helper outside its body), and it keeps
 * "Don't break Element" (§7): it opens only a database `indexedDB.databases()` lists, never with
 * a version (an `upgradeneeded` is aborted), in one read-only transaction, closes at once and on
 * `versionchange`, and never writes anything, localStorage included.
 *
 * It extracts rather than copies: of each joined room's stored sync data only the
 * `m.room.encryption` and `m.room.member` state events, reduced to `[type, state_key, value]`
 * (value = the membership, or the algorithm), in stored order, so the dump stays small whatever
 * the timeline holds. The pure decoder (./decodeSyncStore.ts) applies the state rules.
 */
import type { SyncStoreDump, SyncStoreReadResult, SyncStateEntry } from './dump.ts';

export interface ReadSyncStoreOptions {
  /** The database name (default: Element's `matrix-js-sdk:riot-web-sync`, or the only sync store on the page). */
  readonly dbName?: string;
  readonly timeoutMs?: number;
  /** Caps: joined rooms (default 5 000), out-of-band member records (default 200 000). */
  readonly maxRooms?: number;
  readonly maxMembers?: number;
}

export async function readSyncStore(options?: ReadSyncStoreOptions): Promise<SyncStoreReadResult> {
  // ---- constants (kept in this body: the function travels as source text) ----
  const ELEMENT_DB = 'matrix-js-sdk:riot-web-sync';
  const PREFIX = 'matrix-js-sdk:';
  /**
   * matrix-js-sdk's IndexedDB sync store schema (DB_MIGRATIONS in indexeddb-local-backend.ts):
   * 4 in js-sdk 37, 5 (adds `user_profile`) in current releases (client-storage.md §5). Every
   * version keeps `accountData`, `sync` and (from 2) `oob_membership_events` as read here.
   */
  const MAX_VERSION = 5;
  const MIN_VERSION = 1;
  /** Account data worth copying: only what secret storage, cross-signing and key backup use. */
  const wanted = (type: string) =>
    type === 'm.secret_storage.default_key' ||
    type.startsWith('m.secret_storage.key.') ||
    type.startsWith('m.cross_signing.') ||
    type === 'm.megolm_backup.v1' ||
    type === 'm.org.matrix.custom.backup_disabled';
  const timeoutMs = typeof options?.timeoutMs === 'number' && options.timeoutMs > 0 ? options.timeoutMs : 10_000;
  const cap = (v: unknown, d: number): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : d);
  const maxRooms = cap(options?.maxRooms, 5_000);
  const maxMembers = cap(options?.maxMembers, 200_000);
  const fail = (code: 'no-store' | 'ambiguous-store' | 'schema-too-new' | 'storage-corrupt' | 'read-failed', message: string, version?: number): SyncStoreReadResult => ({
    ok: false,
    error: { code, message, ...(version !== undefined ? { version } : {}) },
  });
  const TIMEOUT = 'The browser’s IndexedDB did not answer in time; reload the client tab and try again.';

  const tagOf = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);
  /** Plain JSON copy of a page-realm value (Firefox Xray objects fail `instanceof`; these checks do not). */
  const copyJson = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
    if (depth > 32) return undefined;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) out.push(copyJson(v[i], depth + 1) ?? null);
      return out;
    }
    if (typeof v === 'object' && tagOf(v) === 'Object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object)) {
        const c = copyJson((v as Record<string, unknown>)[k], depth + 1);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    return undefined;
  };
  const field = (o: unknown, k: string): unknown => (o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined);
  /** `[type, state_key, value]` for the two event types an audit needs, or undefined. */
  const entry = (ev: unknown): SyncStateEntry | undefined => {
    const type = field(ev, 'type');
    const key = field(ev, 'state_key');
    if (typeof key !== 'string') return undefined;
    if (type === 'm.room.member') {
      const m = field(field(ev, 'content'), 'membership');
      return ['m', key, typeof m === 'string' ? m : ''];
    }
    if (type === 'm.room.encryption') {
      const a = field(field(ev, 'content'), 'algorithm');
      return ['e', key, typeof a === 'string' ? a : ''];
    }
    return undefined;
  };
  const entries = (section: unknown): SyncStateEntry[] | null => {
    const events = field(section, 'events');
    if (!Array.isArray(events)) return null;
    const out: SyncStateEntry[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = entry(events[i]);
      if (e) out.push(e);
    }
    return out;
  };

  const withTimeout = <T>(p: Promise<T>, onLate: (v: T) => void): Promise<T | 'timeout'> =>
    new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        resolve('timeout');
      }, timeoutMs);
      p.then(
        (v) => {
          if (done) onLate(v);
          else {
            done = true;
            clearTimeout(timer);
            resolve(v);
          }
        },
        (e: unknown) => {
          if (!done) {
            done = true;
            clearTimeout(timer);
            reject(e);
          }
        },
      );
    });

  // ---- 1. which sync store ----
  const factory: IDBFactory | undefined = globalThis.indexedDB;
  if (!factory) return fail('read-failed', 'This page has no IndexedDB, so its sync store cannot be read.');
  if (typeof factory.databases !== 'function') return fail('read-failed', 'This browser cannot list a page’s IndexedDB databases, which Crosscheck needs to read the sync store safely.');
  let list: IDBDatabaseInfo[];
  try {
    const listed = await withTimeout(factory.databases(), () => {});
    if (listed === 'timeout') return fail('read-failed', TIMEOUT);
    list = listed;
  } catch {
    return fail('read-failed', 'The browser would not list this page’s IndexedDB databases.');
  }
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const n = list[i]?.name;
    if (typeof n === 'string') names.push(n);
  }
  // Sync stores are `matrix-js-sdk:<name>`; `matrix-js-sdk:crypto` is the legacy crypto store and
  // `matrix-js-sdk::…` the rust one (client-storage.md §4, §5, §6).
  const candidates = names.filter((n) => n.startsWith(PREFIX) && n !== 'matrix-js-sdk:crypto' && !n.startsWith('matrix-js-sdk::'));
  let dbName: string;
  if (typeof options?.dbName === 'string') {
    if (!names.includes(options.dbName)) return fail('no-store', 'This page has no sync store under the requested name.');
    dbName = options.dbName;
  } else if (candidates.includes(ELEMENT_DB)) dbName = ELEMENT_DB;
  else if (candidates.length === 1) dbName = candidates[0] as string;
  else if (candidates.length === 0) return fail('no-store', 'This page has no matrix-js-sdk sync store (the client keeps its sync data in memory, or has not saved it yet).');
  else return fail('ambiguous-store', `This page has ${candidates.length} sync stores and none is Element’s; Crosscheck needs to be told which one to read.`);

  // ---- 2. open without a version ----
  type Opened = { kind: 'db'; db: IDBDatabase } | { kind: 'absent' } | { kind: 'failed' };
  const opened = await withTimeout(
    new Promise<Opened>((resolve) => {
      let created = false;
      let request: IDBOpenDBRequest;
      try {
        request = factory.open(dbName);
      } catch {
        resolve({ kind: 'failed' });
        return;
      }
      request.onupgradeneeded = () => {
        created = true;
        try {
          request.transaction?.abort();
        } catch {
          /* already aborting */
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        if (created) {
          db.close();
          resolve({ kind: 'absent' });
        } else resolve({ kind: 'db', db });
      };
      request.onerror = (event) => {
        event.preventDefault();
        resolve(created ? { kind: 'absent' } : { kind: 'failed' });
      };
    }),
    (late) => {
      if (late.kind === 'db') late.db.close();
    },
  );
  if (opened === 'timeout') return fail('read-failed', TIMEOUT);
  if (opened.kind === 'absent') return fail('no-store', 'The sync store disappeared while Crosscheck was reading it; try again.');
  if (opened.kind === 'failed') return fail('read-failed', 'The client’s sync store could not be opened.');
  const db = opened.db;
  try {
    const version = db.version;
    if (version > MAX_VERSION) return fail('schema-too-new', `The client’s sync store is at version ${version}, newer than the version ${MAX_VERSION} Crosscheck understands; update Crosscheck.`, version);
    if (version < MIN_VERSION || !db.objectStoreNames.contains('accountData') || !db.objectStoreNames.contains('sync'))
      return fail('storage-corrupt', 'The client’s sync store lacks the tables every version of it has.');
    const hasOob = db.objectStoreNames.contains('oob_membership_events');

    // ---- 3. one read-only transaction ----
    const read = new Promise<Omit<SyncStoreDump, 'format' | 'dbName' | 'version'>>((resolve, reject) => {
      const tx = db.transaction(hasOob ? ['accountData', 'sync', 'oob_membership_events'] : ['accountData', 'sync'], 'readonly');
      const accountData: Record<string, unknown> = {};
      const ad = tx.objectStore('accountData').getAll();
      ad.onsuccess = () => {
        const events = ad.result as unknown[];
        for (let i = 0; i < events.length; i++) {
          const type = field(events[i], 'type');
          if (typeof type === 'string' && wanted(type)) accountData[type] = copyJson(field(events[i], 'content'), 0) ?? null;
        }
      };
      const out: Omit<SyncStoreDump, 'format' | 'dbName' | 'version'> = { accountData, saved: false, rooms: [], roomsTotal: 0, oob: [], oobRead: 0, oobTotal: 0, oobLoaded: [] };
      const sync = tx.objectStore('sync').get(['-']);
      sync.onsuccess = () => {
        const rec = sync.result as unknown;
        if (rec === undefined) return;
        out.saved = true;
        const join = field(field(rec, 'roomsData'), 'join');
        if (join === null || typeof join !== 'object' || Array.isArray(join)) return;
        const ids = Object.keys(join);
        out.roomsTotal = ids.length;
        for (const roomId of ids.slice(0, maxRooms)) {
          const room = (join as Record<string, unknown>)[roomId];
          out.rooms.push({
            roomId,
            stateAfter: entries(field(room, 'org.matrix.msc4222.state_after')),
            state: entries(field(room, 'state')) ?? [],
            timeline: entries(field(room, 'timeline')) ?? [],
          });
        }
      };
      if (hasOob) {
        const oob = tx.objectStore('oob_membership_events');
        const count = oob.count();
        count.onsuccess = () => {
          out.oobTotal = count.result;
        };
        const all = oob.getAll(null, maxMembers);
        all.onsuccess = () => {
          const records = all.result as unknown[];
          out.oobRead = records.length;
          const loaded = new Set<string>();
          for (let i = 0; i < records.length; i++) {
            const r = records[i];
            const roomId = field(r, 'room_id');
            if (typeof roomId !== 'string') continue;
            // The marker js-sdk writes once a room's members were loaded (setOutOfBandMembers).
            if (field(r, 'oob_written') === true) {
              loaded.add(roomId);
              continue;
            }
            const e = entry(r);
            if (e && e[0] === 'm') out.oob.push([roomId, e[1], e[2]]);
          }
          out.oobLoaded = [...loaded];
        };
      }
      tx.oncomplete = () => resolve(out);
      tx.onerror = (event) => {
        event.preventDefault();
        reject(new Error('transaction failed'));
      };
      tx.onabort = () => reject(new Error('transaction aborted'));
    });
    const got = await withTimeout(read, () => {});
    if (got === 'timeout') return fail('read-failed', TIMEOUT);
    return { ok: true, value: { format: 'crosscheck-sync-store-dump/1', dbName, version, ...got } };
  } catch {
    return fail('read-failed', 'Reading the client’s sync store failed.');
  } finally {
    db.close();
  }
}
