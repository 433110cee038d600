/**
 * A fake Element Web origin for tests: a localStorage and an IndexedDB (fake-indexeddb) filled
 * THE WAY ELEMENT FILLS THEM. The write path below is a reimplementation, from reading the source,
 * of (element-hq/element-web, apps/web/src):
 * - utils/StorageAccess.ts: idbInit (DB `matrix-react-sdk`, version 1, stores `pickleKey` and
 *   `account`, out-of-line keys), idbSave/idbDelete/idbClear; Element keeps its connection open;
 * - BasePlatform.ts createPickleKey / getPickleKey / destroyPickleKey: 32 random bytes, stored
 *   under `[userId, deviceId]`, returned as unpadded base64;
 * - utils/tokens/pickling.ts encryptPickleKey / getPickleAdditionalData: a fresh non-extractable
 *   AES-GCM-256 CryptoKey, a 32-byte iv, AAD = one byte per char code of `userId|deviceId`, the
 *   record `{ encrypted: ArrayBuffer, iv: Uint8Array, cryptoKey }`;
 * - utils/tokens/tokens.ts persistTokenInStorage / pickleKeyToAesKey: `mx_has_access_token`,
 *   HKDF-SHA-256 over the pickle-key *string's* char codes (salt 32 zero bytes, empty info), the
 *   IndexedDB `account` store with the localStorage fallback, the refresh token the same way
 *   (an absent one is stored as `undefined`);
 * - Lifecycle.ts persistCredentials / loadOrCreatePickleKey / softLogout / clearStorage: which
 *   localStorage keys are written, `mx_device_id` left unset without a device, a pickle key
 *   created only when there is a device ID, `mx_soft_logout`;
 * and of matrix-org/matrix-js-sdk src/utils/encryptAESSecretStorageItem.ts and
 * src/utils/internal/deriveKeys.ts: 16-byte iv with bit 63 cleared, HKDF-SHA-256 (salt 8 zero
 * bytes, info = the name) to 64 bytes = AES-CTR key | HMAC key, AES-CTR with a 64-bit counter,
 * HMAC-SHA-256 over the ciphertext, all three fields padded base64 (src/base64.ts encodeBase64).
 * No Element or js-sdk code is copied; test/content/readElementSession.test.ts also checks the
 * genuine js-sdk encryptor's output against the reader.
 */
import { IDBFactory, IDBDatabase, IDBObjectStore } from 'fake-indexeddb';
import { webcrypto } from 'node:crypto';

const subtle = webcrypto.subtle as SubtleCrypto;

