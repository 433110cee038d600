/**
 * The rust-store reader against stores WRITTEN BY THE REAL LIBRARY (./fixtures/buildStore.ts):
 * every matrix-sdk-crypto-wasm build and keying mode Element has shipped, including stores in
 * the legacy value encoding and stores an update left mixed. Per store:
 * - Element's session is written the way Element writes it (test/content/elementWebWrite.ts), the
 *   library writes its crypto store with Element's pickle key, the page is "reloaded";
 * - `readRustStore` runs from its source text in another realm, and must not break Element
 *   (client-storage.md §7): nothing written or created, no version passed, every connection
 *   closed, read-only transactions, localStorage read only for `mx_user_id` / `mx_device_id`;
 * - the pure decoder turns the dump and the pickle key into `local`, and that is compared with
 *   what the library reports through its own API: device keys, cross-signing public keys (and
 *   which private keys are cached), backup version and public key, session counts (total and
 *   backed up), every session's room, ID, sender key and first known index, identities (master
 *   key, verification flags), the withheld code;
 * - the full audit runs on the snapshot the "server" and the store make together.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from '../../../../src/core/audit.ts';
import { parseStrictJson } from '../../../../src/core/json/strictJson.ts';
import type { LocalView } from '../../../../src/core/snapshot/snapshot.ts';
import { validateRustStoreDump } from '../../../../src/sources/clientStorage/rustStore/dump.ts';
import type { RustStoreReadResult } from '../../../../src/sources/clientStorage/rustStore/readRustStore.ts';
import { readLocalView } from '../../../../src/sources/clientStorage/rustStore/localView.ts';
import type { RustStoreContents, StoreKeying } from '../../../../src/sources/clientStorage/rustStore/decodeRustStore.ts';
import { MAX_SCHEMA_VERSION, MIN_SCHEMA_VERSION } from '../../../../src/sources/clientStorage/rustStore/schema.ts';
import { webCryptoPbkdf2Sha256 } from '../../../../src/sources/clientStorage/rustStore/webCryptoPbkdf2.ts';
import { FakeLocalStorage, closeElement, dumpIndexedDB, elementLogin, isClosed, newOrigin, recordIndexedDB } from '../../../content/elementWebStorage.ts';
import { buildStore, BOB, CAROL, DAVE, DEVICE, USER, type BuiltStore, type StoreRecipe } from './fixtures/buildStore.ts';
import { describeIndexedDB } from './fixtures/idb.ts';
import { readerSource, runReaderInPage } from './pageRealm.ts';

interface Case extends StoreRecipe {
  /** Why this store is covered. */
  readonly why: string;
  readonly expect: { readonly keying: StoreKeying; readonly schema: number; readonly encodings: 'current' | 'legacy' | 'mixed' | 'unencrypted' };
}

