/**
 * What the reader and the decoder do when the store is not what they expect: no store, a schema
 * too new or too old, several stores, missing tables, capped reads, no pickle key, the wrong
 * pickle key, altered or moved records (the page can write its own store: security.md D4). A
 * store this file changes is first written by the real library (18.9.0, by key).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import type { RustStoreDump, RawRecord } from '../../../../src/sources/clientStorage/rustStore/dump.ts';
import type { RustStoreReadResult } from '../../../../src/sources/clientStorage/rustStore/readRustStore.ts';
import { decodeRustStore } from '../../../../src/sources/clientStorage/rustStore/decodeRustStore.ts';
import { readLocalView, toLocalView } from '../../../../src/sources/clientStorage/rustStore/localView.ts';
import { MAX_SCHEMA_VERSION, MIN_SCHEMA_VERSION } from '../../../../src/sources/clientStorage/rustStore/schema.ts';
import { FakeLocalStorage, closeElement, elementLogin, newOrigin, recordIndexedDB } from '../../../content/elementWebStorage.ts';
import { BOB, CAROL, DEVICE, USER, buildStore, type BuiltStore } from './fixtures/buildStore.ts';
import { readerSource, runReaderInPage } from './pageRealm.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const creds = { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_YWxpY2U_token_0123456789' };

/** Creates an (empty) database at `version` with `stores`, the way a page would. */
async function makeDb(factory: IDBFactory, name: string, version: number, stores: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const r = factory.open(name, version);
    r.onupgradeneeded = () => {
      for (const s of stores) r.result.createObjectStore(s);
    };
    r.onsuccess = () => {
      r.result.close();
      resolve();
    };
    r.onerror = () => reject(r.error);
  });
}

