/**
 * @module rustStore/readRustStore — copies the raw records Crosscheck needs out of the page's
 * rust crypto store (matrix-js-sdk → matrix-sdk-crypto-wasm → matrix-sdk-indexeddb), plus
 * Element's pickle key, for the pure decoder (./decodeRustStore.ts). It decrypts nothing of the
 * store; the only cryptography is the pickle key's AES-GCM, which needs the page's
 * non-extractable CryptoKey and so WebCrypto in the page (client-storage.md §2.2, §7, §9(b)).
 *
 * Like `readElementSession`, it is handed to `scripting.executeScript({ func })`, which sends the
 * function's *source text* to the tab: no import (types only), no module variable, no helper
 * outside its body; the test runs the transpiled source in an empty realm. The result is plain
 * JSON (bytes as base64): `{ ok: true, value: { pickleKey, dump } }` or `{ ok: false, error }`.
 *
 * "Don't break Element" (§7): it opens only databases `indexedDB.databases()` lists, never with a
 * version (an `upgradeneeded` is aborted), in read-only transactions, closes each connection as
 * soon as it is read and on `versionchange`, and never writes, and never touches localStorage
 * beyond reading `mx_user_id` / `mx_device_id`. A store whose schema is newer than the reader
 * knows is not read at all: `schema-too-new` with its version.
 *
 * What it reads (§3.6): `core` `account` and `private_identity`; every `backup_keys` record;
 * `identities`, `devices`, `tracked_users`, `withheld_sessions` (or `direct_withheld_info` before
 * schema 100) up to a cap each; `inbound_group_sessions3` keys (all, for exact per-room counts),
 * the keys in its `backup` index (not yet backed up), and values up to a cap, with at least one
 * value per room bucket so every room can be named.
 *
 * The pickle key in the result is a secret: the caller hands it to the decoder and drops it.
 */
import type { RawRecord, RawValue, RustStoreDump } from './dump.ts';

export interface ReadRustStoreOptions {
  /** Give up after this long per IndexedDB step (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** The store prefix (default: `matrix-js-sdk`, Element's; or the only rust store on the page). */
  readonly prefix?: string;
  /**
   * Caps on records copied per store. Defaults: sessions 5 000, identities 5 000, devices 5 000,
   * withheld 5 000, tracked users 20 000. A session record is ~1.8 kB of JSON (5 000 ≈ 9 MB, ~0.6 s
   * to decode); per-room session counts stay exact whatever the cap.
   */
  readonly maxRecords?: { readonly sessions?: number; readonly identities?: number; readonly devices?: number; readonly withheld?: number; readonly trackedUsers?: number };
}

export type RustStoreReadErrorCode =
  /** No `<prefix>::matrix-sdk-crypto` database on this page. */
  | 'no-store'
  /** Several rust stores and no prefix to choose one. */
  | 'ambiguous-store'
  /** The store's schema is newer than this reader knows: not read. `schemaVersion` says which. */
  | 'schema-too-new'
  /** The store's schema is older than any this reader knows (an early 2024 labs store): not read. */
  | 'schema-unsupported'
  /** The store lacks object stores every known schema has. */
  | 'storage-corrupt'
  /** The browser refused, failed or timed out. */
  | 'read-failed';

export interface RustStoreRead {
  /** Element's pickle key (43 characters), or null when the store is unencrypted or none was found. Secret. */
  readonly pickleKey: string | null;
  /** Why there is no pickle key, when the store is encrypted and there is none. */
  readonly pickleKeyProblem?: 'no-session' | 'no-record' | 'undecryptable';
  readonly dump: RustStoreDump;
}

export type RustStoreReadResult =
  | { readonly ok: true; readonly value: RustStoreRead }
  | { readonly ok: false; readonly error: { readonly code: RustStoreReadErrorCode; readonly message: string; readonly schemaVersion?: number } };