const CASES: Case[] = [
  { name: '18.9.0 by key', creator: '18.9.0', mode: 'key', why: 'Element today (js-sdk 43): openWithKey exports "HkdfSha256"', expect: { keying: 'key-hkdf-sha256', schema: 107, encodings: 'current' } },
  { name: '18.9.0 by passphrase', creator: '18.9.0', mode: 'passphrase', why: 'the current library’s passphrase path (PBKDF2 export, current encoding)', expect: { keying: 'passphrase-pbkdf2', schema: 107, encodings: 'current' } },
  { name: '18.9.0 without a key', creator: '18.9.0', mode: 'none', why: 'a session without a pickle key (and Cinny): unencrypted store, plain keys', expect: { keying: 'unencrypted', schema: 107, encodings: 'unencrypted' } },
  { name: '18.6.0 by key', creator: '18.6.0', mode: 'key', why: 'js-sdk 42: the last build whose openWithKey exports "None"', expect: { keying: 'key-hkdf', schema: 107, encodings: 'current' } },
  { name: '14.2.1 by key', creator: '14.2.1', mode: 'key', why: 'js-sdk 37 (mid-2025): schema 12, withheld keys still in direct_withheld_info', expect: { keying: 'key-hkdf', schema: 12, encodings: 'current' } },
  { name: '6.0.0 by key', creator: '6.0.0', mode: 'key', why: 'js-sdk 34 (late 2024): schema 10, every value in the legacy byte-array encoding', expect: { keying: 'key-hkdf', schema: 10, encodings: 'legacy' } },
  { name: '4.9.0 by passphrase', creator: '4.9.0', mode: 'passphrase', why: 'Element before June 2024 (js-sdk 32): the pickle key as a passphrase, schema 10, legacy encoding', expect: { keying: 'passphrase-pbkdf2', schema: 10, encodings: 'legacy' } },
  {
    name: '4.9.0 by passphrase, then 18.9.0 by key',
    creator: '4.9.0',
    mode: 'passphrase',
    reopen: { version: '18.9.0', mode: 'key' },
    why: 'an early-2024 Element user today: the export rewrapped to "HkdfSha256", schema 10 → 107, old records left legacy',
    expect: { keying: 'key-hkdf-sha256', schema: 107, encodings: 'mixed' },
  },
  {
    name: '6.0.0 by key, then 18.9.0 by key',
    creator: '6.0.0',
    mode: 'key',
    reopen: { version: '18.9.0', mode: 'key' },
    why: 'a late-2024 Element user today: the "None" export is kept, records mixed',
    expect: { keying: 'key-hkdf', schema: 107, encodings: 'mixed' },
  },
];

interface Built {
  readonly c: Case;
  readonly store: BuiltStore;
  readonly origin: { localStorage: FakeLocalStorage; indexedDB: IDBFactory };
  readonly pickleKey: string | undefined;
}

