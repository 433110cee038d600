/**
 * Element Web's write path for its session, for tests: fills an origin's localStorage and
 * IndexedDB THE WAY ELEMENT FILLS THEM. Shared by the Node fixture (./elementWebStorage.ts:
 * a logging fake localStorage and fake-indexeddb) and the end-to-end test page
 * (test/e2e/page/main.ts: the browser's real localStorage, indexedDB and WebCrypto), so it uses
 * only what both have (globalThis.crypto, btoa, the IndexedDB API), never a Node module.
 * The write path below is a reimplementation, from reading the source,
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

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/**
 * The page's localStorage as Element's writes see it: `seed`/`unseed` are Element's own writes
 * (the Node fake performs them without logging them as the reader's; a browser page just sets
 * and removes items).
 */
export interface ElementStorage {
  seed(key: string, value: string): void;
  unseed(key: string): void;
  /** Every item, sorted by key. */
  entries(): [string, string][];
}

/** One origin's storage, as Element (and our content script) sees it. */
export interface ElementOrigin {
  readonly localStorage: ElementStorage;
  readonly indexedDB: IDBFactory;
  /** Element's own open connection to `matrix-react-sdk` (StorageAccess.ts keeps one). */
  elementDb?: IDBDatabase;
}

/** A real browser origin (the end-to-end test page): its localStorage and indexedDB. */
export function browserOrigin(win: { readonly localStorage: Storage; readonly indexedDB: IDBFactory }): ElementOrigin {
  const ls = win.localStorage;
  return {
    localStorage: {
      seed: (key, value) => ls.setItem(key, value),
      unseed: (key) => ls.removeItem(key),
      entries: () => {
        const out: [string, string][] = [];
        for (let i = 0; i < ls.length; i++) {
          const k = ls.key(i);
          if (k !== null) out.push([k, ls.getItem(k) ?? '']);
        }
        return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      },
    },
    indexedDB: win.indexedDB,
  };
}

// ---------- byte helpers ----------
const b64 = (bytes: Uint8Array | ArrayBuffer): string => {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  let bin = '';
  for (let i = 0; i < view.length; i++) bin += String.fromCharCode(view[i] as number);
  return btoa(bin);
};
const b64Unpadded = (bytes: Uint8Array): string => b64(bytes).replace(/={1,2}$/, '');
const charCodes = (s: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};
const random = (n: number): Uint8Array<ArrayBuffer> => globalThis.crypto.getRandomValues(new Uint8Array(n));

// ---------- StorageAccess.ts ----------
const DB = 'matrix-react-sdk';

/** Element opens the DB at startup (getStoredToken → idbLoad → idbInit), signed in or not. */
export function elementIdbInit(origin: ElementOrigin): Promise<IDBDatabase> {
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

async function idbTransaction(origin: ElementOrigin, table: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<unknown> {
  const db = await elementIdbInit(origin);
  return new Promise((resolve, reject) => {
    const tx = db.transaction([table], mode);
    tx.onerror = () => reject(tx.error);
    const request = fn(tx.objectStore(table));
    request.onerror = () => reject(request.error);
    request.onsuccess = () => resolve(request.result);
  });
}
export const idbLoad = (o: ElementOrigin, table: string, key: IDBValidKey) => idbTransaction(o, table, 'readonly', (s) => s.get(key));
export const idbSave = (o: ElementOrigin, table: string, key: IDBValidKey, data: unknown) => idbTransaction(o, table, 'readwrite', (s) => s.put(data, key));
export const idbDelete = (o: ElementOrigin, table: string, key: IDBValidKey) => idbTransaction(o, table, 'readwrite', (s) => s.delete(key));
export const idbClear = (o: ElementOrigin, table: string) => idbTransaction(o, table, 'readwrite', (s) => s.clear());

/** Element's tab goes away: its connection closes. */
export function closeElement(origin: ElementOrigin): void {
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
  const cryptoKey = (await subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])) as CryptoKey;
  const iv = random(32);
  const encrypted = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: pickleAdditionalData(userId, deviceId) }, cryptoKey, pickleKey);
  return { encrypted, iv, cryptoKey };
}

