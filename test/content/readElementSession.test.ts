/**
 * readElementSession against storage written the way Element writes it (the write path is
 * reimplemented in ./elementWebStorage.ts, which names the Element and js-sdk files it follows),
 * run from its source text in another realm (./pageRealm.ts). Every case also asserts the
 * "don't break Element" rules (client-storage.md §7): localStorage and IndexedDB are byte-for-byte
 * unchanged, the list of databases too, no database was opened with a version or left open, every
 * transaction was read-only, the refresh token and the session-lock keys were never read, the
 * result passes the background's validator, and no error message carries the token.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { validateSessionReadResult, type SessionReadResult } from '../../src/protocol/session.ts';
import {
  newOrigin,
  elementLogin,
  elementSoftLogout,
  elementLogout,
  elementIdbInit,
  legacyElementLogin,
  closeElement,
  createPickleKey,
  pickleKeyToAesKey,
  idbLoad,
  idbSave,
  idbDelete,
  idbClear,
  dumpIndexedDB,
  recordIndexedDB,
  isClosed,
  type AesPayload,
  type FakeOrigin,
  type Credentials,
} from './elementWebStorage.ts';
import { pageFunctionSource, runInPage } from './pageRealm.ts';

const HS = 'https://matrix.example.org';
const USER = '@alice:example.org';
const DEVICE = 'QWERTYUIOP';
const TOKEN = 'syt_YWxpY2U_lLSmNfOwBxGXkLZaPqRt_2bWUWh';
const REFRESH = 'syr_YWxpY2U_refreshrefreshrefresh_1a2b3c';
const ALICE: Credentials = { homeserverUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN };

let source: string;
before(async () => {
  source = await pageFunctionSource();
});

const dbNames = async (o: FakeOrigin) => (await o.indexedDB.databases()).map((d) => `${d.name}@${d.version}`).sort();

interface ReadOptions {
  /** Replace the page's IDBFactory as the function sees it (after recording). */
  readonly wrapFactory?: (f: IDBFactory) => IDBFactory;
  readonly noIndexedDB?: boolean;
  readonly args?: unknown[];
  /** The browser's own versionchange transaction of an open that was aborted (the race case). */
  readonly expectAbortedUpgrade?: boolean;
}

/** Runs the function on the origin and checks everything it must never do. */
async function read(o: FakeOrigin, opts: ReadOptions = {}): Promise<{ result: SessionReadResult; opened: boolean }> {
  const lsBefore = o.localStorage.entries();
  const idbBefore = await dumpIndexedDB(o.indexedDB);
  const namesBefore = await dbNames(o);
  o.localStorage.reads.length = 0;
  o.localStorage.writes.length = 0;

  const { value: raw, log } = await recordIndexedDB(o.indexedDB, (factory) =>
    runInPage(source, { localStorage: o.localStorage, ...(opts.noIndexedDB ? {} : { indexedDB: opts.wrapFactory ? opts.wrapFactory(factory) : factory }) }, opts.args ?? []),
  );

  // Nothing written, nothing created, nothing left open.
  assert.deepEqual(o.localStorage.writes, [], 'localStorage was written');
  assert.deepEqual(o.localStorage.entries(), lsBefore, 'localStorage changed');
  assert.deepEqual(log.writes, [], 'IndexedDB was written');
  assert.deepEqual(await dbNames(o), namesBefore, 'the list of databases changed');
  assert.deepEqual(await dumpIndexedDB(o.indexedDB), idbBefore, 'IndexedDB contents changed');
  for (const open of log.opens) {
    assert.equal(open.name, 'matrix-react-sdk', `opened a database other than matrix-react-sdk: ${open.name}`);
    assert.equal(open.withVersion, false, 'opened a database with a version');
  }
  for (const db of log.connections) assert.ok(isClosed(db), 'a connection was left open');
  for (const tx of log.transactions) if (!(opts.expectAbortedUpgrade && tx.mode === 'versionchange')) assert.equal(tx.mode, 'readonly', 'a transaction was not read-only');
  // Never the refresh token, never the session lock.
  assert.ok(!log.gets.some((g) => g.key === 'mx_refresh_token'), 'read the refresh token from IndexedDB');
  assert.ok(!o.localStorage.reads.some((k) => k === 'mx_refresh_token' || k.startsWith('react_sdk_session_lock')), `read a key it must not: ${o.localStorage.reads.join(', ')}`);

  // What the background will accept; errors never carry the token.
  const checked = validateSessionReadResult(raw);
  assert.ok(checked.ok, checked.ok ? '' : checked.error);
  const result = checked.value;
  if (!result.ok) {
    assert.ok(!result.error.message.includes(TOKEN), 'the error message contains the token');
    assert.ok(!JSON.stringify(raw).includes(TOKEN), 'the error result contains the token');
    assert.match(result.error.message, /^[A-Z].*\.$/, 'the message is one plain sentence');
  }
  return { result, opened: log.opens.length > 0 };
}