/** A localStorage that logs every key read and every write (and performs the writes, so a snapshot sees them too). */
export class FakeLocalStorage implements Storage {
  readonly #items = new Map<string, string>();
  readonly reads: string[] = [];
  readonly writes: string[] = [];
  [name: string]: unknown;
  get length(): number {
    return this.#items.size;
  }
  key(i: number): string | null {
    return [...this.#items.keys()][i] ?? null;
  }
  getItem(key: string): string | null {
    this.reads.push(key);
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes.push(`set ${key}`);
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.writes.push(`remove ${key}`);
    this.#items.delete(key);
  }
  clear(): void {
    this.writes.push('clear');
    this.#items.clear();
  }
  /** For fixtures: write without logging (Element's writes happen before the read under test). */
  seed(key: string, value: string): void {
    this.#items.set(key, value);
  }
  unseed(key: string): void {
    this.#items.delete(key);
  }
  entries(): [string, string][] {
    return [...this.#items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** One origin's storage, as a page (and our content script) sees it. */
export interface FakeOrigin {
  readonly localStorage: FakeLocalStorage;
  readonly indexedDB: IDBFactory;
  /** Element's own open connection to `matrix-react-sdk` (StorageAccess.ts keeps one). */
  elementDb?: IDBDatabase;
}

export function newOrigin(): FakeOrigin {
  return { localStorage: new FakeLocalStorage(), indexedDB: new IDBFactory() };
}

// ---------- byte helpers ----------
const b64 = (bytes: Uint8Array | ArrayBuffer): string => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('base64');
const b64Unpadded = (bytes: Uint8Array): string => b64(bytes).replace(/={1,2}$/, '');
const charCodes = (s: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};
const random = (n: number): Uint8Array<ArrayBuffer> => webcrypto.getRandomValues(new Uint8Array(n));

// ---------- StorageAccess.ts ----------
const DB = 'matrix-react-sdk';

/** Element opens the DB at startup (getStoredToken → idbLoad → idbInit), signed in or not. */
export function elementIdbInit(origin: FakeOrigin): Promise<IDBDatabase> {
  if (origin.elementDb) return Promise.resolve(origin.elementDb);
  return new Promise((resolve, reject) => {
    const request = origin.indexedDB.open(DB, 1);
    request.onerror = () => reject(request.error);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('pickleKey');
      request.result.createObjectStore('account');
    };
    request.onsuccess = () => {
      origin.elementDb = request.result;
      resolve(request.result);
    };
  });
}

async function idbTransaction(origin: FakeOrigin, table: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<unknown> {
  const db = await elementIdbInit(origin);
  return new Promise((resolve, reject) => {
    const tx = db.transaction([table], mode);
    tx.onerror = () => reject(tx.error);
    const request = fn(tx.objectStore(table));
    request.onerror = () => reject(request.error);
    request.onsuccess = () => resolve(request.result);
  });
}
export const idbLoad = (o: FakeOrigin, table: string, key: IDBValidKey) => idbTransaction(o, table, 'readonly', (s) => s.get(key));
export const idbSave = (o: FakeOrigin, table: string, key: IDBValidKey, data: unknown) => idbTransaction(o, table, 'readwrite', (s) => s.put(data, key));
export const idbDelete = (o: FakeOrigin, table: string, key: IDBValidKey) => idbTransaction(o, table, 'readwrite', (s) => s.delete(key));
export const idbClear = (o: FakeOrigin, table: string) => idbTransaction(o, table, 'readwrite', (s) => s.clear());

/** Element's tab goes away: its connection closes. */
export function closeElement(origin: FakeOrigin): void {
  origin.elementDb?.close();
  delete origin.elementDb;
}

// ---------- pickling.ts ----------
export function pickleAdditionalData(userId: string, deviceId: string): Uint8Array<ArrayBuffer> {
  return charCodes(`${userId}|${deviceId}`);
}

export interface EncryptedPickleKey {
  encrypted: ArrayBuffer;
  iv: Uint8Array;
  cryptoKey: CryptoKey;
}

export async function encryptPickleKey(pickleKey: Uint8Array<ArrayBuffer>, userId: string, deviceId: string): Promise<EncryptedPickleKey> {
  const cryptoKey = (await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
  const iv = random(32);
  const encrypted = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: pickleAdditionalData(userId, deviceId) }, cryptoKey, pickleKey);
  return { encrypted, iv, cryptoKey };
}

// ---------- BasePlatform.ts ----------
/** Returns the pickle key string (43 characters), as Element hands it to the rest of the app. */
export async function createPickleKey(origin: FakeOrigin, userId: string, deviceId: string): Promise<string> {
  const raw = random(32);
  const record = await encryptPickleKey(raw, userId, deviceId);
  await idbSave(origin, 'pickleKey', [userId, deviceId], record);
  return b64Unpadded(raw);
}

export async function getPickleKey(origin: FakeOrigin, userId: string, deviceId: string): Promise<string | null> {
  const data = (await idbLoad(origin, 'pickleKey', [userId, deviceId])) as Partial<EncryptedPickleKey> | undefined;
  if (!data?.encrypted || !data.iv || !data.cryptoKey) return null;
  const raw = await subtle.decrypt({ name: 'AES-GCM', iv: data.iv as Uint8Array<ArrayBuffer>, additionalData: pickleAdditionalData(userId, deviceId) }, data.cryptoKey, data.encrypted);
  return b64Unpadded(new Uint8Array(raw));
}

// ---------- tokens.ts + js-sdk encryptAESSecretStorageItem ----------
export interface AesPayload {
  iv: string;
  ciphertext: string;
  mac: string;
}

export async function pickleKeyToAesKey(pickleKey: string): Promise<Uint8Array<ArrayBuffer>> {
  const buf = charCodes(pickleKey);
  const hkdf = await subtle.importKey('raw', buf, 'HKDF', false, ['deriveBits']);
  buf.fill(0);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, hkdf, 256));
}

export async function encryptAesSecretStorageItem(data: string, key: Uint8Array<ArrayBuffer>, name: string): Promise<AesPayload> {
  const iv = random(16);
  iv[8] = (iv[8] as number) & 0x7f;
  const hkdf = await subtle.importKey('raw', key, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: new TextEncoder().encode(name) }, hkdf, 512);
  const aesKey = await subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-CTR' }, false, ['encrypt']);
  const hmacKey = await subtle.importKey('raw', bits.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const ciphertext = await subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, new TextEncoder().encode(data));
  const mac = await subtle.sign('HMAC', hmacKey, ciphertext);
  return { iv: b64(iv), ciphertext: b64(ciphertext), mac: b64(mac) };
}

export interface PersistOptions {
  /** WebCrypto failing at encryption time: Element stores the token in clear (tokens.ts). */
  readonly encryptionFails?: boolean;
  /** The IndexedDB write failing: Element falls back to localStorage, in clear. */
  readonly idbFails?: boolean;
}