export async function readRustStore(options?: ReadRustStoreOptions): Promise<RustStoreReadResult> {
  // ---- constants (kept in this body: the function travels as source text) ----
  const SUFFIX = '::matrix-sdk-crypto';
  const META_SUFFIX = '::matrix-sdk-crypto-meta';
  const DEFAULT_PREFIX = 'matrix-js-sdk';
  const META_STORE = 'matrix-sdk-crypto';
  const STORE_CIPHER_KEY = 'store_cipher';
  /** Schema versions this reader knows (kept equal to decodeRustStore's by a test). */
  const MIN_SCHEMA = 10;
  const MAX_SCHEMA = 107;
  const ELEMENT_DB = 'matrix-react-sdk';
  const timeoutMs = typeof options?.timeoutMs === 'number' && options.timeoutMs > 0 ? options.timeoutMs : 10_000;
  const cap = (v: unknown, d: number): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : d);
  const caps = {
    sessions: cap(options?.maxRecords?.sessions, 5_000),
    identities: cap(options?.maxRecords?.identities, 5_000),
    devices: cap(options?.maxRecords?.devices, 5_000),
    withheld: cap(options?.maxRecords?.withheld, 5_000),
    trackedUsers: cap(options?.maxRecords?.trackedUsers, 20_000),
  };

  type Code = RustStoreReadErrorCode;
  const fail = (code: Code, message: string, schemaVersion?: number): RustStoreReadResult => ({
    ok: false,
    error: { code, message, ...(schemaVersion !== undefined ? { schemaVersion } : {}) },
  });
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

  /** One stored value as a RawValue: a byte array as base64, anything else copied. */
  const raw = (v: unknown): RawValue => {
    if (Array.isArray(v)) {
      let bytes = true;
      for (let i = 0; i < v.length && bytes; i++) {
        const x = v[i];
        bytes = typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255;
      }
      if (bytes) return { b: toBase64(v as number[]) };
    }
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

  const stringKeys = (keys: unknown): string[] => (Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : []);

  // ---- 1. which rust store ----
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
  const prefixes = [...versions.keys()].filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length));
  let prefix: string;
  if (typeof options?.prefix === 'string') {
    if (!prefixes.includes(options.prefix)) return fail('no-store', 'This page has no rust crypto store under the requested name.');
    prefix = options.prefix;
  } else if (prefixes.includes(DEFAULT_PREFIX)) prefix = DEFAULT_PREFIX;
  else if (prefixes.length === 1) prefix = prefixes[0] as string;
  else if (prefixes.length === 0) return fail('no-store', 'This page has no rust crypto store: the client has not set up encryption in this browser, or it is not a matrix-js-sdk client.');
  else return fail('ambiguous-store', `This page has ${prefixes.length} rust crypto stores and none is Element’s; Crosscheck needs to be told which one to read.`);
  const mainName = prefix + SUFFIX;
  const metaName = prefix + META_SUFFIX;
  const schemaCheck = (v: number | undefined): RustStoreReadResult | undefined => {
    if (v === undefined) return undefined;
    if (v > MAX_SCHEMA) return fail('schema-too-new', `The client’s crypto store is at schema version ${v}, newer than the version ${MAX_SCHEMA} Crosscheck understands; update Crosscheck.`, v);
    if (v < MIN_SCHEMA) return fail('schema-unsupported', `The client’s crypto store is at schema version ${v}, older than any Crosscheck understands; open the client once to upgrade it.`, v);
    return undefined;
  };
  const early = schemaCheck(versions.get(mainName));
  if (early) return early;

  // ---- 2. the store cipher (meta database; absent for an unencrypted store) ----
  let storeCipher: RawValue | null = null;
  if (versions.has(metaName)) {
    const r = await withDb(factory, metaName, (db) => {
      if (!db.objectStoreNames.contains(META_STORE)) return Promise.resolve(undefined);
      return inTransaction(db, [META_STORE], (tx) => {
        const g = tx.objectStore(META_STORE).get(STORE_CIPHER_KEY);
        return () => g.result as unknown;
      });
    });
    if (r === 'timeout') return fail('read-failed', TIMEOUT);
    if (r === 'failed') return fail('read-failed', 'The client’s crypto key database could not be read.');
    if (r !== 'absent' && r !== undefined) storeCipher = raw(r);
  }

  // ---- 3. the main database ----
  type Table = { records: RawRecord[]; total: number };
  const empty = (): Table => ({ records: [], total: 0 });
  const r = await withDb(factory, mainName, async (db) => {
    const schemaVersion = db.version;
    const bad = schemaCheck(schemaVersion);
    if (bad) return bad;
    const names: string[] = [];
    for (let i = 0; i < db.objectStoreNames.length; i++) names.push(db.objectStoreNames.item(i) as string);
    names.sort();
    const has = (s: string) => names.includes(s);
    // Every schema from 10 on has these (migrations v0_to_v5 … v8_to_v10).
    for (const s of ['core', 'backup_keys', 'identities', 'devices', 'tracked_users', 'inbound_group_sessions3'])
      if (!has(s)) return fail('storage-corrupt', 'The client’s crypto store lacks tables every version of it has.');
    const withheldStore: 'withheld_sessions' | 'direct_withheld_info' | null = has('withheld_sessions') ? 'withheld_sessions' : has('direct_withheld_info') ? 'direct_withheld_info' : null;
    const stores = ['core', 'backup_keys', 'identities', 'devices', 'tracked_users', 'inbound_group_sessions3', ...(withheldStore ? [withheldStore] : [])];

    const result = await inTransaction(db, stores, (tx) => {
      const core: RawRecord[] = [];
      for (const key of ['account', 'private_identity']) {
        const g = tx.objectStore('core').get(key);
        g.onsuccess = () => {
          if (g.result !== undefined) core.push([key, raw(g.result)]);
        };
      }
      /** Keys, values (up to `max`) and the count of one store, requested together. */
      const table = (store: string, max: number): Table => {
        const t = empty();
        const os = tx.objectStore(store);
        const c = os.count();
        const k = os.getAllKeys(null, max);
        const v = os.getAll(null, max);
        c.onsuccess = () => {
          t.total = c.result;
        };
        v.onsuccess = () => {
          // Requests in one transaction complete in order: the keys are in.
          const keys = k.result as unknown[];
          const values = v.result as unknown[];
          for (let i = 0; i < keys.length && i < values.length; i++) {
            const key = keys[i];
            if (typeof key === 'string') t.records.push([key, raw(values[i])]);
          }
        };
        return t;
      };
      const backupKeys = table('backup_keys', 64);
      const identities = table('identities', caps.identities);
      const devices = table('devices', caps.devices);
      const trackedUsers = table('tracked_users', caps.trackedUsers);
      const withheld = withheldStore ? table(withheldStore, caps.withheld) : empty();

      // Sessions: all keys (cheap) for exact per-room counts, the `backup` index for the
      // not-backed-up ones, values up to the cap, then one value for each room not covered.
      const igs = tx.objectStore('inbound_group_sessions3');
      const sessions = { records: [] as RawRecord[], total: 0, notBackedUp: 0, buckets: [] as [string, number, number][] };
      const allKeys = igs.getAllKeys();
      const pending = igs.indexNames.contains('backup') ? igs.index('backup').getAllKeys() : undefined;
      const someKeys = igs.getAllKeys(null, caps.sessions);
      const someValues = igs.getAll(null, caps.sessions);
      someValues.onsuccess = () => {
        /** The first component ends at the first U+001D not escaped by a preceding U+001E. */
        const bucketOf = (key: string): string => {
          for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0x1d && (i === 0 || key.charCodeAt(i - 1) !== 0x1e)) return key.slice(0, i);
          return key;
        };
        const keys = stringKeys(allKeys.result);
        const notBackedUp = new Set(stringKeys(pending?.result));
        /** bucket → [sessions, not backed up, its first key] */
        const buckets = new Map<string, [number, number, string]>();
        for (const key of keys) {
          const bucket = bucketOf(key);
          let b = buckets.get(bucket);
          if (!b) buckets.set(bucket, (b = [0, 0, key]));
          b[0]++;
          if (notBackedUp.has(key)) b[1]++;
        }
        sessions.total = keys.length;
        sessions.notBackedUp = notBackedUp.size;
        const got = stringKeys(someKeys.result);
        const values = someValues.result as unknown[];
        const covered = new Set<string>();
        for (let i = 0; i < got.length && i < values.length; i++) {
          const key = got[i] as string;
          sessions.records.push([key, raw(values[i])]);
          covered.add(bucketOf(key));
        }
        for (const [bucket, b] of buckets) {
          sessions.buckets.push([bucket, b[0], b[1]]);
          if (covered.has(bucket)) continue;
          // Any record of the bucket names its room: fetch its first one.
          const key = b[2];
          const g = igs.get(key);
          g.onsuccess = () => {
            if (g.result !== undefined) sessions.records.push([key, raw(g.result)]);
          };
        }
      };
      return () => ({ core: { records: core, total: core.length }, backupKeys, identities, devices, trackedUsers, sessions, withheld: { ...withheld, store: withheldStore } });
    });
    const dump: RustStoreDump = {
      format: 'crosscheck-rust-store-dump/1',
      prefix,
      schemaVersion,
      objectStores: names,
      storeCipher,
      ...result,
    };
    return dump;
  });
  if (r === 'timeout') return fail('read-failed', TIMEOUT);
  if (r === 'absent') return fail('no-store', 'The client’s crypto store disappeared while Crosscheck was reading it; try again.');
  if (r === 'failed') return fail('read-failed', 'Reading the client’s crypto store failed.');
  if ('ok' in r) return r;
  const dump = r;

  // ---- 4. Element's pickle key, only for an encrypted store ----
  if (storeCipher === null) return { ok: true, value: { pickleKey: null, dump } };
  const noKey = (pickleKeyProblem: 'no-session' | 'no-record' | 'undecryptable'): RustStoreReadResult => ({ ok: true, value: { pickleKey: null, pickleKeyProblem, dump } });
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
