/**
 * `crosscheck audit --snapshot S --client-store F --pickle-key-file K` when the client has only a
 * legacy libolm store: the client-store file's `legacy` part (readLegacyStore's dump of a store
 * written by matrix-js-sdk 36.2.0 + libolm 3.2.15 itself, test/sources/clientStorage/legacyStore/
 * fixtures/buildLegacyStore.ts) is used because `rust` is unavailable; the report's client view
 * names the legacy store. Without a snapshot the offline audit is refused with a clear line (the
 * legacy decoder does not expose the signed device and identity JSON an offline snapshot needs).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Io } from '../../src/cli/main.ts';
import type { LegacyStoreRead } from '../../src/sources/clientStorage/legacyStore/readLegacyStore.ts';
import { buildLegacyStore, type BuiltLegacyStore } from '../sources/clientStorage/legacyStore/fixtures/buildLegacyStore.ts';
import { runLegacyReaderInPage } from '../sources/clientStorage/legacyStore/pageRealm.ts';
import { newOrigin, elementLogin, closeElement } from '../content/elementWebStorage.ts';

const USER = '@alice:example.org';
const DEVICE = 'ALICELEGACY';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (s) => (out += s), stderr: (s) => (err += s), readStdin: async () => new Uint8Array(), env: {}, now: () => new Date('2026-12-04T12:00:00Z') };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('cli audit --client-store with a legacy libolm store', () => {
  let dir: string;
  let store: BuiltLegacyStore;
  let read: LegacyStoreRead;
  const file = (name: string) => join(dir, name);
  const write = (name: string, v: unknown) => writeFileSync(file(name), typeof v === 'string' ? v : JSON.stringify(v));
  const snapshot = (keys: { ed25519: string; curve25519: string }) => ({
    format: 'crosscheck-snapshot/1',
    userId: USER,
    deviceId: DEVICE,
    keysQuery: { device_keys: { [USER]: { [DEVICE]: { user_id: USER, device_id: DEVICE, algorithms: ['m.megolm.v1.aes-sha2'], keys: { [`ed25519:${DEVICE}`]: keys.ed25519, [`curve25519:${DEVICE}`]: keys.curve25519 } } } } },
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crosscheck-cli-legacy-'));
    const origin = newOrigin();
    const { pickleKey } = await elementLogin(origin, { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_x_token_0123456789' });
    closeElement(origin);
    assert.ok(pickleKey);
    store = await buildLegacyStore({ factory: origin.indexedDB, pickleKey });
    const r = (await runLegacyReaderInPage({ localStorage: origin.localStorage, indexedDB: origin.indexedDB })) as { ok: boolean; value?: LegacyStoreRead };
    assert.ok(r.ok && r.value && r.value.pickleKey);
    read = r.value;
    write('key.txt', `${read.pickleKey}\n`);
    const envelope = { format: 'crosscheck-client-store/1', userId: USER, deviceId: DEVICE, homeserver: 'https://matrix.example.org', rust: { unavailable: 'This page has no rust crypto store.' }, sync: { unavailable: 'not read' } };
    write('store.json', { ...envelope, legacy: { dump: read.dump } });
    write('store-nolegacy.json', { ...envelope, legacy: { unavailable: 'This page has no legacy (libolm) crypto store.' } });
    write('store-badlegacy.json', { ...envelope, legacy: 7 });
    write('snap.json', snapshot(store.expected.deviceKeys));
    write('snap-other.json', snapshot({ ed25519: 'A'.repeat(43), curve25519: 'B'.repeat(43) }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the legacy part when rust is unavailable: report.clientStore names the legacy store', async () => {
    const r = await cli(['audit', '--snapshot', file('snap.json'), '--client-store', file('store.json'), '--pickle-key-file', file('key.txt'), '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const report = JSON.parse(r.out) as { clientStore?: { client: string; thisSession: string; sessions?: { total: number } }; notChecked: string[] };
    assert.ok(report.clientStore, report.notChecked.join(' | '));
    assert.match(report.clientStore.client, /legacy libolm store v11/);
    assert.equal(report.clientStore.thisSession, 'matches');
    assert.equal(report.clientStore.sessions?.total, store.expected.sessionCount);
  });

  it('does not use a legacy store whose device keys are not the snapshot’s own device’s', async () => {
    const r = await cli(['audit', '--snapshot', file('snap-other.json'), '--client-store', file('store.json'), '--pickle-key-file', file('key.txt'), '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const report = JSON.parse(r.out) as { clientStore?: unknown; notChecked: string[] };
    assert.equal(report.clientStore, undefined);
    assert.ok(report.notChecked.some((n) => /legacy \(libolm\) crypto store belongs to another device/.test(n)), report.notChecked.join(' | '));
  });

  it('refuses an offline audit from a legacy-only store with one clear line', async () => {
    const r = await cli(['audit', '--client-store', file('store.json'), '--pickle-key-file', file('key.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /store\.json: an offline audit needs the signed device and identity keys the rust crypto store keeps, and this client has only a legacy \(libolm\) store/);
    assert.equal(r.err.trim().split('\n').length, 1);
  });

  it('says why when neither store could be read, and checks the legacy part’s shape', async () => {
    const none = await cli(['audit', '--snapshot', file('snap.json'), '--client-store', file('store-nolegacy.json'), '--json']);
    assert.ok(none.code === 0 || none.code === 1, none.err);
    const report = JSON.parse(none.out) as { notChecked: string[] };
    assert.ok(report.notChecked.some((n) => /no rust crypto store\.; the legacy \(libolm\) store: This page has no legacy/.test(n)), report.notChecked.join(' | '));
    const bad = await cli(['audit', '--snapshot', file('snap.json'), '--client-store', file('store-badlegacy.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /"legacy" must be an object with "dump" or "unavailable"/);
  });
});
