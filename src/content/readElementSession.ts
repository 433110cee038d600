/**
 * @module content/readElementSession — reads the signed-in Element Web session from the page's
 * own storage, once, read-only, in the content script's isolated world.
 *
 * `readElementSession` is handed to `scripting.executeScript({ func })`, which sends the
 * function's *source text* to the tab. So it must be self-contained: no import, no module
 * variable, no helper outside its body (the test runs the transpiled source in an empty realm to
 * prove it). It uses WebCrypto only — no library — because the pickle key's CryptoKey is
 * non-extractable and only `crypto.subtle` can use it (client-storage.md §2.2, §7).
 *
 * What it reads (client-storage.md §1, §2, §9(a)):
 * - localStorage `mx_hs_url`, `mx_user_id`, `mx_device_id`, `mx_soft_logout`,
 *   `mx_has_access_token`, `mx_has_pickle_key`, `mx_access_token` (plaintext fallback / legacy);
 * - IndexedDB `matrix-react-sdk` (only if `indexedDB.databases()` lists it; opened without a
 *   version, one read-only transaction, closed at once): `account/mx_access_token` and
 *   `pickleKey/[userId, deviceId]`.
 * What it never does ("don't break Element", §7): write anything, read the refresh token or the
 * `react_sdk_session_lock_*` keys, open a database that may not exist, pass a version, keep a
 * connection open (it also closes on `versionchange`).
 *
 * Every failure is `{ ok: false, error: { code, message } }` with a fixed plain sentence: never
 * the token, never text taken from the page.
 */
import type { SessionReadResult } from '../protocol/session.ts';

/** Options a caller may pass through `executeScript({ args: [options] })` (JSON only). */
export interface ReadElementSessionOptions {
  /** Give up on IndexedDB after this long (default 5000 ms). */
  readonly timeoutMs?: number;
}

