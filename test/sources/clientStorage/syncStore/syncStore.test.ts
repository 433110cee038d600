/**
 * The sync-store reader against a store WRITTEN BY THE REAL LIBRARY: matrix-js-sdk 37.5.0's own
 * `IndexedDBStore` (the local backend Element's worker runs), on fake-indexeddb, fed a /sync
 * response through its SyncAccumulator (`setSyncData`), lazy-loaded members through
 * `setOutOfBandMembers`, and saved with `save(true)` — exactly the calls its sync loop makes.
 * Then:
 * - `readSyncStore` runs from its source text in another realm and must not break Element
 *   (client-storage.md §7): nothing written or created, no version passed, every connection
 *   closed, read-only transactions, no localStorage access;
 * - what we decode is compared with what the library reads back through its own API
 *   (`getSavedSync`, `getOutOfBandMembers`): the account data, the joined rooms, and the joined
 *   members of encrypted rooms as the library's state says;
 * - an unknown schema, a missing store and hostile dumps give typed results.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { IndexedDBStore } from 'matrix-js-sdk/lib/store/indexeddb.js';
import { injectedFunctionSource, runInPage } from '../../../content/pageRealm.ts';
import { FakeLocalStorage, dumpIndexedDB, isClosed, recordIndexedDB } from '../../../content/elementWebStorage.ts';
import type { SyncStoreDump, SyncStoreReadResult } from '../../../../src/sources/clientStorage/syncStore/dump.ts';
import { decodeSyncStore } from '../../../../src/sources/clientStorage/syncStore/decodeSyncStore.ts';

// js-sdk's backend uses the global IDBKeyRange (getOutOfBandMembers), as a browser has it.
(globalThis as { IDBKeyRange?: unknown }).IDBKeyRange ??= IDBKeyRange;

const ALICE = '@alice:hs.test';
const DB = 'riot-web-sync';

const member = (userId: string, membership: string, extra: object = {}) => ({ type: 'm.room.member', state_key: userId, sender: userId, content: { membership }, event_id: `$m-${userId}-${membership}-${Math.random()}`, origin_server_ts: 1, ...extra });
const encryption = { type: 'm.room.encryption', state_key: '', sender: ALICE, content: { algorithm: 'm.megolm.v1.aes-sha2' }, event_id: '$enc', origin_server_ts: 1 };
const message = (n: number) => ({ type: 'm.room.encrypted', sender: ALICE, content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x', session_id: 's' }, event_id: `$msg${n}`, origin_server_ts: 2 });

/** Account data as the server sends it in /sync. */
const ACCOUNT_DATA = [
  { type: 'm.secret_storage.default_key', content: { key: 'KEYID' } },
  { type: 'm.secret_storage.key.KEYID', content: { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', iv: 'AAAAAAAAAAAAAAAAAAAAAA', mac: 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } },
  { type: 'm.cross_signing.master', content: { encrypted: { KEYID: { iv: 'a', ciphertext: 'b', mac: 'c' } } } },
  { type: 'm.megolm_backup.v1', content: { encrypted: { KEYID: { iv: 'd', ciphertext: 'e', mac: 'f' } } } },
  { type: 'm.direct', content: { '@bob:hs.test': ['!private:hs.test'] } },
  { type: 'm.push_rules', content: { global: {} } },
];

const SYNC = {
  next_batch: 's1',
  account_data: { events: ACCOUNT_DATA },
  rooms: {
    join: {
      // Encrypted; members in state, more in the timeline: carol joins, dave joins then leaves.
      '!team:hs.test': {
        state: { events: [encryption, member(ALICE, 'join'), member('@bob:hs.test', 'join')] },
        timeline: { events: [message(1), member('@carol:hs.test', 'join'), member('@dave:hs.test', 'join'), message(2), member('@dave:hs.test', 'leave')], prev_batch: 'p1', limited: false },
      },
      // Not encrypted: eve is not someone we share an encrypted room with.
      '!lobby:hs.test': {
        state: { events: [member(ALICE, 'join'), member('@eve:hs.test', 'join')] },
        timeline: { events: [], prev_batch: 'p2' },
      },
      // Encrypted, lazy loading: the sync state knows alice, and bob (left); the rest come out of band.
      '!big:hs.test': {
        state: { events: [encryption, member(ALICE, 'join'), member('@bob:hs.test', 'leave')] },
        timeline: { events: [message(3)], prev_batch: 'p3' },
      },
    },
  },
};

/** Out-of-band members of !big: frank joined, gina only invited; bob "join" here is older than the sync state's "leave". */
const OOB = [member('@frank:hs.test', 'join'), member('@gina:hs.test', 'invite'), member('@bob:hs.test', 'join')].map((e) => ({ ...e, room_id: '!big:hs.test' }));

interface Written {
  readonly indexedDB: IDBFactory;
  readonly saved: { accountData: { type: string; content: unknown }[]; roomsData: { join: Record<string, unknown> } };
  readonly oob: Record<string, unknown[] | null>;
}

/** The library writes the store, closes it, and reads it back through its own API. */
async function writeWithLibrary(opts: { sync?: boolean } = {}): Promise<Written> {
  const indexedDB = new IDBFactory();
  const store = new IndexedDBStore({ indexedDB: indexedDB as unknown as globalThis.IDBFactory, dbName: DB, localStorage: new FakeLocalStorage() });
  await store.startup();
  if (opts.sync !== false) {
    await store.setSyncData(SYNC as never);
    await store.setOutOfBandMembers('!big:hs.test', OOB as never);
    await store.save(true);
  }
  // Read back through the library's own API (getSavedSync reads the database, not memory).
  const saved = ((await store.getSavedSync()) ?? { accountData: [], roomsData: { join: {} } }) as unknown as Written['saved'];
  const oob: Record<string, unknown[] | null> = {};
  for (const room of Object.keys(saved.roomsData.join ?? {})) oob[room] = (await store.getOutOfBandMembers(room)) as unknown[] | null;
  await store.destroy();
  return { indexedDB, saved, oob };
}

/** Runs the reader from its source in another realm and checks everything it must never do. */
async function readPage(indexedDB: IDBFactory, args: unknown[] = []): Promise<SyncStoreReadResult> {
  const ls = new FakeLocalStorage();
  const before = await dumpIndexedDB(indexedDB);
  const source = await injectedFunctionSource('src/sources/clientStorage/syncStore/readSyncStore.ts', 'readSyncStore');
  const { value, log } = await recordIndexedDB(indexedDB, (factory) => runInPage(source, { localStorage: ls, indexedDB: factory }, args));
  assert.deepEqual(log.writes, [], 'IndexedDB was written');
  assert.deepEqual(await dumpIndexedDB(indexedDB), before, 'IndexedDB changed');
  for (const open of log.opens) assert.equal(open.withVersion, false, `opened ${open.name} with a version`);
  for (const db of log.connections) assert.ok(isClosed(db), 'a connection was left open');
  for (const tx of log.transactions) assert.equal(tx.mode, 'readonly', 'a transaction was not read-only');
  assert.deepEqual(ls.reads, [], 'read localStorage');
  return value as SyncStoreReadResult;
}

/** Joined members of encrypted rooms, by the library's own saved state (state_after when present). */
function libraryMembers(w: Written): string[] {
  const users = new Set<string>();
  for (const [roomId, room] of Object.entries(w.saved.roomsData.join)) {
    const r = room as Record<string, { events: { type: string; state_key?: string; content: { membership?: string } }[] } | undefined>;
    const state = r['org.matrix.msc4222.state_after']?.events ?? [];
    if (!state.some((e) => e.type === 'm.room.encryption' && e.state_key === '')) continue;
    const inState = new Map<string, string>();
    for (const e of state) if (e.type === 'm.room.member' && e.state_key) inState.set(e.state_key, e.content.membership ?? '');
    // Out-of-band members never replace one the sync state has (js-sdk RoomState.setOutOfBandMember).
    for (const e of (w.oob[roomId] ?? []) as { state_key: string; content: { membership: string } }[]) if (!inState.has(e.state_key)) inState.set(e.state_key, e.content.membership);
    for (const [u, m] of inState) if (m === 'join') users.add(u);
  }
  users.delete(ALICE);
  return [ALICE, ...[...users].sort()];
}

describe('syncStore: a store written by matrix-js-sdk 37.5.0 IndexedDBStore', () => {
  let written: Written;
  let result: SyncStoreReadResult;
  before(async () => {
    written = await writeWithLibrary();
    result = await readPage(written.indexedDB);
  });

  it('is read without writing, creating, versioning or leaving a connection open', () => {
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.dbName, `matrix-js-sdk:${DB}`);
    assert.equal(result.value.version, 4, 'js-sdk 37.5.0 writes schema 4');
    assert.equal(result.value.saved, true);
  });

  it('copies only the secret-storage, cross-signing and backup account data, equal to what the library saved', () => {
    assert.ok(result.ok);
    const libraryView = Object.fromEntries(written.saved.accountData.filter((e) => !['m.direct', 'm.push_rules'].includes(e.type)).map((e) => [e.type, e.content]));
    assert.deepEqual(result.value.accountData, libraryView);
    assert.ok(!('m.direct' in result.value.accountData), 'm.direct (who you talk to) must not be copied');
    const decoded = decodeSyncStore(result.value, ALICE);
    assert.ok(decoded.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded.value.accountData)), libraryView);
  });

  it('finds the joined members of encrypted rooms as the library’s own state says (state_after, timeline, out-of-band members)', () => {
    assert.ok(result.ok);
    const decoded = decodeSyncStore(result.value, ALICE);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.rooms.users, libraryMembers(written));
    // And by hand: bob (team), carol (joined in the timeline), frank (out of band); not dave (left), eve (unencrypted room), gina (invited).
    assert.deepEqual(decoded.value.rooms.users, [ALICE, '@bob:hs.test', '@carol:hs.test', '@frank:hs.test']);
    assert.equal(decoded.value.rooms.joined, Object.keys(written.saved.roomsData.join).length);
    assert.equal(decoded.value.rooms.encrypted, 2);
  });

  it('says which encrypted rooms never had their members loaded (lazy loading), instead of claiming everyone', () => {
    assert.ok(result.ok);
    const decoded = decodeSyncStore(result.value, ALICE);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.gaps, ['1 encrypted room whose member list the client never loaded (lazy loading): people who have not spoken there recently are missing']);
  });

  it('reads an older client’s layout (state at the start of the timeline, no state_after) by applying the timeline', () => {
    assert.ok(result.ok);
    const old: SyncStoreDump = { ...result.value, rooms: result.value.rooms.map((r) => ({ ...r, stateAfter: null })) };
    const decoded = decodeSyncStore(old, ALICE);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.rooms.users, [ALICE, '@bob:hs.test', '@carol:hs.test', '@frank:hs.test']);
  });

  it('a store the client never saved: no rooms, and the report is told so', async () => {
    const w = await writeWithLibrary({ sync: false });
    const r = await readPage(w.indexedDB);
    assert.ok(r.ok);
    assert.equal(r.value.saved, false);
    const decoded = decodeSyncStore(r.value, ALICE);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.rooms.users, [ALICE]);
    assert.match(decoded.value.gaps.join('\n'), /had not saved its sync data/);
  });
});

