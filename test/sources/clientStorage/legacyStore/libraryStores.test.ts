/**
 * The legacy-store reader against stores WRITTEN BY THE REAL LIBRARY (./fixtures/buildLegacyStore.ts:
 * matrix-js-sdk 36.2.0's legacy crypto on libolm 3.2.15). Per store:
 * - Element's session is written the way Element writes it (test/content/elementWebWrite.ts), the
 *   library writes its store with Element's pickle key (or none: "DEFAULT_KEY");
 * - `readLegacyStore` runs from its source text in another realm, and must not break Element
 *   (client-storage.md §7): nothing written or created, no version passed, every connection
 *   closed, read-only transactions, localStorage read only for `mx_user_id` / `mx_device_id`;
 * - the pure decoder turns the dump and the pickle key into `local`, compared with what the library
 *   reports through its own API: device keys (the Olm account's identity keys), cross-signing public
 *   keys (and the public keys of the private keys its cache callbacks read back), the backup key,
 *   session count, every session's room, ID, sender key, first known index and backup state,
 *   identities (master key, crossSigningVerifiedBefore), the withheld code.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalView } from '../../../../src/core/snapshot/snapshot.ts';
import type { LegacyStoreReadResult } from '../../../../src/sources/clientStorage/legacyStore/readLegacyStore.ts';
import { readLegacyLocalView } from '../../../../src/sources/clientStorage/legacyStore/localView.ts';
import type { LegacyStoreContents } from '../../../../src/sources/clientStorage/legacyStore/decodeLegacyStore.ts';
import { FakeLocalStorage, closeElement, dumpIndexedDB, elementLogin, isClosed, newOrigin, recordIndexedDB } from '../../../content/elementWebStorage.ts';
import { buildLegacyStore, type BuiltLegacyStore } from './fixtures/buildLegacyStore.ts';
import { legacyReaderSource, runLegacyReaderInPage } from './pageRealm.ts';

interface Built {
  readonly store: BuiltLegacyStore;
  readonly origin: { localStorage: FakeLocalStorage; indexedDB: IDBFactory };
  readonly pickleKey: string | undefined;
}

const USER = '@alice:example.org';
const DEVICE = 'ALICELEGACY';

async function elementWithLegacyStore(withPickleKey: boolean): Promise<Built> {
  const origin = newOrigin();
  const { pickleKey } = await elementLogin(
    origin,
    { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_YWxpY2U_token_0123456789' },
    withPickleKey ? {} : { noWebCrypto: true },
  );
  closeElement(origin);
  const store = await buildLegacyStore({ factory: origin.indexedDB, ...(pickleKey ? { pickleKey } : {}) });
  return { store, origin: { localStorage: origin.localStorage, indexedDB: origin.indexedDB }, pickleKey };
}

/** Runs the reader from its source in another realm and checks everything it must never do. */
export async function readPage(origin: Built['origin'], args: unknown[] = []): Promise<LegacyStoreReadResult> {
  const ls = origin.localStorage;
  const lsBefore = ls.entries();
  const idbBefore = await dumpIndexedDB(origin.indexedDB);
  ls.reads.length = 0;
  const { value, log } = await recordIndexedDB(origin.indexedDB, (factory) => runLegacyReaderInPage({ localStorage: ls, indexedDB: factory }, args));
  assert.deepEqual(log.writes, [], 'IndexedDB was written');
  assert.deepEqual(ls.writes, [], 'localStorage was written');
  assert.deepEqual(ls.entries(), lsBefore, 'localStorage changed');
  assert.deepEqual(await dumpIndexedDB(origin.indexedDB), idbBefore, 'IndexedDB changed');
  for (const open of log.opens) assert.equal(open.withVersion, false, `opened ${open.name} with a version`);
  for (const db of log.connections) assert.ok(isClosed(db), 'a connection was left open');
  for (const tx of log.transactions) assert.equal(tx.mode, 'readonly', 'a transaction was not read-only');
  assert.ok(ls.reads.every((k) => k === 'mx_user_id' || k === 'mx_device_id'), `read localStorage keys it has no business with: ${ls.reads.join(', ')}`);
  return value as LegacyStoreReadResult;
}

const byId = <T extends { sessionId: string }>(l: readonly T[]) => [...l].sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1));