/** Element logs in (pickle key, token), then the library writes its crypto store with that key. */
async function elementWithStore(c: Case): Promise<Built> {
  const origin = newOrigin();
  const { pickleKey } = await elementLogin(
    origin,
    { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_YWxpY2U_token_0123456789' },
    c.mode === 'none' ? { noWebCrypto: true } : {},
  );
  closeElement(origin);
  const store = await buildStore(c, { factory: origin.indexedDB, ...(pickleKey ? { pickleKey } : {}) });
  return { c, store, origin: { localStorage: origin.localStorage, indexedDB: store.factory as unknown as IDBFactory }, pickleKey };
}

/** Runs the reader from its source in another realm and checks everything it must never do. */
async function readPage(b: Built, args: unknown[] = []): Promise<RustStoreReadResult> {
  const ls = b.origin.localStorage;
  const lsBefore = ls.entries();
  const idbBefore = await dumpIndexedDB(b.origin.indexedDB);
  ls.reads.length = 0;
  const { value, log } = await recordIndexedDB(b.origin.indexedDB, (factory) => runReaderInPage({ localStorage: ls, indexedDB: factory }, args));
  assert.deepEqual(log.writes, [], 'IndexedDB was written');
  assert.deepEqual(ls.writes, [], 'localStorage was written');
  assert.deepEqual(ls.entries(), lsBefore, 'localStorage changed');
  assert.deepEqual(await dumpIndexedDB(b.origin.indexedDB), idbBefore, 'IndexedDB changed');
  for (const open of log.opens) assert.equal(open.withVersion, false, `opened ${open.name} with a version`);
  for (const db of log.connections) assert.ok(isClosed(db), 'a connection was left open');
  for (const tx of log.transactions) assert.equal(tx.mode, 'readonly', 'a transaction was not read-only');
  assert.ok(
    ls.reads.every((k) => k === 'mx_user_id' || k === 'mx_device_id'),
    `read localStorage keys it has no business with: ${ls.reads.join(', ')}`,
  );
  return value as RustStoreReadResult;
}

/** A JSON copy (the decoder's maps have no prototype). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const byId = <T extends { sessionId: string }>(l: readonly T[]) => [...l].sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1));

describe('rust crypto store written by matrix-sdk-crypto-wasm', () => {
  before(async () => {
    await readerSource();
  });

  for (const c of CASES) {
    describe(`${c.name} — ${c.why}`, () => {
      let b: Built;
      let read: RustStoreReadResult;
      let local: LocalView;
      let contents: RustStoreContents;
      before(async () => {
        b = await elementWithStore(c);
        read = await readPage(b);
        assert.ok(read.ok, read.ok ? '' : `${read.error.code}: ${read.error.message}`);
        const lv = await readLocalView(read.value.dump, read.value.pickleKey, { userId: USER, deviceId: DEVICE, pbkdf2: webCryptoPbkdf2Sha256 });
        assert.ok(lv.ok, lv.ok ? '' : `${lv.error.code}: ${lv.error.message}`);
        local = lv.value.local;
        contents = lv.value.contents;
      });

      it('reads the store without breaking Element, and returns plain JSON the decoder accepts', () => {
        assert.ok(read.ok);
        assert.ok(validateRustStoreDump(read.value.dump).ok);
        assert.equal(read.value.pickleKey, c.mode === 'none' ? null : b.pickleKey, 'the pickle key is Element’s');
        assert.equal(read.value.dump.schemaVersion, c.expect.schema);
        assert.ok(read.value.dump.schemaVersion >= MIN_SCHEMA_VERSION && read.value.dump.schemaVersion <= MAX_SCHEMA_VERSION);
      });

      it('unwraps the store cipher the way the library keyed it, and decodes every record', async () => {
        assert.equal(contents.keying, c.expect.keying);
        assert.deepEqual(contents.problems, {}, 'no record failed to decode');
        const e = contents.encodings;
        switch (c.expect.encodings) {
          case 'current':
            assert.deepEqual(Object.keys(e), ['current']);
            break;
          case 'legacy':
            // Sessions were always MaybeEncrypted (schema 10's inbound_group_sessions3); the rest is legacy.
            assert.ok((e.legacy ?? 0) > 0 && !('unencrypted' in e), JSON.stringify(e));
            break;
          case 'mixed':
            assert.ok((e.legacy ?? 0) > 0 && (e.current ?? 0) > 0, JSON.stringify(e));
            break;
          case 'unencrypted':
            assert.deepEqual(Object.keys(e), ['unencrypted']);
            break;
        }
        const shapes = await describeIndexedDB(b.store.factory);
        assert.ok(Object.keys(shapes).some((db) => db.endsWith(`::matrix-sdk-crypto@${c.expect.schema}`)), JSON.stringify(Object.keys(shapes)));
      });

      it('gives our device keys as the library reports them (derived from the account’s private keys)', () => {
        assert.deepEqual(local.deviceKeys, b.store.library.deviceKeys);
        assert.equal(contents.ownDeviceRecord, 'matches');
      });

      it('gives the cross-signing public keys of the cached private keys as the library reports them', () => {
        const lib = b.store.library;
        assert.ok(lib.crossSigning, 'the library has an own identity');
        assert.deepEqual(lib.crossSigningStatus, { hasMaster: true, hasSelfSigning: true, hasUserSigning: true });
        assert.deepEqual(local.crossSigning, lib.crossSigning);
      });

      it('gives the backup version and the public key of the cached backup key as the library reports them', () => {
        const lib = b.store.library.backup;
        assert.ok(lib);
        assert.deepEqual(local.backupKey, { version: lib.version, publicKey: lib.publicKey });
      });

      it('counts sessions and backed-up sessions as the library does, and lists each as exportRoomKeys does', () => {
        const lib = b.store.library;
        assert.equal(contents.sessionTotals.total, lib.roomKeyCounts.total);
        assert.equal(contents.sessionTotals.total - contents.sessionTotals.notBackedUp, lib.roomKeyCounts.backedUp);
        const ours = Object.fromEntries(
          Object.entries(local.sessions ?? {}).map(([room, l]) => [room, byId(l).map((s) => ({ sessionId: s.sessionId, senderKey: s.senderKey, firstKnownIndex: s.firstKnownIndex }))]),
        );
        const theirs = Object.fromEntries(Object.entries(lib.sessions).map(([room, l]) => [room, byId(l)]));
        assert.deepEqual(ours, theirs);
        for (const [room, l] of Object.entries(lib.sessions)) assert.equal(local.sessionCounts?.[room]?.total, l.length, room);
        const notBackedUp = Object.values(local.sessionCounts ?? {}).reduce((n, x) => n + x.notBackedUp, 0);
        assert.equal(notBackedUp, lib.roomKeyCounts.total - lib.roomKeyCounts.backedUp);
        assert.equal(contents.complete.sessions, true);
      });

      it('gives identities as the library reports them: master keys, our own verified, Bob’s verification violation', () => {
        const lib = b.store.library.identities;
        assert.deepEqual(Object.keys(local.identities).sort(), Object.keys(lib).sort());
        for (const [user, id] of Object.entries(lib)) {
          const ours = local.identities[user];
          assert.equal(ours?.masterKey, id.masterKey, user);
          // Stores from before the library kept the flag read as "not recorded"; a later library says false.
          if (id.wasPreviouslyVerified !== undefined) assert.equal(ours?.previouslyVerified ?? false, id.wasPreviouslyVerified, `${user} previously verified`);
        }
        assert.equal(local.identities[USER]?.verified, b.store.library.ownIdentity?.isVerified);
        assert.equal(local.identities[USER]?.verified, true);
        // Bob was verified, then reset: the library pins his first key until the user accepts the new one.
        const bob = contents.identities[BOB];
        assert.ok(bob?.kind === 'other');
        if (bob.version === '2') {
          assert.equal(lib[BOB]?.hasVerificationViolation, true);
          assert.ok(local.identities[BOB]?.pinnedMasterKey !== undefined && local.identities[BOB]?.pinnedMasterKey !== lib[BOB]?.masterKey);
        }
        for (const u of [CAROL, DAVE]) assert.equal(local.identities[u]?.pinnedMasterKey, undefined, u);
      });

      it('gives the withheld code the library reports for that session', () => {
        const w = b.store.expected.withheld;
        assert.equal(b.store.library.withheld[w.sessionId], w.code, 'the library reports the code');
        assert.deepEqual(plain(local.withheld), { [w.roomId]: { [w.sessionId]: { code: w.code, sender: w.sender } } });
      });

      it('tracks the users the library tracks', () => {
        assert.deepEqual(Object.keys(contents.trackedUsers).sort(), [BOB, CAROL, DAVE, USER].sort());
      });

      it('anchors the audit on the cached master key and reports the store’s facts', async () => {
        const snapshot = { format: 'crosscheck-snapshot/1', userId: USER, deviceId: DEVICE, keysQuery: b.store.keysQuery, local };
        const parsed = parseStrictJson(JSON.stringify(snapshot));
        assert.ok(parsed.ok);
        const r = await audit(parsed.value, { now: new Date('2026-12-04T15:00:00Z') });
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        const codes = r.value.findings.map((f) => f.code);
        assert.equal(r.value.anchor, 'local-private-key');
        assert.ok(!codes.includes('LOCAL_CROSS_SIGNING_KEYS_MISMATCH'));
        assert.ok(!codes.includes('LOCAL_CROSS_SIGNING_KEYS_MISSING'));
        assert.ok(!codes.includes('OWN_DEVICE_KEYS_MISMATCH'));
        const pending = r.value.findings.find((f) => f.code === 'SESSIONS_NOT_BACKED_UP');
        assert.equal(pending?.evidence['total'], b.store.library.roomKeyCounts.total - b.store.library.roomKeyCounts.backedUp, codes.join(', '));
        const own = r.value.users.find((u) => u.userId === USER);
        assert.equal(own?.identity, 'verified');
        const bob = r.value.users.find((u) => u.userId === BOB);
        // Bob's new identity is not signed by us; the store remembers he was verified before.
        if (local.identities[BOB]?.previouslyVerified) assert.ok(bob?.identity === 'unverified' || bob?.identity === 'changed', bob?.identity);
      });
    });
  }
});