async function persistTokenInStorage(origin: FakeOrigin, storageKey: string, tokenName: string, token: string | undefined, pickleKey: string | undefined, hasTokenKey: string, opts: PersistOptions): Promise<void> {
  const ls = origin.localStorage;
  if (token) ls.seed(hasTokenKey, 'true');
  else ls.unseed(hasTokenKey);
  let value: AesPayload | string | undefined = token;
  if (pickleKey && token && !opts.encryptionFails) {
    const key = await pickleKeyToAesKey(pickleKey);
    value = await encryptAesSecretStorageItem(token, key, tokenName);
    key.fill(0);
  }
  try {
    if (opts.idbFails) throw new Error('IndexedDB write failed');
    await idbSave(origin, 'account', storageKey, value);
  } catch {
    if (token) ls.seed(storageKey, token);
    else ls.unseed(storageKey);
  }
}

// ---------- Lifecycle.ts ----------
export interface Credentials {
  readonly homeserverUrl: string;
  readonly identityServerUrl?: string;
  readonly userId: string;
  /** Absent when the login response had none. */
  readonly deviceId?: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly guest?: boolean;
}

export interface LoginOptions extends PersistOptions {
  /** No WebCrypto at login: encryptPickleKey returns undefined, so there is no pickle key. */
  readonly noWebCrypto?: boolean;
  /** An OIDC (MAS) session: Element keeps the client ID. */
  readonly oidcClientId?: string;
}

/**
 * Element's app start followed by a password login (setLoggedIn → loadOrCreatePickleKey →
 * doSetLoggedIn → persistCredentials), plus the keys Element writes around it (session lock,
 * crypto-initialised flag). Returns the pickle key string, when there is one.
 */
export async function elementLogin(origin: FakeOrigin, creds: Credentials, opts: LoginOptions = {}): Promise<{ pickleKey?: string }> {
  await elementIdbInit(origin);
  const ls = origin.localStorage;
  // The cross-tab session lock every running Element tab holds (react-sdk SessionLock.ts); never to be touched.
  ls.seed('react_sdk_session_lock_owner', 'b8c3f1e4-0d1e-4f9a-9c5e-2a7d7f5e1c11');
  ls.seed('react_sdk_session_lock_ping', String(Date.UTC(2026, 11, 4, 15, 0, 0)));

  // loadOrCreatePickleKey
  let pickleKey = (await getPickleKey(origin, creds.userId, creds.deviceId ?? '')) ?? undefined;
  if (!pickleKey && creds.userId && creds.deviceId && !opts.noWebCrypto) pickleKey = await createPickleKey(origin, creds.userId, creds.deviceId);

  // persistCredentials
  ls.seed('mx_hs_url', creds.homeserverUrl);
  if (creds.identityServerUrl) ls.seed('mx_is_url', creds.identityServerUrl);
  ls.seed('mx_user_id', creds.userId);
  ls.seed('mx_is_guest', JSON.stringify(Boolean(creds.guest)));
  await persistTokenInStorage(origin, 'mx_access_token', 'access_token', creds.accessToken, pickleKey, 'mx_has_access_token', opts);
  await persistTokenInStorage(origin, 'mx_refresh_token', 'refresh_token', creds.refreshToken, pickleKey, 'mx_has_refresh_token', opts);
  if (pickleKey) ls.seed('mx_has_pickle_key', 'true');
  if (creds.deviceId) ls.seed('mx_device_id', creds.deviceId);
  if (opts.oidcClientId) ls.seed('mx_oidc_client_id', opts.oidcClientId);

  // After the client starts (MatrixClientPeg / StorageManager).
  ls.seed('mx_crypto_initialised', 'true');
  return pickleKey ? { pickleKey } : {};
}

/** Lifecycle.ts softLogout: the token was rejected; the data stays. */
export function elementSoftLogout(origin: FakeOrigin): void {
  origin.localStorage.seed('mx_soft_logout', 'true');
}

/** Lifecycle.ts logout → destroyPickleKey, then onLoggedOut → clearStorage({ deleteEverything: true }). */
export async function elementLogout(origin: FakeOrigin, userId: string, deviceId: string): Promise<void> {
  await idbDelete(origin, 'pickleKey', [userId, deviceId]);
  for (const [k] of origin.localStorage.entries()) origin.localStorage.unseed(k);
  await idbClear(origin, 'account');
}

/**
 * A pre-December-2020 Element (react-sdk before v3.11.0): the token in localStorage in clear, no
 * `mx_has_access_token`, no pickle key, no `matrix-react-sdk` database yet.
 */
export function legacyElementLogin(origin: FakeOrigin, creds: Credentials): void {
  const ls = origin.localStorage;
  ls.seed('mx_hs_url', creds.homeserverUrl);
  ls.seed('mx_user_id', creds.userId);
  if (creds.deviceId) ls.seed('mx_device_id', creds.deviceId);
  ls.seed('mx_is_guest', 'false');
  ls.seed('mx_access_token', creds.accessToken);
}