describe('syncStore: what it refuses', () => {
  it('no sync store: "no-store", and nothing is opened (so nothing is created)', async () => {
    const indexedDB = new IDBFactory();
    const r = await readPage(indexedDB);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'no-store');
    assert.deepEqual(await indexedDB.databases(), []);
  });

  it('a newer schema: "schema-too-new" with its version, and nothing read from it', async () => {
    const indexedDB = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(`matrix-js-sdk:${DB}`, 9);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('accountData', { keyPath: ['type'] });
        req.result.createObjectStore('sync', { keyPath: ['clobber'] });
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const r = await readPage(indexedDB);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'schema-too-new');
    assert.equal(r.error.version, 9);
    assert.match(r.error.message, /version 9, newer than the version 5/);
  });

  it('ignores the crypto stores when choosing the sync store, and picks Element’s among several', async () => {
    const indexedDB = new IDBFactory();
    for (const name of ['matrix-js-sdk:crypto', 'matrix-js-sdk::matrix-sdk-crypto'])
      await new Promise<void>((resolve) => {
        const req = indexedDB.open(name, 1);
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
      });
    const none = await readPage(indexedDB);
    assert.ok(!none.ok && none.error.code === 'no-store');
  });

  it('hostile dumps: a typed error naming where, never a throw', () => {
    const good: SyncStoreDump = { format: 'crosscheck-sync-store-dump/1', dbName: 'x', version: 4, accountData: {}, saved: true, rooms: [], roomsTotal: 0, oob: [], oobRead: 0, oobTotal: 0, oobLoaded: [] };
    const cases: [unknown, RegExp][] = [
      [null, /top level/],
      [{ ...good, format: 'other' }, /"format"/],
      [{ ...good, rooms: [{ roomId: '!r', stateAfter: null, state: [['x', 'a', 'b']], timeline: [] }] }, /"rooms"\[0\]/],
      [{ ...good, rooms: 'no' }, /"rooms"/],
      [{ ...good, roomsTotal: -1 }, /"roomsTotal"/],
      [{ ...good, oob: [['!r', 5, 'join']] }, /"oob"\[0\]/],
      [{ ...good, accountData: { 'm.cross_signing.master': 'not an object' } }, /not a JSON object/],
      [{ ...good, accountData: [] }, /"accountData"/],
    ];
    for (const [input, where] of cases) {
      const r = decodeSyncStore(input, ALICE);
      assert.ok(!r.ok, JSON.stringify(input));
      assert.equal(r.error.code, 'bad-dump');
      assert.match(r.error.message, where);
    }
    assert.ok(decodeSyncStore(good, ALICE).ok);
  });

  it('a member list from the page cannot smuggle in something that is not a user ID', () => {
    const dump: SyncStoreDump = {
      format: 'crosscheck-sync-store-dump/1', dbName: 'x', version: 4, accountData: {}, saved: true, roomsTotal: 1, oob: [], oobRead: 0, oobTotal: 0, oobLoaded: ['!r'],
      rooms: [{ roomId: '!r', stateAfter: [['e', '', 'm.megolm.v1.aes-sha2'], ['m', 'not a user', 'join'], ['m', '@ok:hs', 'join']], state: [], timeline: [] }],
    };
    const r = decodeSyncStore(dump, ALICE);
    assert.ok(r.ok);
    assert.deepEqual(r.value.rooms.users, [ALICE, '@ok:hs']);
  });
});