export async function readElementSession(options?: ReadElementSessionOptions): Promise<SessionReadResult> {
  // ---- constants (kept in this body: the function travels as source text) ----
  const DB_NAME = 'matrix-react-sdk';
  /** The only version Element has ever used (StorageAccess.ts idbInit, since Dec 2020). */
  const DB_VERSION = 1;
  const ACCOUNT_STORE = 'account';
  const PICKLE_STORE = 'pickleKey';
  const TOKEN_KEY = 'mx_access_token';
  /** HKDF info for the access token (tokens.ts ACCESS_TOKEN_NAME). */
  const TOKEN_NAME = 'access_token';
  /** Same limits as validateSessionReadResult (src/protocol/session.ts); a test keeps them equal. */
  const MAX = { homeserverUrl: 2048, userId: 512, deviceId: 512, accessToken: 8192 };
  const timeoutMs = typeof options?.timeoutMs === 'number' && options.timeoutMs > 0 ? options.timeoutMs : 5000;

  type Code = Extract<SessionReadResult, { ok: false }>['error']['code'];
  const fail = (code: Code, message: string): SessionReadResult => ({ ok: false, error: { code, message } });
  const NOT_A_CLIENT = 'This page is not a supported signed-in Matrix client: none of Element Web’s session storage was found here.';
  const NOT_SIGNED_IN = 'Element is open on this page, but no account is signed in.';

  // ---- small helpers (inside the body on purpose) ----
  /** A string from page storage, or undefined. `getItem` returns primitives, so no realm copy is needed. */
  const read = (storage: Storage, key: string): string | undefined => {
    const v = storage.getItem(key);
    return typeof v === 'string' ? v : undefined;
  };

  /**
   * Copies page-realm bytes (ArrayBuffer or a byte view) into a fresh Uint8Array of this realm,
   * element by element. In a Firefox content script IDB values are Xray-wrapped page objects, so
   * `instanceof` is false and library code may reject them; the copy is ours (client-storage.md §7).
   */
  const copyBytes = (v: unknown): Uint8Array<ArrayBuffer> | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    const tag = Object.prototype.toString.call(v);
    let view: ArrayLike<number>;
    if (tag === '[object ArrayBuffer]') view = new Uint8Array(v as ArrayBuffer);
    else if (tag === '[object Uint8Array]') view = v as Uint8Array;
    else return undefined;
    const out = new Uint8Array(view.length);
    for (let i = 0; i < out.length; i++) out[i] = (view[i] as number) & 0xff;
    return out;
  };

  /**
   * A WebCrypto result (an ArrayBuffer) as a Uint8Array of this realm, the result itself wiped.
   * In a Firefox content script `crypto` is the page's (Xray-wrapped), so its results are page-realm
   * buffers, and `new Uint8Array(result)` is a page-realm view: indexing and `fill` work, but
   * `slice`/`subarray` and anything else that looks up its `constructor` throw "Permission denied
   * to access property "constructor"" (observed in Firefox ESR 153; client-storage.md §7). Found by
   * the Firefox end-to-end test: `okm.slice()` made every encrypted token unreadable in Firefox.
   */
  const ownBytes = (result: ArrayBuffer): Uint8Array<ArrayBuffer> => {
    const view = new Uint8Array(result);
    const out = new Uint8Array(view.length);
    for (let i = 0; i < out.length; i++) out[i] = view[i] as number;
    view.fill(0);
    return out;
  };

  /** Standard base64, padding optional (Element writes it padded); undefined when malformed. */
  const fromBase64 = (s: unknown): Uint8Array<ArrayBuffer> | undefined => {
    if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return undefined;
    let bin: string;
    try {
      bin = atob(s);
    } catch {
      return undefined;
    }
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };

  /** Unpadded standard base64 (the pickle-key string: 32 bytes → 43 characters). */
  const toUnpaddedBase64 = (bytes: Uint8Array): string => {
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] as number);
    return btoa(bin).replace(/=+$/, '');
  };

  /** One byte per char code (Element's pickling.ts getPickleAdditionalData / tokens.ts pickleKeyToAesKey). */
  const charCodeBytes = (s: string): Uint8Array<ArrayBuffer> => {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
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

  type Opened = { kind: 'db'; db: IDBDatabase } | { kind: 'absent' } | { kind: 'failed' };
  /**
   * Opens an existing database without a version. If `upgradeneeded` fires anyway (it was deleted
   * after `databases()` listed it), the versionchange transaction is aborted, which removes the
   * empty database the open would otherwise have created.
   */
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

  type Stored = { token: unknown; pickle: unknown } | 'missing-stores' | 'failed';
  /** One read-only transaction over both stores. */
  const readStores = (db: IDBDatabase, pickleKey: [string, string]): Promise<Stored> =>
    new Promise((resolve) => {
      if (!db.objectStoreNames.contains(ACCOUNT_STORE) || !db.objectStoreNames.contains(PICKLE_STORE)) {
        resolve('missing-stores');
        return;
      }
      let tx: IDBTransaction;
      try {
        tx = db.transaction([ACCOUNT_STORE, PICKLE_STORE], 'readonly');
      } catch {
        resolve('failed');
        return;
      }
      const tokenRequest = tx.objectStore(ACCOUNT_STORE).get(TOKEN_KEY);
      const pickleRequest = tx.objectStore(PICKLE_STORE).get(pickleKey);
      tx.oncomplete = () => resolve({ token: tokenRequest.result, pickle: pickleRequest.result });
      tx.onerror = (event) => {
        event.preventDefault();
        resolve('failed');
      };
      tx.onabort = () => resolve('failed');
    });

  // ---- 1. localStorage ----
  let hsUrl: string | undefined, userId: string | undefined, deviceIdStored: string | undefined;
  let softLogout: string | undefined, hasAccessToken: string | undefined, hasPickleKey: string | undefined, lsToken: string | undefined;
  let otherElementKeys = false;
  try {
    const storage = globalThis.localStorage;
    hsUrl = read(storage, 'mx_hs_url');
    userId = read(storage, 'mx_user_id');
    deviceIdStored = read(storage, 'mx_device_id');
    softLogout = read(storage, 'mx_soft_logout');
    hasAccessToken = read(storage, 'mx_has_access_token');
    hasPickleKey = read(storage, 'mx_has_pickle_key');
    lsToken = read(storage, TOKEN_KEY);
    // Keys Element writes whether or not anyone is signed in (a logged-out Element keeps some).
    for (const k of ['mx_is_guest', 'mx_is_url', 'mx_local_settings', 'mx_crypto_initialised']) if (read(storage, k) !== undefined) otherElementKeys = true;
  } catch {
    return fail('read-failed', 'The browser does not let Crosscheck read this page’s local storage.');
  }

  // ---- 2. which databases exist (never open one that may not) ----
  const factory: IDBFactory | undefined = globalThis.indexedDB;
  let dbListed = false;
  let listedVersion: number | undefined;
  if (factory) {
    if (typeof factory.databases !== 'function')
      return fail('read-failed', 'This browser cannot list a page’s IndexedDB databases, which Crosscheck needs to read Element safely (Firefox 126 or newer, or Chrome, is required).');
    let list: IDBDatabaseInfo[];
    try {
      const listed = await withTimeout(factory.databases(), () => {});
      if (listed === 'timeout') return fail('read-failed', 'The browser’s IndexedDB did not answer in time; reload the Element tab and try again.');
      list = listed;
    } catch {
      return fail('read-failed', 'The browser would not list this page’s IndexedDB databases.');
    }
    for (let i = 0; i < list.length; i++) {
      const info = list[i];
      if (info && info.name === DB_NAME) {
        dbListed = true;
        listedVersion = typeof info.version === 'number' ? info.version : undefined;
      }
    }
  }

  // ---- 3. is this Element, and is someone signed in? ----
  const anyElementKey = hsUrl !== undefined || userId !== undefined || deviceIdStored !== undefined || hasAccessToken !== undefined || hasPickleKey !== undefined || lsToken !== undefined || softLogout !== undefined || otherElementKeys;
  if (!anyElementKey && !dbListed) return fail('not-a-matrix-client', NOT_A_CLIENT);
  // Element restores a session only with both of these (Lifecycle.ts restoreSessionFromStorage).
  if (!hsUrl || !userId) return fail('not-signed-in', NOT_SIGNED_IN);
  if (softLogout === 'true')
    return fail('soft-logged-out', 'Element says this session was signed out by the server (soft logout); sign in again in Element, then try again.');
  // Element leaves mx_device_id unset when login returned no device and then uses "" (BasePlatform getPickleKey).
  const deviceId = deviceIdStored ?? '';
  if (hsUrl.length > MAX.homeserverUrl || userId.length > MAX.userId || deviceId.length > MAX.deviceId)
    return fail('storage-corrupt', 'Element’s stored homeserver address, user ID or device ID is implausibly long.');

  // ---- 4. the stored token (and pickle key record) ----
  let idbToken: unknown;
  let pickleRecord: unknown;
  if (dbListed && factory) {
    if (listedVersion !== undefined && listedVersion > DB_VERSION)
      return fail('schema-too-new', `Element’s session database is version ${listedVersion}, newer than the version ${DB_VERSION} Crosscheck understands; update Crosscheck.`);
    let db: IDBDatabase | undefined;
    try {
      const opened = await withTimeout(openExisting(factory, DB_NAME), (late) => {
        if (late.kind === 'db') late.db.close();
      });
      if (opened === 'timeout') return fail('read-failed', 'Element’s session database did not open in time; reload the Element tab and try again.');
      if (opened.kind === 'failed') return fail('read-failed', 'Element’s session database could not be opened.');
      if (opened.kind === 'absent') return fail('read-failed', 'Element’s session database disappeared while Crosscheck was reading it; try again.');
      db = opened.db;
      if (db.version > DB_VERSION)
        return fail('schema-too-new', `Element’s session database is version ${db.version}, newer than the version ${DB_VERSION} Crosscheck understands; update Crosscheck.`);
      const stored = await withTimeout(readStores(db, [userId, deviceId]), () => {});
      if (stored === 'timeout') return fail('read-failed', 'Element’s session database did not answer in time; reload the Element tab and try again.');
      if (stored === 'missing-stores') return fail('storage-corrupt', 'Element’s session database lacks the tables Element always creates.');
      if (stored === 'failed') return fail('read-failed', 'Reading Element’s session database failed.');
      idbToken = stored.token;
      pickleRecord = stored.pickle;
    } catch {
      return fail('read-failed', 'Reading Element’s session database failed.');
    } finally {
      db?.close();
    }
  }

  // Element's order (Lifecycle.ts getStoredToken): IndexedDB first, then the localStorage copy
  // (written by pre-2021 builds, or when the IndexedDB write failed). A falsy value counts as none.
  let stored: unknown = idbToken ? idbToken : undefined;
  let tokenStorage: 'encrypted' | 'plain-indexeddb' | 'plain-localstorage' = 'plain-indexeddb';
  if (stored === undefined && lsToken) {
    stored = lsToken;
    tokenStorage = 'plain-localstorage';
  }
  if (stored === undefined) {
    if (hasAccessToken === 'true')
      return fail('storage-evicted', 'Element expects an access token in this browser’s storage, but it is gone (the browser may have cleared the site’s data); Element will ask you to sign in again.');
    return fail('not-signed-in', NOT_SIGNED_IN);
  }

  let accessToken: string;
  if (typeof stored === 'string') {
    accessToken = stored;
  } else if (typeof stored === 'object' && stored !== null) {
    tokenStorage = 'encrypted';
    // {iv, ciphertext, mac}: the m.secret_storage.v1.aes-hmac-sha2 payload shape (strings: primitives, no realm copy needed).
    const payload = stored as { iv?: unknown; ciphertext?: unknown; mac?: unknown };
    const iv = fromBase64(payload.iv);
    const ciphertext = fromBase64(payload.ciphertext);
    const mac = fromBase64(payload.mac);
    if (!iv || iv.length !== 16 || !ciphertext || ciphertext.length === 0 || !mac || mac.length !== 32)
      return fail('storage-corrupt', 'Element’s stored access token is not in the encrypted format Element writes.');

    // The pickle key record: {encrypted, iv, cryptoKey}, all three needed (pickling.ts buildAndEncodePickleKey).
    const record = typeof pickleRecord === 'object' && pickleRecord !== null ? (pickleRecord as { encrypted?: unknown; iv?: unknown; cryptoKey?: unknown }) : undefined;
    if (!record || !record.encrypted || !record.iv || !record.cryptoKey)
      return fail(
        'storage-corrupt',
        hasPickleKey === 'true'
          ? 'Element’s access token is encrypted, but the pickle key Element recorded for this session is missing from its database.'
          : 'Element’s access token is encrypted, but there is no pickle key for this session in its database.',
      );
    const pickleIv = copyBytes(record.iv);
    const pickleCiphertext = copyBytes(record.encrypted);
    if (!pickleIv || pickleIv.length === 0 || !pickleCiphertext || pickleCiphertext.length < 16)
      return fail('storage-corrupt', 'Element’s pickle key record is damaged.');
    if (!globalThis.crypto?.subtle) return fail('read-failed', 'WebCrypto is not available on this page, so the stored access token cannot be decrypted.');
    const subtle = globalThis.crypto.subtle;

    // a) the pickle key: AES-GCM with the page's own non-extractable key; AAD "userId|deviceId", one byte per char code.
    let pickleBytes: Uint8Array;
    try {
      pickleBytes = ownBytes(
        await subtle.decrypt(
          { name: 'AES-GCM', iv: pickleIv, additionalData: charCodeBytes(`${userId}|${deviceId}`) },
          record.cryptoKey as CryptoKey,
          pickleCiphertext,
        ),
      );
    } catch {
      return fail('storage-corrupt', 'Element’s pickle key could not be decrypted: its record is damaged or belongs to another session.');
    }
    if (pickleBytes.length === 0) return fail('storage-corrupt', 'Element’s pickle key record is damaged.');
    const pickleKey = toUnpaddedBase64(pickleBytes);
    pickleBytes.fill(0);

    // b) the token (tokens.ts pickleKeyToAesKey, then js-sdk decryptAESSecretStorageItem):
    //    k0 = HKDF-SHA-256(ascii(pickleKey), salt 32×0, info "", 32 bytes);
    //    okm = HKDF-SHA-256(k0, salt 8×0, info "access_token", 64 bytes) → AES-CTR key | HMAC key;
    //    verify HMAC-SHA-256 over the ciphertext, then AES-256-CTR (counter = iv, 64-bit counter).
    const ikm = charCodeBytes(pickleKey);
    let k0: Uint8Array<ArrayBuffer> | undefined;
    let okm: Uint8Array<ArrayBuffer> | undefined;
    let aesRaw: Uint8Array<ArrayBuffer> | undefined;
    let macRaw: Uint8Array<ArrayBuffer> | undefined;
    try {
      const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
      k0 = ownBytes(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new Uint8Array(0) }, base, 256));
      const hkdf = await subtle.importKey('raw', k0, 'HKDF', false, ['deriveBits']);
      okm = ownBytes(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(8), info: charCodeBytes(TOKEN_NAME) }, hkdf, 512));
      aesRaw = okm.slice(0, 32);
      macRaw = okm.slice(32, 64);
      const aesKey = await subtle.importKey('raw', aesRaw, { name: 'AES-CTR' }, false, ['decrypt']);
      const macKey = await subtle.importKey('raw', macRaw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      if (!(await subtle.verify('HMAC', macKey, mac, ciphertext)))
        return fail('storage-corrupt', 'Element’s stored access token failed its integrity check (wrong MAC), so it was not used.');
      const plain = ownBytes(await subtle.decrypt({ name: 'AES-CTR', counter: iv, length: 64 }, aesKey, ciphertext));
      try {
        accessToken = new TextDecoder('utf-8', { fatal: true }).decode(plain);
      } catch {
        return fail('storage-corrupt', 'Element’s stored access token did not decrypt to text.');
      } finally {
        plain.fill(0);
      }
    } catch {
      return fail('read-failed', 'WebCrypto failed while decrypting Element’s stored access token.');
    } finally {
      ikm.fill(0);
      k0?.fill(0);
      okm?.fill(0);
      aesRaw?.fill(0);
      macRaw?.fill(0);
    }
  } else {
    return fail('storage-corrupt', 'Element’s stored access token has an unexpected type.');
  }

  if (accessToken.length === 0) return fail('storage-corrupt', 'Element’s stored access token is empty.');
  if (accessToken.length > MAX.accessToken) return fail('storage-corrupt', 'Element’s stored access token is implausibly long.');
  return { ok: true, value: { client: 'element-web', homeserverUrl: hsUrl, userId, deviceId, accessToken, tokenStorage } };
}
