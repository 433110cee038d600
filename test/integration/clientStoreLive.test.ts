/**
 * `crosscheck audit --client-store` on the seeded account (issue 5): a real matrix-js-sdk 37.5.0
 * client (new device ALICE5) signs in the way Element does (session in Element's layout, rust
 * crypto keyed with Element's pickle key, the sync store `matrix-js-sdk:riot-web-sync` through
 * js-sdk's own IndexedDBStore), on fake-indexeddb, against the seeded Synapse. It fetches the
 * cross-signing keys from secret storage (so it holds them and signs itself), sends one encrypted
 * message (so it holds a message key), and saves its sync data. Then the page readers copy both
 * stores out exactly as the extension does (from their source text, in another realm), and the
 * command line audits:
 * - with the homeserver and the client store: the client's own view in the report and text;
 * - offline, from the client store alone: the same verdicts as the live audit for every user and
 *   device, labelled offline, with what it could not know under "not checked";
 * - without the pickle key, and with an unsupported store version: said as such.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBKeyRange } from 'fake-indexeddb';
import { note, startSeeded, stopSeeded, findingsOf, userIn, deviceIn } from './live.ts';
import type { Seeded } from './seed/scenario.ts';
import { login } from './harness/admin.ts';
import { injectedFunctionSource, runInPage } from '../content/pageRealm.ts';
import { elementLogin, newOrigin, type FakeOrigin } from '../content/elementWebStorage.ts';
import type { Report } from '../../src/core/report/types.ts';
import { run, type Io } from '../../src/cli/main.ts';

const DEVICE = 'ALICE5';

interface Cli {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function cli(argv: string[], env: Record<string, string> = {}): Promise<Cli> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (s) => (out += s), stderr: (s) => (err += s), readStdin: async () => new Uint8Array(), env, now: () => new Date() };
  const code = await run(argv, io);
  return { code, out, err };
}

const fromB64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

describe('crosscheck audit --client-store on a real client’s stores (seeded account)', () => {
  let seeded: Seeded | undefined;
  let origin: FakeOrigin;
  let token: string;
  let dir: string;
  let storeFile: string;
  let keyFile: string;
  let library: { sessions: number; crossSigningCached: boolean };

  before(async () => {
    seeded = await startSeeded('client-store');
    const s = seeded;
    const base = s.hs.baseUrl;
    origin = newOrigin();
    // crypto-wasm and js-sdk's sync store find IndexedDB as globals, as in a page.
    const g = globalThis as { indexedDB?: unknown; IDBKeyRange?: unknown };
    g.indexedDB = origin.indexedDB;
    g.IDBKeyRange ??= IDBKeyRange;

    const creds = await login(base, s.alice.userId, s.alice.A1.password, DEVICE);
    token = creds.accessToken;
    const { pickleKey } = await elementLogin(origin, { homeserverUrl: base, userId: creds.userId, deviceId: DEVICE, accessToken: creds.accessToken });
    assert.ok(pickleKey, 'Element made a pickle key');

    const { ClientEvent, SyncState, createClient } = await import('matrix-js-sdk');
    const { IndexedDBStore } = await import('matrix-js-sdk/lib/store/indexeddb.js');
    const store = new IndexedDBStore({ indexedDB: origin.indexedDB as unknown as IDBFactory, dbName: 'riot-web-sync', localStorage: origin.localStorage });
    const ssssKeys = s.alice.A1.secretStorageKeys;
    const client = createClient({
      baseUrl: base,
      userId: creds.userId,
      deviceId: DEVICE,
      accessToken: creds.accessToken,
      store,
      cryptoCallbacks: {
        getSecretStorageKey: async ({ keys }) => {
          for (const id of Object.keys(keys)) {
            const k = ssssKeys.get(id);
            if (k) return [id, k];
          }
          return null;
        },
      },
    });
    await store.startup();
    await client.initRustCrypto({ storageKey: fromB64(pickleKey) });
    const crypto = client.getCrypto();
    assert.ok(crypto);
    const prepared = new Promise<void>((resolve, reject) => {
      const onSync = (state: string) => {
        if (state === SyncState.Prepared || state === SyncState.Syncing) resolve();
        else if (state === SyncState.Error) reject(new Error('ALICE5: first sync failed'));
      };
      client.on(ClientEvent.Sync, onSync);
    });
    await client.startClient({ initialSyncLimit: 5, lazyLoadMembers: true });
    await prepared;
    try {
      // Our own published identity first (the keys are imported against it), then: read the
      // cross-signing keys from secret storage, cache them, and sign this device.
      await crypto.getUserDeviceInfo([s.alice.userId], true);
      await crypto.bootstrapCrossSigning({});
      await client.sendEvent(s.rooms.main, 'm.room.message' as never, { msgtype: 'm.text', body: 'hello from ALICE5' } as never);
      const status = await crypto.getCrossSigningStatus();
      library = { sessions: (await crypto.exportRoomKeys()).length, crossSigningCached: status.privateKeysCachedLocally.masterKey && status.privateKeysCachedLocally.selfSigningKey && status.privateKeysCachedLocally.userSigningKey };
      await store.save(true);
    } finally {
      client.stopClient();
    }
    await new Promise((r) => setTimeout(r, 300)); // let the crypto store finish its writes

    // The extension's page readers, from their source text, in another realm.
    const rust = (await runInPage(await injectedFunctionSource('src/sources/clientStorage/rustStore/readRustStore.ts', 'readRustStore'), { localStorage: origin.localStorage, indexedDB: origin.indexedDB })) as {
      ok: boolean;
      value?: { pickleKey: string | null; dump: unknown };
      error?: { message: string };
    };
    const sync = (await runInPage(await injectedFunctionSource('src/sources/clientStorage/syncStore/readSyncStore.ts', 'readSyncStore'), { localStorage: origin.localStorage, indexedDB: origin.indexedDB })) as {
      ok: boolean;
      value?: unknown;
      error?: { message: string };
    };
    assert.ok(rust.ok && rust.value, `rust store: ${JSON.stringify(rust.error)}`);
    assert.ok(sync.ok, `sync store: ${JSON.stringify(sync.error)}`);
    assert.equal(rust.value.pickleKey, pickleKey, 'the reader found Element’s pickle key');
    dir = mkdtempSync(join(tmpdir(), 'crosscheck-client-store-'));
    storeFile = join(dir, 'client-store.json');
    keyFile = join(dir, 'pickle-key');
    writeFileSync(storeFile, JSON.stringify({ format: 'crosscheck-client-store/1', userId: s.alice.userId, deviceId: DEVICE, homeserver: base, rust: { dump: rust.value.dump }, sync: { dump: sync.value } }));
    writeFileSync(keyFile, `${pickleKey}\n`, { mode: 0o600 });
    note(`ALICE5's stores dumped: ${library.sessions} message key(s), cross-signing keys cached: ${library.crossSigningCached}`);
  });

  after(async () => {
    await stopSeeded(seeded);
  });

  const env = () => ({ CROSSCHECK_ACCESS_TOKEN: token });

  it('with the homeserver: the report carries the client’s own view, and it matches what the library holds', async () => {
    const r = await cli(['audit', '--homeserver', seeded!.hs.baseUrl, '--client-store', storeFile, '--pickle-key-file', keyFile, '--json'], env());
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    const cs = report.clientStore;
    assert.ok(cs, 'no clientStore in the report');
    assert.match(cs.client, /element-web rust-crypto store v\d+/);
    assert.equal(cs.thisSession, 'matches');
    assert.ok(library.crossSigningCached, 'the library says it caches the cross-signing keys');
    assert.deepEqual(cs.crossSigning, { master: 'matches', selfSigning: 'matches', userSigning: 'matches' });
    assert.equal(cs.backupKey, 'not-cached');
    assert.equal(cs.sessions?.total, library.sessions, 'message keys: as many as the library exports');
    assert.equal(report.anchor, 'local-private-key');
    assert.equal(userIn(report, seeded!.alice.userId).identity, 'verified');
    assert.equal(deviceIn(userIn(report, seeded!.alice.userId), DEVICE).status, 'cross-signed');
    const codes = findingsOf(report);
    assert.ok(codes.includes(`BACKUP_KEY_NOT_CACHED ${seeded!.alice.userId}`) || codes.some((c) => c.startsWith('BACKUP_KEY_NOT_CACHED')), codes.join('\n'));
    assert.ok(!codes.some((c) => c.startsWith('OWN_DEVICE_KEYS_MISMATCH') || c.startsWith('LOCAL_CROSS_SIGNING_KEYS_')), codes.join('\n'));
    assert.equal(cs.sessions.notBackedUp > 0, codes.some((c) => c.startsWith('SESSIONS_NOT_BACKED_UP')), 'the finding follows the counts');
    assert.ok(!report.notChecked.some((n) => n.startsWith("this browser's client store")), report.notChecked.join('\n'));
  });

  it('as text: the client’s own store is shown, and the anchor says it is the private key this client holds', async () => {
    const r = await cli(['audit', '--homeserver', seeded!.hs.baseUrl, '--client-store', storeFile, '--pickle-key-file', keyFile], env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /This client's own store \(element-web rust-crypto store v\d+; the page can write it/);
    assert.match(r.out, /this session's keys\s+match the keys the server publishes/);
    assert.match(r.out, /master key\s+held, matches the published key/);
    assert.match(r.out, /backup key\s+not held/);
    assert.match(r.out, /trust rests on the private master key this browser's client holds/);
    assert.ok(!r.out.includes(token) && !r.err.includes(token), 'the access token was printed');
  });

  it('offline, from the client store alone: the live audit’s verdicts for every user and device, labelled offline', async () => {
    const live = JSON.parse((await cli(['audit', '--homeserver', seeded!.hs.baseUrl, '--client-store', storeFile, '--pickle-key-file', keyFile, '--json'], env())).out) as Report;
    const r = await cli(['audit', '--client-store', storeFile, '--pickle-key-file', keyFile, '--json']);
    assert.equal(r.code, 0, r.err);
    const offline = JSON.parse(r.out) as Report;
    assert.equal(offline.capturedFrom, 'client-store');
    assert.equal(offline.anchor, live.anchor);
    const verdicts = (rep: Report) =>
      Object.fromEntries(rep.users.map((u) => [u.userId, { identity: u.identity, masterKey: u.masterKey, devices: Object.fromEntries(u.devices.map((d) => [d.deviceId, `${d.status}${d.verified ? ' verified' : ''}`])) }]));
    const off = verdicts(offline);
    const on = verdicts(live);
    // Everyone the client shares an encrypted room with, per its sync store; the live capture asks the server the same question.
    assert.deepEqual(Object.keys(off).sort(), Object.keys(on).sort());
    for (const userId of Object.keys(on)) assert.deepEqual(off[userId], on[userId], `${userId}: offline and live audits disagree`);
    assert.ok(offline.notChecked.some((n) => n.startsWith('whether the homeserver still serves these keys')), offline.notChecked.join('\n'));
    assert.ok(offline.notChecked.some((n) => n.startsWith('key backup:')), 'the server’s backup is not in the client store: not checked');
    assert.ok(offline.secretStorage.status !== 'not-checked', 'secret storage comes from the sync store’s account data');
    assert.equal(offline.secretStorage.status, live.secretStorage.status);
    const text = await cli(['audit', '--client-store', storeFile, '--pickle-key-file', keyFile]);
    assert.match(text.out, /^Offline: the keys are the ones this client's own store last saw/m);
  });

  it('offline with the recovery key: secret storage is opened from the cached account data', async () => {
    const rk = join(dir, 'recovery-key');
    writeFileSync(rk, seeded!.alice.recoveryKey, { mode: 0o600 });
    const r = await cli(['audit', '--client-store', storeFile, '--pickle-key-file', keyFile, '--recovery-key-file', rk, '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    assert.equal(report.recoveryKey.status, 'correct');
    assert.equal(report.anchor, 'recovery-key');
  });

  it('without the pickle key: the live audit says the client store could not be opened; the offline audit refuses, saying why', async () => {
    const live = await cli(['audit', '--homeserver', seeded!.hs.baseUrl, '--client-store', storeFile, '--json'], env());
    assert.equal(live.code, 0, live.err);
    const report = JSON.parse(live.out) as Report;
    assert.equal(report.clientStore, undefined);
    const line = report.notChecked.find((n) => n.startsWith("this browser's client store:"));
    assert.ok(line, report.notChecked.join('\n'));
    assert.match(line, /pickle key|key/i);
    const offline = await cli(['audit', '--client-store', storeFile]);
    assert.equal(offline.code, 2);
    assert.match(offline.err, /^crosscheck: .*client-store\.json: an offline audit needs the client's crypto store, and it could not be used: /);
  });

  it('an unsupported store version is reported as such, never read', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = JSON.parse(readFileSync(storeFile, 'utf8')) as { rust: { dump: { schemaVersion: number } } };
    doc.rust.dump.schemaVersion = 200;
    const newer = join(dir, 'client-store-v200.json');
    writeFileSync(newer, JSON.stringify(doc));
    const live = await cli(['audit', '--homeserver', seeded!.hs.baseUrl, '--client-store', newer, '--pickle-key-file', keyFile, '--json'], env());
    assert.equal(live.code, 0, live.err);
    const report = JSON.parse(live.out) as Report;
    assert.ok(report.notChecked.some((n) => n.includes('unsupported store version 200')), report.notChecked.join('\n'));
    const offline = await cli(['audit', '--client-store', newer, '--pickle-key-file', keyFile]);
    assert.equal(offline.code, 2);
    assert.match(offline.err, /unsupported store version 200/);
  });

  it('capture --client-store writes a snapshot with `local` and no secret in it', async () => {
    const r = await cli(['capture', '--homeserver', seeded!.hs.baseUrl, '--client-store', storeFile, '--pickle-key-file', keyFile], env());
    assert.equal(r.code, 0, r.err);
    const snap = JSON.parse(r.out) as { local?: { deviceKeys?: unknown }; userId: string };
    assert.ok(snap.local?.deviceKeys, 'no local part');
    const { readFileSync } = await import('node:fs');
    const pickleKey = readFileSync(keyFile, 'utf8').trim();
    assert.ok(!r.out.includes(pickleKey), 'the pickle key is in the snapshot');
    assert.ok(!r.out.includes(token), 'the access token is in the snapshot');
  });
});