function expectOk(r: SessionReadResult) {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
}
function expectError(r: SessionReadResult, code: string, message?: RegExp) {
  assert.ok(!r.ok, `expected ${code}, got a session`);
  assert.equal(r.error.code, code, r.error.message);
  if (message) assert.match(r.error.message, message);
}

describe('readElementSession: signed-in Element layouts', () => {
  it('reads the current layout: the token encrypted under the pickle key (with a refresh token beside it, left alone)', async () => {
    const o = newOrigin();
    const { pickleKey } = await elementLogin(o, { ...ALICE, refreshToken: REFRESH }, { oidcClientId: 'crosscheck-test-client' });
    assert.equal(pickleKey?.length, 43);
    const stored = (await idbLoad(o, 'account', 'mx_access_token')) as AesPayload;
    assert.equal(typeof stored, 'object', 'the fixture stored an encrypted payload');
    assert.match(stored.iv, /=$/, 'Element pads the base64');
    const { result } = await read(o);
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN, tokenStorage: 'encrypted' });
    closeElement(o);
  });

  it('reads a token encrypted by the genuine matrix-js-sdk encryptor under a pickle-key-derived key', async () => {
    const { default: encryptAESSecretStorageItem } = (await import('matrix-js-sdk/lib/utils/encryptAESSecretStorageItem.js')) as {
      default: (data: string, key: Uint8Array, name: string) => Promise<AesPayload>;
    };
    const o = newOrigin();
    await elementIdbInit(o);
    const pickleKey = await createPickleKey(o, USER, DEVICE);
    const payload = await encryptAESSecretStorageItem(TOKEN, await pickleKeyToAesKey(pickleKey), 'access_token');
    await idbSave(o, 'account', 'mx_access_token', payload);
    for (const [k, v] of [['mx_hs_url', HS], ['mx_user_id', USER], ['mx_device_id', DEVICE], ['mx_has_access_token', 'true'], ['mx_has_pickle_key', 'true']] as const) o.localStorage.seed(k, v);
    const { result } = await read(o);
    assert.equal(expectOk(result).accessToken, TOKEN);
    closeElement(o);
  });

  it('reads a plaintext token from IndexedDB when there was no WebCrypto at login (no pickle key)', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE, { noWebCrypto: true });
    assert.equal(await idbLoad(o, 'account', 'mx_access_token'), TOKEN);
    assert.equal(o.localStorage.getItem('mx_has_pickle_key'), null);
    const { result } = await read(o);
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN, tokenStorage: 'plain-indexeddb' });
    closeElement(o);
  });

  it('reads a plaintext token from IndexedDB when a pickle key exists but encrypting the token failed', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE, { encryptionFails: true });
    assert.equal(o.localStorage.getItem('mx_has_pickle_key'), 'true');
    const { result } = await read(o);
    assert.equal(expectOk(result).tokenStorage, 'plain-indexeddb');
    closeElement(o);
  });

  it('reads the localStorage fallback Element writes when the IndexedDB write fails', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE, { idbFails: true });
    assert.equal(await idbLoad(o, 'account', 'mx_access_token'), undefined);
    const { result } = await read(o);
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN, tokenStorage: 'plain-localstorage' });
    closeElement(o);
  });

  it('reads a legacy (pre-2021) localStorage token without creating the matrix-react-sdk database', async () => {
    const o = newOrigin();
    legacyElementLogin(o, ALICE);
    assert.deepEqual(await dbNames(o), []);
    const { result, opened } = await read(o);
    assert.equal(opened, false, 'opened a database that does not exist');
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN, tokenStorage: 'plain-localstorage' });
    assert.deepEqual(await dbNames(o), []);
  });

  it('prefers the IndexedDB token over a stale localStorage copy, as Element does', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    o.localStorage.seed('mx_access_token', 'syt_stale_token_left_in_localstorage');
    const { result } = await read(o);
    assert.equal(expectOk(result).accessToken, TOKEN);
    closeElement(o);
  });

  it('reads a session whose device ID is unknown ("": Element leaves mx_device_id unset and creates no pickle key)', async () => {
    const o = newOrigin();
    const { deviceId: _none, ...noDevice } = ALICE;
    const { pickleKey } = await elementLogin(o, noDevice);
    assert.equal(pickleKey, undefined, 'Element creates a pickle key only with a device ID');
    assert.equal(o.localStorage.getItem('mx_device_id'), null);
    const { result } = await read(o);
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: '', accessToken: TOKEN, tokenStorage: 'plain-indexeddb' });
    closeElement(o);
  });

  it('decrypts a pickle key stored under [userId, ""] with the additional data "userId|"', async () => {
    // Element looks the key up under "" (getPickleKey(userId, deviceId ?? "")) though it does not create one there today.
    const o = newOrigin();
    const { deviceId: _none, ...noDevice } = ALICE;
    await elementIdbInit(o);
    await createPickleKey(o, USER, '');
    await elementLogin(o, noDevice);
    assert.equal(typeof (await idbLoad(o, 'account', 'mx_access_token')), 'object', 'the token is encrypted under the "" pickle key');
    const { result } = await read(o);
    assert.deepEqual(expectOk(result), { client: 'element-web', homeserverUrl: HS, userId: USER, deviceId: '', accessToken: TOKEN, tokenStorage: 'encrypted' });
    closeElement(o);
  });

  it('reads a session with an unusual (historical-grammar) user ID and a homeserver under a path', async () => {
    const o = newOrigin();
    await elementLogin(o, { ...ALICE, userId: '@a.l=i/c+e_-:matrix.example.org:8448', homeserverUrl: 'https://example.org/matrix/' });
    const { result } = await read(o);
    const v = expectOk(result);
    assert.equal(v.userId, '@a.l=i/c+e_-:matrix.example.org:8448');
    assert.equal(v.accessToken, TOKEN);
    closeElement(o);
  });

  it('reads the session while Element keeps its own connection open, and a later Element upgrade is not blocked by us', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    await read(o);
    closeElement(o);
    const blocked = await new Promise<boolean>((resolve, reject) => {
      const r = o.indexedDB.open('matrix-react-sdk', 2);
      let wasBlocked = false;
      r.onblocked = () => (wasBlocked = true);
      r.onsuccess = () => {
        r.result.close();
        resolve(wasBlocked);
      };
      r.onerror = () => reject(r.error);
    });
    assert.equal(blocked, false);
  });
});

