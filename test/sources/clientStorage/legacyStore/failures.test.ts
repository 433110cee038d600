/**
 * The legacy-store reader and decoder when things are not as they should be: no legacy database
 * (nothing opened), a version it does not know (nothing read, and the decoder refuses), caps, the
 * wrong pickle key, hostile dumps (typed errors, never a throw), a pickle filed under another
 * session, and which stack a migrated client is on. The store comes from the real library
 * (./fixtures/buildLegacyStore.ts); the dumps are mutated copies of what the reader produced.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeLegacyStore } from '../../../../src/sources/clientStorage/legacyStore/decodeLegacyStore.ts';
import { readLegacyLocalView } from '../../../../src/sources/clientStorage/legacyStore/localView.ts';
import { type LegacyStoreDump, validateLegacyStoreDump } from '../../../../src/sources/clientStorage/legacyStore/dump.ts';
import { MAX_LEGACY_VERSION, MIN_LEGACY_VERSION } from '../../../../src/sources/clientStorage/legacyStore/schema.ts';
import { clientStack } from '../../../../src/sources/clientStorage/legacyStore/stack.ts';
import type { LegacyStoreReadResult } from '../../../../src/sources/clientStorage/legacyStore/readLegacyStore.ts';
import { FakeLocalStorage, newOrigin, recordIndexedDB } from '../../../content/elementWebStorage.ts';
import { buildLegacyStore } from './fixtures/buildLegacyStore.ts';
import { runLegacyReaderInPage } from './pageRealm.ts';

const PICKLE_KEY = 'cGlja2xlIGtleSBmb3IgdGhlIGxlZ2FjeSBzdG9yZSB0ZXN0cyEhISEhISE';

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function createDb(factory: IDBFactory, name: string, version: number, stores: string[]): Promise<void> {
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

async function read(factory: IDBFactory, args: unknown[] = []): Promise<{ result: LegacyStoreReadResult; opens: string[] }> {
  const { value, log } = await recordIndexedDB(factory, (f) => runLegacyReaderInPage({ localStorage: new FakeLocalStorage(), indexedDB: f }, args));
  assert.deepEqual(log.writes, [], 'IndexedDB was written');
  return { result: value as LegacyStoreReadResult, opens: log.opens.map((o) => o.name) };
}

describe('readLegacyStore()', () => {
  it('reports "no-store" without opening anything when the page has no legacy database, and names the rust stores', async () => {
    const origin = newOrigin();
    await createDb(origin.indexedDB, 'matrix-js-sdk::matrix-sdk-crypto', 107, ['core']);
    const { result, opens } = await read(origin.indexedDB);
    assert.deepEqual(opens, [], 'opened a database');
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error.code === 'no-store');
    assert.deepEqual(!result.ok && result.error.rustStores, ['matrix-js-sdk::matrix-sdk-crypto']);
    assert.deepEqual((await origin.indexedDB.databases()).map((d) => d.name), ['matrix-js-sdk::matrix-sdk-crypto'], 'created a database');
  });

  it('refuses a version it does not know before opening the database', async () => {
    const origin = newOrigin();
    await createDb(origin.indexedDB, 'matrix-js-sdk:crypto', MAX_LEGACY_VERSION + 1, ['account', 'device_data', 'inbound_group_sessions', 'sessions_needing_backup', 'inbound_group_sessions_withheld']);
    const { result, opens } = await read(origin.indexedDB);
    assert.deepEqual(opens, []);
    assert.ok(!result.ok && result.error.code === 'unsupported-version' && result.error.version === MAX_LEGACY_VERSION + 1);
  });

  it('reports "storage-corrupt" for a database that lacks the stores every version has', async () => {
    const origin = newOrigin();
    await createDb(origin.indexedDB, 'matrix-js-sdk:crypto', 11, ['account']);
    const { result } = await read(origin.indexedDB);
    assert.ok(!result.ok && result.error.code === 'storage-corrupt');
  });

  it('keeps its version range equal to the decoder’s (the function cannot import it)', () => {
    const src = readFileSync(new URL('../../../../src/sources/clientStorage/legacyStore/readLegacyStore.ts', import.meta.url), 'utf8');
    assert.match(src, new RegExp(`const MIN_VERSION = ${MIN_LEGACY_VERSION};`));
    assert.match(src, new RegExp(`const MAX_VERSION = ${MAX_LEGACY_VERSION};`));
  });
});

describe('legacy store with caps, wrong keys and hostile dumps', () => {
  let dump: LegacyStoreDump;
  let factory: IDBFactory;

  before(async () => {
    const built = await buildLegacyStore({ pickleKey: PICKLE_KEY });
    factory = built.factory;
    const { result } = await read(factory);
    assert.ok(result.ok, JSON.stringify(result));
    dump = result.value.dump;
  });

  it('copies sessions up to the cap but still counts every one per room', async () => {
    const { result } = await read(factory, [{ maxRecords: { sessions: 2 } }]);
    assert.ok(result.ok);
    assert.equal(result.value.dump.sessions.records.length, 2);
    const decoded = decodeLegacyStore(result.value.dump, PICKLE_KEY);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.complete.sessions, false);
    assert.equal(decoded.value.complete.sessionCounts, true);
    const full = decodeLegacyStore(dump, PICKLE_KEY);
    assert.ok(full.ok);
    assert.deepEqual(copy(decoded.value.sessionCounts), copy(full.value.sessionCounts));
  });

  it('says when the count cap stopped the count', async () => {
    const { result } = await read(factory, [{ maxRecords: { countedSessions: 3 } }]);
    assert.ok(result.ok);
    assert.equal(result.value.dump.sessions.counted, 3);
    const decoded = decodeLegacyStore(result.value.dump, PICKLE_KEY);
    assert.ok(decoded.ok && decoded.value.complete.sessionCounts === false);
  });

  it('returns "wrong-pickle-key" when neither the key given nor DEFAULT_KEY opens the Account pickle', () => {
    const r = decodeLegacyStore(dump, 'not-the-pickle-key-not-the-pickle-key-0000');
    assert.ok(!r.ok && r.error.code === 'wrong-pickle-key');
    const none = decodeLegacyStore(dump, null);
    assert.ok(!none.ok && none.error.code === 'wrong-pickle-key');
  });

  it('returns "unsupported store version N" for a version outside the known range', () => {
    for (const version of [MIN_LEGACY_VERSION - 1, MAX_LEGACY_VERSION + 1, 100]) {
      const r = decodeLegacyStore({ ...copy(dump), version }, PICKLE_KEY);
      assert.ok(!r.ok && r.error.code === 'unsupported-store-version' && r.error.version === version);
      assert.match(!r.ok ? r.error.message : '', new RegExp(`unsupported store version ${version}`));
    }
  });

  it('rejects malformed dumps with typed errors, never a throw', () => {
    const hostile: unknown[] = [
      null,
      'dump',
      [],
      { ...copy(dump), format: 'crosscheck-legacy-store-dump/2' },
      { ...copy(dump), version: -1 },
      { ...copy(dump), dbName: 'x'.repeat(10_000) },
      { ...copy(dump), rustStores: [1] },
      { ...copy(dump), account: { records: [['-', { j: 'a', b: 'b' }]], total: 1 } },
      { ...copy(dump), account: { records: [['-', { b: 'not base64!' }]], total: 1 } },
      { ...copy(dump), sessions: { ...copy(dump.sessions), buckets: [['!r:x', 1, 2]] } },
      { ...copy(dump), sessions: { ...copy(dump.sessions), counted: dump.sessions.total + 1 } },
      { ...copy(dump), sessions: { ...copy(dump.sessions), records: new Array(200_001).fill({ j: null }) } },
      { ...copy(dump), needingBackup: { keys: [['a']], total: 1 } },
      { ...copy(dump), withheld: { records: 'all', total: 0 } },
      { ...copy(dump), crossSigningInfo: { records: [[1, { j: {} }]], total: 1 } },
    ];
    for (const h of hostile) {
      const r = decodeLegacyStore(h, PICKLE_KEY);
      assert.ok(!r.ok, `accepted ${JSON.stringify(h)?.slice(0, 120)}`);
      assert.ok(r.error.code === 'bad-dump' || r.error.code === 'unsupported-store-version');
      assert.equal(validateLegacyStoreDump(h).ok, false);
    }
  });

  it('counts malformed records as problems and leaves their part unknown', () => {
    const d = copy(dump) as unknown as { account: { records: [string, unknown][] }; sessions: { records: unknown[] }; withheld: { records: unknown[] } };
    const master = d.account.records.find(([k]) => k === 'ssss_cache:master');
    assert.ok(master);
    const enc = (master[1] as { j: { mac: string } }).j;
    enc.mac = enc.mac.startsWith('A') ? `B${enc.mac.slice(1)}` : `A${enc.mac.slice(1)}`;
    d.sessions.records.push({ j: { sessionId: 'nope' } });
    d.withheld.records.push({ j: { session: {} } });
    const r = decodeLegacyStore(d, PICKLE_KEY);
    assert.ok(r.ok);
    assert.equal(r.value.crossSigning.master, undefined, 'an undecryptable cache is unknown, not absent');
    assert.equal(typeof r.value.crossSigning.selfSigning, 'string');
    assert.deepEqual(copy(r.value.problems), { account: { 'ssss_cache:mac-mismatch': 1 }, inbound_group_sessions: { 'unexpected-shape': 1 }, inbound_group_sessions_withheld: { 'unexpected-shape': 1 } });
    const view = readLegacyLocalView(d, PICKLE_KEY);
    assert.ok(view.ok && view.value.local.crossSigning && !('master' in view.value.local.crossSigning));
  });

  it('refuses a session whose pickle is another session’s', () => {
    const d = copy(dump) as unknown as { sessions: { records: { j: { sessionId: string; session: { session: string } } }[] } };
    const [a, b] = d.sessions.records;
    assert.ok(a && b);
    a.j.session.session = b.j.session.session;
    const r = decodeLegacyStore(d, PICKLE_KEY);
    assert.ok(r.ok);
    assert.deepEqual(copy(r.value.problems), { inbound_group_sessions: { inconsistent: 1 } });
    const listed = Object.values(r.value.sessions).flat().map((s) => s.sessionId);
    assert.ok(!listed.includes(a.j.sessionId) || listed.filter((x) => x === b.j.sessionId).length === 1);
    assert.equal(listed.length, dump.sessions.records.length - 1);
  });

  it('reports the stack: rust store present, migrated, migrating, unmigrated', () => {
    const withState = (n: number | undefined, rust: string[]) => {
      const d = copy(dump) as unknown as { rustStores: string[]; account: { records: [string, unknown][]; total: number } };
      d.rustStores = rust;
      d.account.records = d.account.records.filter(([k]) => k !== 'migrationState');
      if (n !== undefined) d.account.records.push(['migrationState', { j: n }]);
      const r = decodeLegacyStore(d, PICKLE_KEY);
      assert.ok(r.ok);
      return r.value.stack;
    };
    assert.equal(withState(undefined, []), 'libolm');
    assert.equal(withState(0, []), 'libolm');
    assert.equal(withState(2, []), 'libolm-migrating');
    assert.equal(withState(3, []), 'libolm-migrated');
    assert.equal(withState(5, []), 'libolm-migrated');
    assert.equal(withState(0, ['matrix-js-sdk::matrix-sdk-crypto']), 'rust');
    assert.equal(clientStack([], 4), 'libolm-migrated');
  });

  it('never puts a private key or the pickle key in what it returns', () => {
    const r = readLegacyLocalView(dump, PICKLE_KEY, { userId: '@alice:example.org' });
    assert.ok(r.ok);
    const text = JSON.stringify(r.value);
    assert.ok(!text.includes(PICKLE_KEY));
    assert.ok(!/"(iv|ciphertext|mac|session)"/.test(text), 'ciphertext or a pickle leaked into the result');
  });
});
