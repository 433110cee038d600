/**
 * @module legacyStore/readLegacyStore — copies the raw records Crosscheck needs out of the page's
 * legacy libolm crypto store (js-sdk IndexedDBCryptoStore, database `matrix-js-sdk:crypto`,
 * client-storage.md §4), plus Element's pickle key, for the pure decoder (./decodeLegacyStore.ts).
 * It decrypts nothing of the store; the only cryptography is the pickle key's AES-GCM, which needs
 * the page's non-extractable CryptoKey and so WebCrypto in the page (§2.2, §7).
 *
 * Like `readRustStore`, it is handed to `scripting.executeScript({ func })`, which sends the
 * function's *source text* to the tab: no import (types only), no module variable, no helper
 * outside its body. The result is plain JSON: `{ ok: true, value: { pickleKey, dump } }` or
 * `{ ok: false, error }`.
 *
 * "Don't break Element" (§7): it opens the database only if `indexedDB.databases()` lists it,
 * never with a version (an `upgradeneeded` is aborted), in one read-only transaction, closes the
 * connection as soon as it is read and on `versionchange` (Element's migration to rust crypto
 * deletes records from this store), never writes, and reads localStorage only for `mx_user_id` /
 * `mx_device_id`. Firefox hands a content script page-realm (Xray) objects: `instanceof` fails on
 * them, so only `Array.isArray`, `ArrayBuffer.isView` and the `Object.prototype.toString` tag are
 * used, and every value is copied into this realm.
 *
 * What it reads (js-sdk src/crypto/store/indexeddb-crypto-store-backend.ts): `account` records
 * `-` (Account pickle), `crossSigningKeys`, `migrationState`, `ssss_cache:*`; `device_data` `-`'s
 * `crossSigningInfo` per user; every `inbound_group_sessions` value through a cursor (the room is
 * inside the value, so exact per-room counts need them all), copied up to a cap;
 * `sessions_needing_backup` keys; `inbound_group_sessions_withheld` values up to a cap.
 *
 * The pickle key in the result is a secret: the caller hands it to the decoder and drops it.
 */
import type { LegacyStoreDump, RawAccountRecord, RawValue } from './dump.ts';

export interface ReadLegacyStoreOptions {
  /** Give up after this long per IndexedDB step (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** The database name (default `matrix-js-sdk:crypto`, Element's). */
  readonly dbName?: string;
  /**
   * Caps on records copied. Defaults: sessions 5 000 (values copied; all are counted up to
   * `countedSessions`, default 200 000), withheld 5 000, identities (users in
   * `crossSigningInfo`) 5 000.
   */
  readonly maxRecords?: { readonly sessions?: number; readonly countedSessions?: number; readonly withheld?: number; readonly identities?: number };
}

export type LegacyStoreReadErrorCode =
  /** No legacy database on this page (nothing was opened). */
  | 'no-store'
  /** The database's version is one this reader does not know: not read. `version` says which. */
  | 'unsupported-version'
  /** The database lacks object stores every known version has. */
  | 'storage-corrupt'
  /** The browser refused, failed or timed out. */
  | 'read-failed';

export interface LegacyStoreRead {
  /** Element's pickle key (43 characters), or null when none was found (the store may use js-sdk's "DEFAULT_KEY"). Secret. */
  readonly pickleKey: string | null;
  readonly pickleKeyProblem?: 'no-session' | 'no-record' | 'undecryptable';
  readonly dump: LegacyStoreDump;
}

export type LegacyStoreReadResult =
  | { readonly ok: true; readonly value: LegacyStoreRead }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: LegacyStoreReadErrorCode;
        readonly message: string;
        readonly version?: number;
        /** With `no-store`: the names of the rust crypto stores the page has (the client's current stack). */
        readonly rustStores?: readonly string[];
      };
    };