describe('readElementSession: Element states that yield no session', () => {
  it('soft logout: reports it without opening IndexedDB', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    elementSoftLogout(o);
    const { result, opened } = await read(o);
    expectError(result, 'soft-logged-out', /soft logout/);
    assert.equal(opened, false);
    closeElement(o);
  });

  it('evicted storage: mx_has_access_token is "true" but the account store is empty', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    await idbClear(o, 'account');
    await idbClear(o, 'pickleKey');
    const { result } = await read(o);
    expectError(result, 'storage-evicted', /gone/);
    closeElement(o);
  });

  it('evicted storage: the whole matrix-react-sdk database is gone, and it is not recreated', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    closeElement(o);
    await new Promise<void>((resolve, reject) => {
      const r = o.indexedDB.deleteDatabase('matrix-react-sdk');
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
    });
    const { result, opened } = await read(o);
    expectError(result, 'storage-evicted');
    assert.equal(opened, false);
    assert.deepEqual(await dbNames(o), []);
  });

  it('corrupt: an encrypted token whose pickle key record is missing', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    await idbDelete(o, 'pickleKey', [USER, DEVICE]);
    const { result } = await read(o);
    expectError(result, 'storage-corrupt', /pickle key Element recorded .* is missing/);
    closeElement(o);
  });

  it('corrupt: an encrypted token whose pickle key record lacks its CryptoKey', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const rec = (await idbLoad(o, 'pickleKey', [USER, DEVICE])) as Record<string, unknown>;
    delete rec['cryptoKey'];
    await idbSave(o, 'pickleKey', [USER, DEVICE], rec);
    const { result } = await read(o);
    expectError(result, 'storage-corrupt', /pickle key/);
    closeElement(o);
  });

  it('corrupt: a pickle key record that does not decrypt for this user and device (additional data differs)', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    // The record made for another device, placed under this one's key: AES-GCM authentication fails.
    await createPickleKey(o, USER, 'OTHERDEVICE');
    await idbSave(o, 'pickleKey', [USER, DEVICE], await idbLoad(o, 'pickleKey', [USER, 'OTHERDEVICE']));
    const { result } = await read(o);
    expectError(result, 'storage-corrupt', /could not be decrypted/);
    closeElement(o);
  });

  for (const field of ['ciphertext', 'mac'] as const)
    it(`wrong MAC: a tampered ${field} gives an error, never a garbage token`, async () => {
      const o = newOrigin();
      await elementLogin(o, ALICE);
      const payload = (await idbLoad(o, 'account', 'mx_access_token')) as AesPayload;
      const bytes = Buffer.from(payload[field], 'base64');
      bytes[0] = (bytes[0] as number) ^ 0x01;
      await idbSave(o, 'account', 'mx_access_token', { ...payload, [field]: bytes.toString('base64') });
      const { result } = await read(o);
      expectError(result, 'storage-corrupt', /integrity check/);
      closeElement(o);
    });

  it('corrupt: a token payload that is not the aes-hmac-sha2 shape', async () => {
    for (const bad of [{ iv: 'AAAA', ciphertext: 'AAAA' }, { iv: '!!!', ciphertext: 'AAAA', mac: 'AAAA' }, { iv: Buffer.alloc(12).toString('base64'), ciphertext: 'AAAA', mac: Buffer.alloc(32).toString('base64') }, 42]) {
      const o = newOrigin();
      await elementLogin(o, ALICE);
      await idbSave(o, 'account', 'mx_access_token', bad);
      const { result } = await read(o);
      expectError(result, 'storage-corrupt');
      closeElement(o);
    }
  });

  it('not signed in: Element has run (its database exists) but nobody logged in', async () => {
    const o = newOrigin();
    await elementIdbInit(o);
    o.localStorage.seed('react_sdk_session_lock_owner', 'b8c3f1e4');
    o.localStorage.seed('react_sdk_session_lock_ping', '1796396400000');
    const { result } = await read(o);
    expectError(result, 'not-signed-in');
    closeElement(o);
  });

  it('not signed in: after Element logged out (pickle key destroyed, storage cleared)', async () => {
    const o = newOrigin();
    await elementLogin(o, { ...ALICE, refreshToken: REFRESH });
    await elementLogout(o, USER, DEVICE);
    o.localStorage.seed('mx_local_settings', '{"language":"en"}');
    const { result } = await read(o);
    expectError(result, 'not-signed-in');
    closeElement(o);
  });

  it('not signed in: Element keys without a token and without a database (nothing is created)', async () => {
    const o = newOrigin();
    o.localStorage.seed('mx_hs_url', HS);
    o.localStorage.seed('mx_user_id', USER);
    const { result, opened } = await read(o);
    expectError(result, 'not-signed-in');
    assert.equal(opened, false);
    assert.deepEqual(await dbNames(o), []);
  });

  it('schema too new: a matrix-react-sdk database above version 1 is not opened', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    closeElement(o);
    await new Promise<void>((resolve, reject) => {
      const r = o.indexedDB.open('matrix-react-sdk', 2);
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
      r.onerror = () => reject(r.error);
    });
    const { result, opened } = await read(o);
    expectError(result, 'schema-too-new', /version 2/);
    assert.equal(opened, false);
  });

  it('corrupt: a matrix-react-sdk database without Element’s two stores', async () => {
    const o = newOrigin();
    await new Promise<void>((resolve, reject) => {
      const r = o.indexedDB.open('matrix-react-sdk', 1);
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
      r.onerror = () => reject(r.error);
    });
    o.localStorage.seed('mx_hs_url', HS);
    o.localStorage.seed('mx_user_id', USER);
    o.localStorage.seed('mx_has_access_token', 'true');
    const { result } = await read(o);
    expectError(result, 'storage-corrupt', /tables/);
  });

  it('limits: a token over the validator’s 8192 characters is refused in the page, one at the limit passes', async () => {
    for (const [len, ok] of [[8192, true], [8193, false]] as const) {
      const o = newOrigin();
      await elementLogin(o, { ...ALICE, accessToken: 'x'.repeat(len) }, { noWebCrypto: true });
      const { result } = await read(o);
      assert.equal(result.ok, ok, `length ${len}`);
      if (!ok) expectError(result, 'storage-corrupt', /implausibly long/);
      closeElement(o);
    }
  });
});