async function read(factory: IDBFactory, ls = new FakeLocalStorage(), args: unknown[] = []): Promise<{ result: RustStoreReadResult; opens: string[] }> {
  const { value, log } = await recordIndexedDB(factory, (f) => runReaderInPage({ localStorage: ls, indexedDB: f }, args));
  assert.deepEqual(log.writes, []);
  return { result: value as RustStoreReadResult, opens: log.opens.map((o) => o.name) };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('readRustStore(): stores it must not read', () => {
  before(async () => {
    await readerSource();
  });

  it('reports no-store on a page without a rust crypto store, and opens nothing', async () => {
    const f = new IDBFactory();
    await makeDb(f, 'matrix-react-sdk', 1, ['pickleKey', 'account']);
    const { result, opens } = await read(f);
    assert.ok(!result.ok && result.error.code === 'no-store');
    assert.deepEqual(opens, []);
  });

  it('reports schema-too-new with the version, without opening the store', async () => {
    const f = new IDBFactory();
    await makeDb(f, 'matrix-js-sdk::matrix-sdk-crypto', MAX_SCHEMA_VERSION + 1, ['core']);
    const { result, opens } = await read(f);
    assert.ok(!result.ok && result.error.code === 'schema-too-new', JSON.stringify(result));
    assert.equal(result.error.schemaVersion, MAX_SCHEMA_VERSION + 1);
    assert.match(result.error.message, new RegExp(`schema version ${MAX_SCHEMA_VERSION + 1}`));
    assert.deepEqual(opens, []);
  });

  it('reports schema-unsupported for a schema older than 10', async () => {
    const f = new IDBFactory();
    await makeDb(f, 'matrix-js-sdk::matrix-sdk-crypto', MIN_SCHEMA_VERSION - 1, ['core']);
    const { result } = await read(f);
    assert.ok(!result.ok && result.error.code === 'schema-unsupported');
    assert.equal(result.error.schemaVersion, MIN_SCHEMA_VERSION - 1);
  });

  it('reports storage-corrupt when a known schema lacks its tables', async () => {
    const f = new IDBFactory();
    await makeDb(f, 'matrix-js-sdk::matrix-sdk-crypto', 107, ['core']);
    const { result } = await read(f);
    assert.ok(!result.ok && result.error.code === 'storage-corrupt');
  });

  it('asks which store when there are several and none is Element’s, and reads the one named', async () => {
    const f = new IDBFactory();
    await makeDb(f, 'sync@a:x::matrix-sdk-crypto', 300, ['core']);
    await makeDb(f, 'sync@b:x::matrix-sdk-crypto', 300, ['core']);
    const { result } = await read(f);
    assert.ok(!result.ok && result.error.code === 'ambiguous-store');
    const named = await read(f, new FakeLocalStorage(), [{ prefix: 'sync@b:x' }]);
    assert.ok(!named.result.ok && named.result.error.code === 'schema-too-new', 'the named store was the one checked');
  });

  it('keeps the reader’s schema bounds equal to the decoder’s', () => {
    const src = readFileSync(fileURLToPath(new URL('../../../../src/sources/clientStorage/rustStore/readRustStore.ts', import.meta.url)), 'utf8');
    assert.match(src, new RegExp(`MIN_SCHEMA = ${MIN_SCHEMA_VERSION};`));
    assert.match(src, new RegExp(`MAX_SCHEMA = ${MAX_SCHEMA_VERSION};`));
  });
});

describe('rust store reader and decoder on a store the library wrote (18.9.0 by key)', () => {
  let built: BuiltStore;
  let ls: FakeLocalStorage;
  let dump: RustStoreDump;
  let pickleKey: string;

  before(async () => {
    const origin = newOrigin();
    const login = await elementLogin(origin, creds);
    closeElement(origin);
    assert.ok(login.pickleKey);
    pickleKey = login.pickleKey;
    built = await buildStore({ name: 'failures', creator: '18.9.0', mode: 'key' }, { factory: origin.indexedDB, pickleKey });
    ls = origin.localStorage;
    const r = await read(built.factory as unknown as IDBFactory, ls);
    assert.ok(r.result.ok);
    dump = r.result.value.dump;
  });

  it('caps the records it copies but keeps one per room, and the counts exact', async () => {
    const r = await read(built.factory as unknown as IDBFactory, ls, [{ maxRecords: { sessions: 1, identities: 2 } }]);
    assert.ok(r.result.ok);
    const d = r.result.value.dump;
    assert.equal(d.sessions.total, dump.sessions.total);
    assert.equal(d.sessions.buckets.length, dump.sessions.buckets.length);
    assert.ok(d.sessions.records.length < dump.sessions.records.length);
    assert.equal(d.sessions.records.length, d.sessions.buckets.length, 'one record per room');
    assert.equal(d.identities.records.length, 2);
    const full = await readLocalView(dump, pickleKey, { userId: USER, deviceId: DEVICE });
    const capped = await readLocalView(d, pickleKey, { userId: USER, deviceId: DEVICE });
    assert.ok(full.ok && capped.ok);
    assert.deepEqual(capped.value.local.sessionCounts, full.value.local.sessionCounts);
    assert.equal(capped.value.contents.complete.sessions, false);
    assert.equal(capped.value.contents.complete.identities, false);
    assert.equal(full.value.contents.complete.sessions, true);
  });

  it('returns no pickle key (and says why) when Element has none for the session; the decoder then says no-pickle-key', async () => {
    const origin = { localStorage: ls, indexedDB: built.factory as unknown as IDBFactory };
    // Read with a localStorage naming another device: Element has no pickle key for it.
    const other = new FakeLocalStorage();
    other.seed('mx_user_id', USER);
    other.seed('mx_device_id', 'OTHERDEVICE');
    const r = await read(origin.indexedDB, other);
    assert.ok(r.result.ok);
    assert.equal(r.result.value.pickleKey, null);
    assert.equal(r.result.value.pickleKeyProblem, 'no-record');
    const d = await decodeRustStore(r.result.value.dump, r.result.value.pickleKey);
    assert.ok(!d.ok && d.error.code === 'no-pickle-key');
  });

  it('says wrong-key for another pickle key', async () => {
    const d = await decodeRustStore(dump, 'A'.repeat(42) + 'A');
    assert.ok(!d.ok && d.error.code === 'wrong-key', d.ok ? '' : d.error.code);
  });

  it('says "unsupported store version N" for a dump of an unknown schema, and reads nothing', async () => {
    for (const v of [9, 108, 199]) {
      const d = await decodeRustStore({ ...clone(dump), schemaVersion: v }, pickleKey);
      assert.ok(!d.ok && d.error.code === 'unsupported-store-version');
      assert.equal(d.error.version, v);
      assert.match(d.error.message, new RegExp(`^unsupported store version ${v}\\b`));
    }
  });

  it('refuses a dump that is not one (page data), without throwing', async () => {
    for (const bad of [null, 1, 'x', {}, { ...clone(dump), format: 'other' }, { ...clone(dump), core: { records: [[1, 2]], total: 1 } }, { ...clone(dump), sessions: { ...clone(dump.sessions), buckets: [['b', 1, 2]] } }]) {
      const d = await decodeRustStore(bad, pickleKey);
      assert.ok(!d.ok && d.error.code === 'bad-dump', JSON.stringify(bad).slice(0, 80));
    }
  });

  it('leaves cached cross-signing keys unknown (not "not cached") when private_identity was altered', async () => {
    const d = clone(dump) as unknown as { core: { records: [string, { j: { ciphertext: string } }][] } };
    const rec = d.core.records.find(([k]) => k === 'private_identity');
    assert.ok(rec);
    const ct = rec[1].j.ciphertext;
    rec[1].j.ciphertext = (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1);
    const r = await readLocalView(d, pickleKey, { userId: USER, deviceId: DEVICE });
    assert.ok(r.ok);
    assert.equal(r.value.local.crossSigning, undefined);
    assert.deepEqual(r.value.contents.problems['core'], { 'wrong-key': 1 });
    assert.ok(r.value.local.deviceKeys, 'the rest is still read');
  });

  it('refuses records filed under another user’s key (a page swapping them)', async () => {
    const d = clone(dump) as unknown as { identities: { records: [string, unknown][] } };
    const keys = d.identities.records.map(([k]) => k);
    d.identities.records = d.identities.records.map(([, v], i) => [keys[(i + 1) % keys.length] as string, v]);
    const r = await readLocalView(d, pickleKey, { userId: USER, deviceId: DEVICE });
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.value.local.identities), []);
    assert.equal(r.value.contents.problems['identities']?.['wrong-key-for-record'], keys.length);
  });

  it('refuses a session moved to another room’s bucket', async () => {
    const d = clone(dump) as RustStoreDump & { sessions: { records: RawRecord[] } };
    const [first, second] = d.sessions.buckets;
    assert.ok(first && second);
    const rec = d.sessions.records.find(([k]) => k.startsWith(first[0]));
    assert.ok(rec);
    const moved: RawRecord = [second[0] + rec[0].slice(first[0].length), rec[1]];
    (d.sessions as { records: RawRecord[] }).records = [...d.sessions.records.filter((r) => r !== rec), moved];
    const r = await decodeRustStore(d, pickleKey);
    assert.ok(r.ok);
    assert.equal(r.value.problems['inbound_group_sessions3']?.['wrong-key-for-record'], 1);
  });

  it('says account-mismatch when the store is another session’s, and no-account when it holds none', async () => {
    const r = await decodeRustStore(dump, pickleKey);
    assert.ok(r.ok);
    const m = toLocalView(r.value, { userId: USER, deviceId: 'SOMEOTHER' });
    assert.ok(!m.ok && m.error.code === 'account-mismatch');
    const noAccount = toLocalView({ ...r.value, account: undefined, problems: {} });
    assert.ok(!noAccount.ok && noAccount.error.code === 'no-account');
  });

  it('reads Bob as previously verified with his first key pinned, and Carol as neither', async () => {
    const r = await readLocalView(dump, pickleKey, { userId: USER, deviceId: DEVICE });
    assert.ok(r.ok);
    assert.equal(r.value.local.identities[BOB]?.previouslyVerified, true);
    assert.ok(r.value.local.identities[BOB]?.pinnedMasterKey);
    assert.equal(r.value.local.identities[CAROL]?.previouslyVerified, false);
    assert.equal(r.value.local.identities[CAROL]?.pinnedMasterKey, undefined);
  });
});