export async function readLegacyStore(options?: ReadLegacyStoreOptions): Promise<LegacyStoreReadResult> {
  // ---- constants (kept in this body: the function travels as source text) ----
  const DB = typeof options?.dbName === 'string' && options.dbName.length > 0 ? options.dbName : 'matrix-js-sdk:crypto';
  const RUST_SUFFIX = '::matrix-sdk-crypto';
  /**
   * Versions this reader knows (kept equal to ./schema.ts by a test). js-sdk's DB_MIGRATIONS only
   * ever add stores; every store read here exists from 8 (`inbound_group_sessions_withheld`), and
   * 11 (`parked_shared_history`) is the last js-sdk with legacy crypto (36.x).
   */
  const MIN_VERSION = 8;
  const MAX_VERSION = 11;
  const STORES = ['account', 'device_data', 'inbound_group_sessions', 'sessions_needing_backup', 'inbound_group_sessions_withheld'];
  const ELEMENT_DB = 'matrix-react-sdk';
  const timeoutMs = typeof options?.timeoutMs === 'number' && options.timeoutMs > 0 ? options.timeoutMs : 10_000;
  const cap = (v: unknown, d: number): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? Math.min(v, 200_000) : d);
  const caps = {
    sessions: cap(options?.maxRecords?.sessions, 5_000),
    counted: cap(options?.maxRecords?.countedSessions, 200_000),
    withheld: cap(options?.maxRecords?.withheld, 5_000),
    identities: cap(options?.maxRecords?.identities, 5_000),
    needingBackup: 200_000,
  };

  type Fail = Extract<LegacyStoreReadResult, { ok: false }>;
  const fail = (code: LegacyStoreReadErrorCode, message: string, extra: { version?: number; rustStores?: string[] } = {}): Fail => ({ ok: false, error: { code, message, ...extra } });
  const TIMEOUT = 'The browser’s IndexedDB did not answer in time; reload the client tab and try again.';

  // ---- helpers (inside the body on purpose) ----
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

  const toBase64 = (bytes: ArrayLike<number>): string => {
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x2000) {
      const chunk: number[] = [];
      for (let j = i; j < Math.min(i + 0x2000, bytes.length); j++) chunk.push((bytes[j] as number) & 0xff);
      bin += String.fromCharCode(...chunk);
    }
    return btoa(bin).replace(/=+$/, '');
  };

  const tagOf = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);

  /** Plain JSON copy of a page-realm value (Firefox Xray objects fail `instanceof`; these checks do not). */
  const copyJson = (v: unknown, depth: number): { ok: true; v: unknown } | { ok: false; type: string } => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { ok: true, v };
    if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, v } : { ok: false, type: 'Number' };
    if (depth > 64) return { ok: false, type: 'Deep' };
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const c = copyJson(v[i], depth + 1);
        if (!c.ok) return c;
        out.push(c.v);
      }
      return { ok: true, v: out };
    }
    if (typeof v === 'object' && tagOf(v) === 'Object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object)) {
        const c = copyJson((v as Record<string, unknown>)[k], depth + 1);
        if (!c.ok) return c;
        out[k] = c.v;
      }
      return { ok: true, v: out };
    }
    return { ok: false, type: typeof v === 'object' ? tagOf(v) : typeof v };
  };

  /** One stored value: a typed array (an old raw `ssss_cache` key) as base64, anything else copied. */
  const raw = (v: unknown): RawValue => {
    if (ArrayBuffer.isView(v) && tagOf(v) === 'Uint8Array') return { b: toBase64(v as Uint8Array) };
    const c = copyJson(v, 0);
    return c.ok ? { j: c.v } : { x: c.type };
  };

  type Opened = { kind: 'db'; db: IDBDatabase } | { kind: 'absent' } | { kind: 'failed' };
  /** Opens a listed database without a version; an `upgradeneeded` (it vanished meanwhile) is aborted. */
  const openExisting = (factory: IDBFactory, name: string): Promise<Opened> =>
    new Promise((resolve) => {
      let created = false;
      let request: IDBOpenDBRequest;
      try {
        request = factory.open(name);
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
    });

  /** Opens, runs `body` (which must settle once its read-only transaction is done), closes. */
  const withDb = async <T>(factory: IDBFactory, name: string, body: (db: IDBDatabase) => Promise<T>): Promise<T | 'timeout' | 'absent' | 'failed'> => {
    const opened = await withTimeout(openExisting(factory, name), (late) => {
      if (late.kind === 'db') late.db.close();
    });
    if (opened === 'timeout') return 'timeout';
    if (opened.kind !== 'db') return opened.kind;
    const db = opened.db;
    try {
      return await withTimeout(body(db), () => {});
    } catch {
      return 'failed';
    } finally {
      db.close();
    }
  };

  /** Runs requests in one read-only transaction; resolves with `result()` once it completes. */
  const inTransaction = <T>(db: IDBDatabase, stores: string[], issue: (tx: IDBTransaction) => () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = db.transaction(stores, 'readonly');
      } catch (e) {
        reject(e);
        return;
      }
      let result: () => T;
      try {
        result = issue(tx);
      } catch (e) {
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
        reject(e);
        return;
      }
      tx.oncomplete = () => {
        try {
          resolve(result());
        } catch (e) {
          reject(e);
        }
      };
      tx.onerror = (event) => {
        event.preventDefault();
        reject(new Error('transaction failed'));
      };
      tx.onabort = () => reject(new Error('transaction aborted'));
    });

  const field = (o: unknown, k: string): unknown => (typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined);

  // ---- 1. is there a legacy store? (listed first: opening a missing one would create it) ----
  const factory: IDBFactory | undefined = globalThis.indexedDB;
  if (!factory) return fail('read-failed', 'This page has no IndexedDB, so its client store cannot be read.');
  if (typeof factory.databases !== 'function')
    return fail('read-failed', 'This browser cannot list a page’s IndexedDB databases, which Crosscheck needs to read the client store safely (Firefox 126 or newer, or Chrome, is required).');
  let list: IDBDatabaseInfo[];
  try {
    const listed = await withTimeout(factory.databases(), () => {});
    if (listed === 'timeout') return fail('read-failed', TIMEOUT);
    list = listed;
  } catch {
    return fail('read-failed', 'The browser would not list this page’s IndexedDB databases.');
  }
  const versions = new Map<string, number | undefined>();
  for (let i = 0; i < list.length; i++) {
    const info = list[i];
    if (info && typeof info.name === 'string') versions.set(info.name, typeof info.version === 'number' ? info.version : undefined);
  }
  const rustStores = [...versions.keys()].filter((n) => n.endsWith(RUST_SUFFIX)).sort();
  if (!versions.has(DB)) return fail('no-store', 'This page has no legacy (libolm) crypto store.', { rustStores });
  const versionCheck = (v: number | undefined): Fail | undefined =>
    v !== undefined && (v < MIN_VERSION || v > MAX_VERSION)
      ? fail('unsupported-version', `The client’s legacy crypto store is at version ${v}; Crosscheck reads versions ${MIN_VERSION} to ${MAX_VERSION}.`, { version: v })
      : undefined;
  const early = versionCheck(versions.get(DB));
  if (early) return early;

  // ---- 2. the database, in one read-only transaction ----
  const r = await withDb(factory, DB, async (db): Promise<LegacyStoreDump | Fail> => {
    const version = db.version;
    const bad = versionCheck(version);
    if (bad) return bad;
    const names: string[] = [];
    for (let i = 0; i < db.objectStoreNames.length; i++) names.push(db.objectStoreNames.item(i) as string);
    names.sort();
    for (const s of STORES) if (!names.includes(s)) return fail('storage-corrupt', 'The client’s legacy crypto store lacks tables every version of it has.');

    const body = await inTransaction(db, STORES, (tx) => {
      // account: a handful of out-of-line string keys (backend.ts getAccount / getCrossSigningKeys / getSecretStorePrivateKey / getMigrationState).
      const account = { records: [] as RawAccountRecord[], total: 0 };
      const acc = tx.objectStore('account');
      const accCount = acc.count();
      const accKeys = acc.getAllKeys(null, 1_000);
      accCount.onsuccess = () => {
        account.total = accCount.result;
      };
      accKeys.onsuccess = () => {
        const keys = accKeys.result as unknown[];
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          if (typeof key !== 'string' || !(key === '-' || key === 'crossSigningKeys' || key === 'migrationState' || key.startsWith('ssss_cache:'))) continue;
          if (account.records.length >= 64) break;
          const g = acc.get(key);
          g.onsuccess = () => {
            if (g.result !== undefined) account.records.push([key, raw(g.result)]);
          };
        }
      };

      // device_data `-`: only `crossSigningInfo` (backend.ts getEndToEndDeviceData; DeviceList.ts).
      let crossSigningInfo: LegacyStoreDump['crossSigningInfo'] = null;
      const dd = tx.objectStore('device_data').get('-');
      dd.onsuccess = () => {
        if (dd.result === undefined || dd.result === null) return;
        const info = field(dd.result, 'crossSigningInfo');
        const records: RawAccountRecord[] = [];
        let total = 0;
        if (typeof info === 'object' && info !== null && !Array.isArray(info)) {
          const users = Object.keys(info);
          total = users.length;
          for (let i = 0; i < users.length && records.length < caps.identities; i++) records.push([users[i] as string, raw((info as Record<string, unknown>)[users[i] as string])]);
        }
        crossSigningInfo = { records, total };
      };

      // sessions_needing_backup keys, then every session through a cursor (counted), copied up to the cap.
      const needingBackup = { keys: [] as [string, string][], total: 0 };
      const sessions = { records: [] as RawValue[], total: 0, counted: 0, buckets: [] as [string, number, number][] };
      const igs = tx.objectStore('inbound_group_sessions');
      const igsCount = igs.count();
      igsCount.onsuccess = () => {
        sessions.total = igsCount.result;
      };
      const nbStore = tx.objectStore('sessions_needing_backup');
      const nbCount = nbStore.count();
      nbCount.onsuccess = () => {
        needingBackup.total = nbCount.result;
      };
      const nbKeys = nbStore.getAllKeys(null, caps.needingBackup);
      const pending = new Set<string>();
      /** room → [sessions, not backed up] */
      const buckets = new Map<string, [number, number]>();
      nbKeys.onsuccess = () => {
        const keys = nbKeys.result as unknown[];
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          if (!Array.isArray(k) || k.length !== 2 || typeof k[0] !== 'string' || typeof k[1] !== 'string') continue;
          needingBackup.keys.push([k[0], k[1]]);
          pending.add(`${k[0]}|${k[1]}`);
        }
        // Requests in one transaction run in order: the keys are in before the cursor starts.
        const cursor = igs.openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) {
            for (const [room, b] of buckets) sessions.buckets.push([room, b[0], b[1]]);
            return;
          }
          const v = c.value as unknown;
          const senderKey = field(v, 'senderCurve25519Key');
          const sessionId = field(v, 'sessionId');
          const room = field(field(v, 'session'), 'room_id');
          sessions.counted++;
          if (typeof room === 'string') {
            let b = buckets.get(room);
            if (!b) buckets.set(room, (b = [0, 0]));
            b[0]++;
            if (pending.has(`${String(senderKey)}|${String(sessionId)}`)) b[1]++;
          }
          if (sessions.records.length < caps.sessions) sessions.records.push(raw(v));
          if (sessions.counted >= caps.counted) {
            for (const [rm, b] of buckets) sessions.buckets.push([rm, b[0], b[1]]);
            return;
          }
          c.continue();
        };
      };

      const withheld = { records: [] as RawValue[], total: 0 };
      const wh = tx.objectStore('inbound_group_sessions_withheld');
      const whCount = wh.count();
      const whAll = wh.getAll(null, caps.withheld);
      whCount.onsuccess = () => {
        withheld.total = whCount.result;
      };
      whAll.onsuccess = () => {
        const values = whAll.result as unknown[];
        for (let i = 0; i < values.length; i++) withheld.records.push(raw(values[i]));
      };
      return () => ({ account, crossSigningInfo, sessions, needingBackup, withheld });
    });
    return { format: 'crosscheck-legacy-store-dump/1', dbName: DB, version, objectStores: names, rustStores, ...body };
  });
  if (r === 'timeout') return fail('read-failed', TIMEOUT);
  if (r === 'absent') return fail('no-store', 'The client’s legacy crypto store disappeared while Crosscheck was reading it (the client may have just migrated it).', { rustStores });
  if (r === 'failed') return fail('read-failed', 'Reading the client’s legacy crypto store failed.');
  if ('ok' in r) return r;
  const dump = r;

  // ---- 3. Element's pickle key (Lifecycle.ts passes it to createClient as `pickleKey`) ----
  const noKey = (pickleKeyProblem: 'no-session' | 'no-record' | 'undecryptable'): LegacyStoreReadResult => ({ ok: true, value: { pickleKey: null, pickleKeyProblem, dump } });
  let userId: string | null;
  let deviceId: string | null;
  try {
    userId = globalThis.localStorage.getItem('mx_user_id');
    deviceId = globalThis.localStorage.getItem('mx_device_id');
  } catch {
    return noKey('no-session');
  }
  if (typeof userId !== 'string' || !versions.has(ELEMENT_DB)) return noKey('no-session');
  // Element uses "" when login returned no device (BasePlatform getPickleKey).
  const device = typeof deviceId === 'string' ? deviceId : '';
  const rec = await withDb(factory, ELEMENT_DB, (db) => {
    if (!db.objectStoreNames.contains('pickleKey')) return Promise.resolve(undefined);
    return inTransaction(db, ['pickleKey'], (tx) => {
      const g = tx.objectStore('pickleKey').get([userId as string, device]);
      return () => g.result as unknown;
    });
  });
  if (rec === 'timeout') return fail('read-failed', TIMEOUT);
  if (rec === 'absent' || rec === 'failed' || typeof rec !== 'object' || rec === null) return noKey('no-record');
  const record = rec as { encrypted?: unknown; iv?: unknown; cryptoKey?: unknown };
  const copyBytes = (v: unknown): Uint8Array<ArrayBuffer> | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    const tag = tagOf(v);
    let view: ArrayLike<number>;
    if (tag === 'ArrayBuffer') view = new Uint8Array(v as ArrayBuffer);
    else if (tag === 'Uint8Array') view = v as Uint8Array;
    else return undefined;
    const out = new Uint8Array(view.length);
    for (let i = 0; i < out.length; i++) out[i] = (view[i] as number) & 0xff;
    return out;
  };
  const iv = copyBytes(record.iv);
  const encrypted = copyBytes(record.encrypted);
  if (!iv || !encrypted || !record.cryptoKey || !globalThis.crypto?.subtle) return noKey('no-record');
  // AES-GCM with the page's own non-extractable key; AAD = one byte per char code of "userId|deviceId" (pickling.ts).
  const aadText = `${userId}|${device}`;
  const aad = new Uint8Array(aadText.length);
  for (let i = 0; i < aadText.length; i++) aad[i] = aadText.charCodeAt(i);
  let keyBytes: Uint8Array | undefined;
  try {
    keyBytes = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, record.cryptoKey as CryptoKey, encrypted));
  } catch {
    return noKey('undecryptable');
  }
  if (keyBytes.length === 0) return noKey('undecryptable');
  const pickleKey = toBase64(keyBytes);
  keyBytes.fill(0);
  return { ok: true, value: { pickleKey, dump } };
}