describe('readElementSession: pages that are not Element', () => {
  it('an empty page: not-a-matrix-client, and no database is created', async () => {
    const o = newOrigin();
    const { result, opened } = await read(o);
    expectError(result, 'not-a-matrix-client', /not a supported signed-in Matrix client/);
    assert.equal(opened, false);
    assert.deepEqual(await dbNames(o), []);
  });

  it('another site with its own storage and databases: not-a-matrix-client, its databases untouched', async () => {
    const o = newOrigin();
    o.localStorage.seed('theme', 'dark');
    o.localStorage.seed('access_token', 'not-ours');
    await new Promise<void>((resolve, reject) => {
      const r = o.indexedDB.open('keyval-store', 3);
      r.onupgradeneeded = () => r.result.createObjectStore('keyval');
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
      r.onerror = () => reject(r.error);
    });
    const { result, opened } = await read(o);
    expectError(result, 'not-a-matrix-client');
    assert.equal(opened, false);
  });

  it('a Cinny- or Hydrogen-shaped page holding a token in clear: not-a-matrix-client, never a guess', async () => {
    const o = newOrigin();
    o.localStorage.seed('matrixSessions', JSON.stringify([{ baseUrl: HS, userId: USER, deviceId: DEVICE, accessToken: TOKEN }]));
    o.localStorage.seed('hydrogen_sessions_v1', JSON.stringify([{ id: '1', deviceId: DEVICE, userId: USER, homeserver: HS, accessToken: TOKEN }]));
    const { result } = await read(o);
    expectError(result, 'not-a-matrix-client');
  });
});