for (const withPickleKey of [true, false]) {
  describe(`legacy libolm store written by matrix-js-sdk 36.2.0 + libolm 3.2.15, ${withPickleKey ? 'with Element’s pickle key' : 'without a pickle key (DEFAULT_KEY)'}`, () => {
    let b: Built;
    let read: LegacyStoreReadResult;
    let local: LocalView;
    let contents: LegacyStoreContents;

    before(async () => {
      await legacyReaderSource();
      b = await elementWithLegacyStore(withPickleKey);
      read = await readPage(b.origin);
      assert.ok(read.ok, `the reader failed: ${JSON.stringify(read)}`);
      const view = readLegacyLocalView(read.value.dump, read.value.pickleKey, { userId: USER });
      assert.ok(view.ok, `the decoder failed: ${JSON.stringify(view)}`);
      local = view.value.local;
      contents = view.value.contents;
    });

    it('reads the pickle key Element keeps, or none', () => {
      assert.ok(read.ok);
      assert.equal(read.value.pickleKey, withPickleKey ? b.pickleKey : null);
      assert.equal(contents.pickleKeyUsed, withPickleKey ? 'given' : 'default');
      assert.equal(read.value.dump.version, 11, 'js-sdk 36 writes version 11');
    });

    it('reports an unmigrated libolm client', () => {
      assert.equal(contents.stack, 'libolm');
      assert.equal(contents.migrationState, 0);
      assert.equal(local.client, 'element-web legacy libolm store v11');
    });

    it('reads our device keys from the Account pickle (= the Olm account’s identity_keys)', () => {
      assert.deepEqual(local.deviceKeys, b.store.expected.deviceKeys);
    });

    it('derives the cross-signing public keys from the cached private keys (= the library’s keys and its cache)', () => {
      assert.deepEqual(local.crossSigning, b.store.expected.crossSigning);
      assert.deepEqual(local.crossSigning, b.store.expected.cachedCrossSigning);
      assert.equal(contents.trustedCrossSigning?.master, b.store.expected.crossSigning.master);
      assert.deepEqual(contents.cachedKeyForms, { master: 'encrypted', self_signing: 'encrypted', user_signing: 'encrypted', 'm.megolm_backup.v1': 'encrypted' });
    });

    it('derives the backup public key from the cached backup key (= PkDecryption of the library’s key)', () => {
      assert.deepEqual(local.backupKey, { publicKey: b.store.expected.backupPublicKey });
    });

    it('lists every session with its room, sender, first known index and backup state', () => {
      const got = Object.entries(local.sessions ?? {}).flatMap(([roomId, l]) => l.map((s) => ({ roomId, ...s })));
      assert.equal(got.length, b.store.expected.sessionCount);
      assert.deepEqual(byId(got), byId(b.store.expected.sessions));
      assert.equal(read.ok && read.value.dump.sessions.total, b.store.expected.sessionCount);
    });

    it('counts sessions per room exactly, and those not backed up', () => {
      const want: Record<string, { total: number; notBackedUp: number }> = {};
      for (const s of b.store.expected.sessions) {
        const c = (want[s.roomId] ??= { total: 0, notBackedUp: 0 });
        c.total++;
        if (!s.backedUp) c.notBackedUp++;
      }
      assert.deepEqual({ ...local.sessionCounts }, want);
      assert.deepEqual(contents.sessionTotals, { total: 5, notBackedUp: 2 });
      assert.ok(contents.complete.sessions && contents.complete.sessionCounts);
    });

    it('reads the withheld record', () => {
      const want: Record<string, Record<string, { code: string }>> = {};
      for (const w of b.store.expected.withheld) (want[w.roomId] ??= {})[w.sessionId] = { code: w.code };
      assert.deepEqual(JSON.parse(JSON.stringify(local.withheld)), want);
      assert.equal(b.store.expected.withheld.length, 1);
    });

    it('reads the identities the client holds, with crossSigningVerifiedBefore as previouslyVerified', () => {
      const ids = JSON.parse(JSON.stringify(local.identities)) as Record<string, { masterKey: string; previouslyVerified: boolean; verified?: boolean }>;
      for (const [u, e] of Object.entries(b.store.expected.identities)) {
        assert.equal(ids[u]?.masterKey, e.masterKey, `${u}'s master key`);
        assert.equal(ids[u]?.previouslyVerified, e.previouslyVerified, `${u}'s previouslyVerified`);
        if (u !== USER) assert.equal(ids[u]?.previouslyVerified, e.trustApi, `${u}'s previouslyVerified = the library's wasCrossSigningVerified()`);
      }
      assert.deepEqual(Object.keys(ids).sort(), Object.keys(b.store.expected.identities).sort());
      assert.equal(b.store.expected.identities['@bob:example.org']?.trustApi, true, 'the fixture verified bob');
      assert.equal(b.store.expected.identities['@carol:example.org']?.trustApi, false, 'and not carol');
      assert.equal(ids[USER]?.verified, true, 'our own identity is the one the client trusts');
      assert.equal(ids['@bob:example.org']?.verified, undefined, 'others’ verification is not stored');
    });

    it('reports no problem with any record', () => {
      assert.deepEqual(contents.problems, {});
    });
  });
}