// ---------- what the tests compare ----------
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function describeValue(v: unknown): unknown {
  if (v === undefined) return '<undefined>';
  if (v instanceof ArrayBuffer) return `ArrayBuffer:${hex(new Uint8Array(v))}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}:${hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}`;
  if (v instanceof CryptoKey) return `CryptoKey:${JSON.stringify(v.algorithm)}:${v.extractable}:${v.usages.join(',')}`;
  if (Array.isArray(v)) return v.map(describeValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describeValue(x)]));
  return v;
}

/** Every database, version, store, key and value of the origin (read with the test's own connections, then closed). */
export async function dumpIndexedDB(factory: IDBFactory): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const list = await factory.databases();
  for (const info of list.sort((a, b) => String(a.name).localeCompare(String(b.name)))) {
    const name = info.name as string;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const stores: Record<string, unknown> = {};
    for (const storeName of [...db.objectStoreNames].sort()) {
      stores[storeName] = await new Promise((resolve, reject) => {
        const rows: unknown[] = [];
        const cursor = db.transaction([storeName], 'readonly').objectStore(storeName).openCursor();
        cursor.onerror = () => reject(cursor.error);
        cursor.onsuccess = () => {
          try {
            const c = cursor.result;
            if (!c) return resolve(rows);
            rows.push([describeValue(c.key), describeValue(c.value)]);
            c.continue();
          } catch (e) {
            reject(e);
          }
        };
      });
    }
    out[`${name}@v${db.version}`] = stores;
    db.close();
  }
  return out;
}

/** What the code under test did to IndexedDB, recorded on fake-indexeddb's prototypes. */
export interface IdbLog {
  opens: { name: string; withVersion: boolean }[];
  connections: IDBDatabase[];
  transactions: { stores: string[]; mode: string }[];
  gets: { store: string; key: unknown }[];
  writes: string[];
}

/**
 * Records every IndexedDB call made while `fn` runs (and only then): opens (with or without a
 * version), the connections they produced, transactions and their modes, gets, and any write.
 */
export async function recordIndexedDB<T>(factory: IDBFactory, fn: (factory: IDBFactory) => Promise<T>): Promise<{ value: T; log: IdbLog }> {
  const log: IdbLog = { opens: [], connections: [], transactions: [], gets: [], writes: [] };
  const dbProto = IDBDatabase.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const storeProto = IDBObjectStore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = { transaction: dbProto['transaction'], get: storeProto['get'], put: storeProto['put'], add: storeProto['add'], delete: storeProto['delete'], clear: storeProto['clear'] };
  dbProto['transaction'] = function (this: IDBDatabase, stores: unknown, mode?: unknown, ...rest: unknown[]) {
    log.transactions.push({ stores: Array.isArray(stores) ? [...(stores as string[])] : [String(stores)], mode: typeof mode === 'string' ? mode : 'readonly' });
    return (saved.transaction as (...a: unknown[]) => unknown).call(this, stores, mode, ...rest);
  };
  storeProto['get'] = function (this: IDBObjectStore, key: unknown) {
    log.gets.push({ store: this.name, key: Array.isArray(key) ? [...key] : key });
    return (saved.get as (...a: unknown[]) => unknown).call(this, key);
  };
  for (const m of ['put', 'add', 'delete', 'clear'] as const)
    storeProto[m] = function (this: IDBObjectStore, ...a: unknown[]) {
      log.writes.push(`${m} ${this.name}`);
      return (saved[m] as (...a: unknown[]) => unknown).call(this, ...a);
    };
  const recording: IDBFactory = {
    open(name: string, version?: number) {
      log.opens.push({ name, withVersion: arguments.length > 1 });
      const request = arguments.length > 1 ? factory.open(name, version) : factory.open(name);
      request.addEventListener('success', () => log.connections.push(request.result));
      return request;
    },
    databases: () => factory.databases(),
    deleteDatabase(name: string) {
      log.writes.push(`deleteDatabase ${name}`);
      return factory.deleteDatabase(name);
    },
    cmp: (a: unknown, b: unknown) => factory.cmp(a, b),
  };
  try {
    return { value: await fn(recording), log };
  } finally {
    dbProto['transaction'] = saved.transaction as (...a: unknown[]) => unknown;
    for (const m of ['get', 'put', 'add', 'delete', 'clear'] as const) storeProto[m] = saved[m] as (...a: unknown[]) => unknown;
  }
}

/** True when `db` is closed (a closed connection refuses new transactions with InvalidStateError). */
export function isClosed(db: IDBDatabase): boolean {
  try {
    db.transaction([...db.objectStoreNames].slice(0, 1), 'readonly');
    return false;
  } catch (e) {
    return (e as { name?: string }).name === 'InvalidStateError';
  }
}