describe('readElementSession: browser edges', () => {
  it('a database listed by databases() but gone when opened: the accidental creation is aborted, nothing is left behind', async () => {
    const o = newOrigin();
    o.localStorage.seed('mx_hs_url', HS);
    o.localStorage.seed('mx_user_id', USER);
    o.localStorage.seed('mx_has_access_token', 'true');
    const stale = (f: IDBFactory): IDBFactory => ({
      open: (name: string) => f.open(name),
      databases: async () => [{ name: 'matrix-react-sdk', version: 1 }],
      deleteDatabase: (name: string) => f.deleteDatabase(name),
      cmp: (a: unknown, b: unknown) => f.cmp(a, b),
    });
    const { result } = await read(o, { wrapFactory: stale, expectAbortedUpgrade: true });
    expectError(result, 'read-failed', /disappeared/);
    assert.deepEqual(await dbNames(o), []);
  });

  it('closes its connection at once when Element upgrades the database mid-read (onversionchange): the upgrade is never blocked', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    closeElement(o);
    let upgrade: Promise<boolean> | undefined;
    const racing: IDBFactory = {
      open: (name: string) => {
        const request = o.indexedDB.open(name);
        // Runs before the reader's own onsuccess handler: Element (another tab) starts an upgrade now.
        request.addEventListener('success', () => {
          upgrade = new Promise<boolean>((resolve, reject) => {
            const r = o.indexedDB.open('matrix-react-sdk', 2);
            let blocked = false;
            r.onblocked = () => (blocked = true);
            r.onsuccess = () => {
              r.result.close();
              resolve(blocked);
            };
            r.onerror = () => reject(r.error);
          });
        });
        return request;
      },
      databases: () => o.indexedDB.databases(),
      deleteDatabase: (name: string) => o.indexedDB.deleteDatabase(name),
      cmp: (a: unknown, b: unknown) => o.indexedDB.cmp(a, b),
    };
    const raw = await runInPage(source, { localStorage: o.localStorage, indexedDB: racing });
    assert.ok(upgrade, 'the reader opened the database');
    assert.equal(await upgrade, false, 'the upgrade was blocked by the reader');
    const v = validateSessionReadResult(raw);
    assert.ok(v.ok);
    // Either it read before closing, or it was closed under it and says so; never anything else.
    if (!v.value.ok) assert.equal(v.value.error.code, 'read-failed');
    else assert.equal(v.value.value.accessToken, TOKEN);
  });

  it('IndexedDB that never answers: read-failed after the timeout', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const hanging = (f: IDBFactory): IDBFactory => ({
      open: (name: string) => f.open(name),
      databases: () => new Promise<IDBDatabaseInfo[]>(() => {}),
      deleteDatabase: (name: string) => f.deleteDatabase(name),
      cmp: (a: unknown, b: unknown) => f.cmp(a, b),
    });
    const t0 = Date.now();
    const { result } = await read(o, { wrapFactory: hanging, args: [{ timeoutMs: 50 }] });
    expectError(result, 'read-failed', /in time/);
    assert.ok(Date.now() - t0 < 2000);
    closeElement(o);
  });

  it('a browser without databases(): read-failed rather than opening blind', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const old = (f: IDBFactory) => ({ open: (name: string) => f.open(name), deleteDatabase: (name: string) => f.deleteDatabase(name), cmp: (a: unknown, b: unknown) => f.cmp(a, b) }) as unknown as IDBFactory;
    const { result, opened } = await read(o, { wrapFactory: old });
    expectError(result, 'read-failed', /list/);
    assert.equal(opened, false);
    closeElement(o);
  });

  it('no IndexedDB at all: the localStorage token is still read', async () => {
    const o = newOrigin();
    legacyElementLogin(o, ALICE);
    const { result } = await read(o, { noIndexedDB: true });
    assert.equal(expectOk(result).accessToken, TOKEN);
  });

  it('a page-realm iv stored as an ArrayBuffer and a ciphertext as a Uint8Array are both copied and used', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const rec = (await idbLoad(o, 'pickleKey', [USER, DEVICE])) as { encrypted: ArrayBuffer; iv: Uint8Array; cryptoKey: CryptoKey };
    await idbSave(o, 'pickleKey', [USER, DEVICE], { encrypted: new Uint8Array(rec.encrypted), iv: rec.iv.slice().buffer, cryptoKey: rec.cryptoKey });
    const { result } = await read(o);
    assert.equal(expectOk(result).accessToken, TOKEN);
    closeElement(o);
  });
});

