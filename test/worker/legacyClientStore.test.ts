/**
 * The Worker decodes the client's legacy libolm store (`kind: 'legacy'`), read only when the page
 * has no rust store: a store written by matrix-js-sdk 36.2.0 + libolm 3.2.15 itself
 * (test/sources/clientStorage/legacyStore/fixtures/buildLegacyStore.ts) with Element's pickle key,
 * read by `readLegacyStore` from its source text in another realm, handed over as the background
 * hands it (dump JSON + pickle key). The Account pickle names no device, so the store is used only
 * when its device keys are the ones the snapshot publishes for the session; a store left over from
 * a migration to rust crypto is said to be so, never shown as current.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { handleWorkerRequest } from '../../src/worker/handleRequest.ts';
import type { LegacyStoreRead } from '../../src/sources/clientStorage/legacyStore/readLegacyStore.ts';
import { buildLegacyStore, type BuiltLegacyStore } from '../sources/clientStorage/legacyStore/fixtures/buildLegacyStore.ts';
import { runLegacyReaderInPage } from '../sources/clientStorage/legacyStore/pageRealm.ts';
import { newOrigin, elementLogin, closeElement } from '../content/elementWebStorage.ts';

const USER = '@alice:example.org';
const DEVICE = 'ALICELEGACY';
const NOW = '2026-12-04T15:00:00Z';

/** The snapshot's own device as /keys/query lists it (only its identity keys matter to the match). */
function snapshotJson(deviceKeys: { ed25519: string; curve25519: string }, publishedAs = DEVICE): string {
  const deviceId = publishedAs;
  const device = { user_id: USER, device_id: deviceId, algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'], keys: { [`ed25519:${deviceId}`]: deviceKeys.ed25519, [`curve25519:${deviceId}`]: deviceKeys.curve25519 } };
  return JSON.stringify({ format: 'crosscheck-snapshot/1', userId: USER, deviceId: DEVICE, keysQuery: { device_keys: { [USER]: { [deviceId]: device } } } });
}

describe('worker/handleRequest with a legacy libolm client store', () => {
  let store: BuiltLegacyStore;
  let read: LegacyStoreRead;
  before(async () => {
    const origin = newOrigin();
    const { pickleKey } = await elementLogin(origin, { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_x_token_0123456789' });
    closeElement(origin);
    assert.ok(pickleKey, 'Element wrote no pickle key');
    store = await buildLegacyStore({ factory: origin.indexedDB, pickleKey });
    const r = (await runLegacyReaderInPage({ localStorage: origin.localStorage, indexedDB: origin.indexedDB })) as { ok: boolean; value?: LegacyStoreRead };
    assert.ok(r.ok && r.value, JSON.stringify(r));
    assert.equal(r.value.pickleKey, pickleKey);
    read = r.value;
  });

  const request = (id: string, snapshot: string, dump: unknown = read.dump, extra: object = {}) => ({
    kind: 'audit',
    id,
    snapshotJson: snapshot,
    now: NOW,
    clientStore: { kind: 'legacy', dumpJson: JSON.stringify(dump), ...(read.pickleKey ? { pickleKey: read.pickleKey } : {}), ...extra },
  });

  it('decodes the legacy store into local when its device keys are this session’s, and names the legacy store', async () => {
    const r = await handleWorkerRequest(request('l1', snapshotJson(store.expected.deviceKeys)), {});
    assert.ok(r.result.ok, r.result.ok ? '' : r.result.error.message);
    const cs = r.result.value.clientStore;
    assert.ok(cs, `no clientStore; not checked: ${r.result.value.notChecked.join(' | ')}`);
    assert.match(cs.client, /legacy libolm store v11/);
    assert.equal(cs.thisSession, 'matches');
    assert.equal(cs.sessions?.total, store.expected.sessionCount);
    assert.ok(!r.result.value.notChecked.some((n) => n.startsWith("this browser's client store")), r.result.value.notChecked.join(' | '));
  });

  it('does not use a legacy store whose device keys are not the session’s (the pickle names no device)', async () => {
    const other = { ed25519: 'A'.repeat(43), curve25519: 'B'.repeat(43) };
    const r = await handleWorkerRequest(request('l2', snapshotJson(other)), {});
    assert.ok(r.result.ok);
    assert.equal(r.result.value.clientStore, undefined);
    assert.ok(
      r.result.value.notChecked.some((n) => n.startsWith("this browser's client store: the legacy (libolm) crypto store belongs to another device")),
      r.result.value.notChecked.join(' | '),
    );
  });

  it('does not use it when the snapshot publishes no keys for the session’s device (only another device’s)', async () => {
    const r = await handleWorkerRequest(request('l3', snapshotJson(store.expected.deviceKeys, 'OTHERDEVICE')), {});
    assert.ok(r.result.ok);
    assert.equal(r.result.value.clientStore, undefined);
    assert.ok(r.result.value.notChecked.some((n) => /cannot be matched to this session: the homeserver publishes no device keys for ALICELEGACY/.test(n)), r.result.value.notChecked.join(' | '));
  });

  it('says a migrated client’s leftover legacy store is leftover, rather than presenting it as current', async () => {
    // The library's dump with js-sdk's migrationState set to MEGOLM_SESSIONS_MIGRATED (3), as the migration leaves it.
    const d = JSON.parse(JSON.stringify(read.dump)) as { account: { records: [string, unknown][] } };
    d.account.records = d.account.records.filter(([k]) => k !== 'migrationState');
    d.account.records.push(['migrationState', { j: 3 }]);
    const r = await handleWorkerRequest(request('l4', snapshotJson(store.expected.deviceKeys), d), {});
    assert.ok(r.result.ok);
    assert.equal(r.result.value.clientStore, undefined);
    assert.ok(r.result.value.notChecked.some((n) => /migrated to rust crypto: that store is leftover data/.test(n)), r.result.value.notChecked.join(' | '));
  });

  it('with the wrong pickle key does not use the store', async () => {
    const r = await handleWorkerRequest(request('l5', snapshotJson(store.expected.deviceKeys), read.dump, { pickleKey: 'A'.repeat(43) }), {});
    assert.ok(r.result.ok);
    assert.equal(r.result.value.clientStore, undefined);
    assert.ok(r.result.value.notChecked.some((n) => n.startsWith("this browser's client store:")), r.result.value.notChecked.join(' | '));
  });

  it('rejects an unknown store kind', async () => {
    const r = await handleWorkerRequest(request('l6', snapshotJson(store.expected.deviceKeys), read.dump, { kind: 'olm' }), {});
    assert.ok(!r.result.ok);
    assert.equal(r.result.error.code, 'bad-request');
  });
});