// ---------- BasePlatform.ts ----------
/** Returns the pickle key string (43 characters), as Element hands it to the rest of the app. */
export async function createPickleKey(origin: ElementOrigin, userId: string, deviceId: string): Promise<string> {
  const raw = random(32);
  const record = await encryptPickleKey(raw, userId, deviceId);
  await idbSave(origin, 'pickleKey', [userId, deviceId], record);
  return b64Unpadded(raw);
}

export async function getPickleKey(origin: ElementOrigin, userId: string, deviceId: string): Promise<string | null> {
  const data = (await idbLoad(origin, 'pickleKey', [userId, deviceId])) as Partial<EncryptedPickleKey> | undefined;
  if (!data?.encrypted || !data.iv || !data.cryptoKey) return null;
  const raw = await subtle().decrypt({ name: 'AES-GCM', iv: data.iv as Uint8Array<ArrayBuffer>, additionalData: pickleAdditionalData(userId, deviceId) }, data.cryptoKey, data.encrypted);
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
  const hkdf = await subtle().importKey('raw', buf, 'HKDF', false, ['deriveBits']);
  buf.fill(0);
  return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, hkdf, 256));
}

export async function encryptAesSecretStorageItem(data: string, key: Uint8Array<ArrayBuffer>, name: string): Promise<AesPayload> {
  const iv = random(16);
  iv[8] = (iv[8] as number) & 0x7f;
  const hkdf = await subtle().importKey('raw', key, 'HKDF', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: new TextEncoder().encode(name) }, hkdf, 512);
  const aesKey = await subtle().importKey('raw', bits.slice(0, 32), { name: 'AES-CTR' }, false, ['encrypt']);
  const hmacKey = await subtle().importKey('raw', bits.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const ciphertext = await subtle().encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, new TextEncoder().encode(data));
  const mac = await subtle().sign('HMAC', hmacKey, ciphertext);
  return { iv: b64(iv), ciphertext: b64(ciphertext), mac: b64(mac) };
}

export interface PersistOptions {
  /** WebCrypto failing at encryption time: Element stores the token in clear (tokens.ts). */
  readonly encryptionFails?: boolean;
  /** The IndexedDB write failing: Element falls back to localStorage, in clear. */
  readonly idbFails?: boolean;
}

async function persistTokenInStorage(origin: ElementOrigin, storageKey: string, tokenName: string, token: string | undefined, pickleKey: string | undefined, hasTokenKey: string, opts: PersistOptions): Promise<void> {
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
export async function elementLogin(origin: ElementOrigin, creds: Credentials, opts: LoginOptions = {}): Promise<{ pickleKey?: string }> {
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
export function elementSoftLogout(origin: ElementOrigin): void {
  origin.localStorage.seed('mx_soft_logout', 'true');
}

/** Lifecycle.ts logout → destroyPickleKey, then onLoggedOut → clearStorage({ deleteEverything: true }). */
export async function elementLogout(origin: ElementOrigin, userId: string, deviceId: string): Promise<void> {
  await idbDelete(origin, 'pickleKey', [userId, deviceId]);
  for (const [k] of origin.localStorage.entries()) origin.localStorage.unseed(k);
  await idbClear(origin, 'account');
}

/**
 * A pre-December-2020 Element (react-sdk before v3.11.0): the token in localStorage in clear, no
 * `mx_has_access_token`, no pickle key, no `matrix-react-sdk` database yet.
 */
export function legacyElementLogin(origin: ElementOrigin, creds: Credentials): void {
  const ls = origin.localStorage;
  ls.seed('mx_hs_url', creds.homeserverUrl);
  ls.seed('mx_user_id', creds.userId);
  if (creds.deviceId) ls.seed('mx_device_id', creds.deviceId);
  ls.seed('mx_is_guest', 'false');
  ls.seed('mx_access_token', creds.accessToken);
}