describe('readElementSession: the function itself', () => {
  it('is self-contained: its source names no import, require, bundler helper or logging', async () => {
    assert.doesNotMatch(source, /\bimport\b|\brequire\s*\(|__name|__require|console\./);
    assert.match(source, /^async function readElementSession\(/);
  });

  it('uses WebCrypto only (no library), never writes storage, and never names the refresh token or the session lock', () => {
    const text = readFileSync(new URL('../../src/content/readElementSession.ts', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(text, /@noble|from '\.\.\/core|setItem|removeItem|\.clear\(|\.put\(|\.add\(|\.delete\(|deleteDatabase|readwrite|mx_refresh_token|react_sdk_session_lock/);
    assert.match(text, /\.open\(name\)/, 'opens without a version');
  });

  it('the build keeps function names unwrapped (a keepNames helper would break the injected function)', () => {
    const build = readFileSync(new URL('../../build.mjs', import.meta.url), 'utf8');
    assert.doesNotMatch(build, /keepNames\s*:\s*true/);
  });

  it('wipes the key material it handled: pickle key bytes, derived keys and the decrypted buffers are zero afterwards', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const seen: { what: string; bytes: Uint8Array }[] = [];
    const view = (b: BufferSource): Uint8Array => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    const real = webcrypto.subtle;
    const subtle = {
      importKey: (format: 'raw', key: BufferSource, ...rest: unknown[]) => {
        seen.push({ what: `importKey ${JSON.stringify(rest[0])}`, bytes: view(key) });
        return (real.importKey as (...a: unknown[]) => Promise<CryptoKey>)(format, key, ...rest);
      },
      deriveBits: async (...a: unknown[]) => {
        const out = await (real.deriveBits as (...a: unknown[]) => Promise<ArrayBuffer>)(...a);
        seen.push({ what: 'deriveBits result', bytes: new Uint8Array(out) });
        return out;
      },
      decrypt: async (...a: unknown[]) => {
        const out = await (real.decrypt as (...a: unknown[]) => Promise<ArrayBuffer>)(...a);
        seen.push({ what: `decrypt ${JSON.stringify((a[0] as { name: string }).name)} result`, bytes: new Uint8Array(out) });
        return out;
      },
      verify: (...a: unknown[]) => (real.verify as (...a: unknown[]) => Promise<boolean>)(...a),
    };
    const raw = await runInPage(source, { localStorage: o.localStorage, indexedDB: o.indexedDB, crypto: { subtle } as unknown as Crypto });
    closeElement(o);
    assert.equal((raw as { value?: { accessToken?: string } }).value?.accessToken, TOKEN);
    // 2 HKDF imports, AES-CTR and HMAC imports; 2 deriveBits; AES-GCM and AES-CTR decryptions.
    assert.equal(seen.length, 8, seen.map((s) => s.what).join('; '));
    for (const s of seen) assert.ok(s.bytes.length > 0 && s.bytes.every((b) => b === 0), `not wiped: ${s.what}`);
  });

  it('Firefox: WebCrypto results are page-realm buffers whose views deny `constructor` (so no slice/subarray); the token is still read, every result wiped', async () => {
    // In a Firefox content script `crypto` is the page's: `new Uint8Array(result)` is a page-realm
    // view, and slice/subarray (which look up its constructor) throw "Permission denied to access
    // property "constructor"" (client-storage.md §7). Here: results of the page's WebCrypto are
    // marked, and the realm's Uint8Array makes views over them deny `constructor` the same way.
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const fromPage = new WeakSet<ArrayBuffer>();
    const results: ArrayBuffer[] = [];
    const real = webcrypto.subtle;
    const mark = async (p: Promise<ArrayBuffer>) => {
      const out = await p;
      fromPage.add(out);
      results.push(out);
      return out;
    };
    const subtle = {
      importKey: (...a: unknown[]) => (real.importKey as (...a: unknown[]) => Promise<CryptoKey>)(...a),
      deriveBits: (...a: unknown[]) => mark((real.deriveBits as (...a: unknown[]) => Promise<ArrayBuffer>)(...a)),
      decrypt: (...a: unknown[]) => mark((real.decrypt as (...a: unknown[]) => Promise<ArrayBuffer>)(...a)),
      verify: (...a: unknown[]) => (real.verify as (...a: unknown[]) => Promise<boolean>)(...a),
    };
    let denied = 0;
    class XrayUint8Array extends Uint8Array {
      constructor(...args: unknown[]) {
        super(...(args as [ArrayBuffer]));
        if (args[0] instanceof ArrayBuffer && fromPage.has(args[0]))
          Object.defineProperty(this, 'constructor', {
            get() {
              denied++;
              throw new Error('Permission denied to access property "constructor"');
            },
          });
      }
    }
    // The emulation bites: slicing such a view throws.
    const probe = await mark(real.digest('SHA-256', new Uint8Array(1)));
    assert.throws(() => new XrayUint8Array(probe).slice(0, 1), /Permission denied/);
    results.length = 0;
    denied = 0;
    const raw = await runInPage(source, { localStorage: o.localStorage, indexedDB: o.indexedDB, crypto: { subtle } as unknown as Crypto, globals: { Uint8Array: XrayUint8Array } });
    closeElement(o);
    assert.equal((raw as { value?: { accessToken?: string }; error?: unknown }).value?.accessToken, TOKEN, JSON.stringify(raw));
    assert.equal(denied, 0, 'the reader looked up the constructor of a page-realm view');
    // AES-GCM (pickle key), two HKDF deriveBits, AES-CTR (token): all wiped in the page's buffers too.
    assert.equal(results.length, 4);
    for (const r of results) assert.ok(new Uint8Array(r).every((b) => b === 0), 'a WebCrypto result was not wiped');
  });

  it('wipes nothing it does not own and leaves WebCrypto usable (sanity: a second read gives the same result)', async () => {
    const o = newOrigin();
    await elementLogin(o, ALICE);
    const a = await read(o);
    const b = await read(o);
    assert.deepEqual(a.result, b.result);
    assert.ok(webcrypto.subtle);
    closeElement(o);
  });
});
