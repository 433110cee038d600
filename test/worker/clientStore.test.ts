/**
 * The Worker decodes the client's own crypto store (issue 5) before the audit: a store written by
 * matrix-sdk-crypto-wasm 18.9.0 itself, read by the injected reader from its source text in another
 * realm, handed over as the background hands it (dump JSON + Element's pickle key).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { handleWorkerRequest } from '../../src/worker/handleRequest.ts';
import { buildStore, USER, DEVICE, type BuiltStore } from '../sources/clientStorage/rustStore/fixtures/buildStore.ts';
import { runReaderInPage } from '../sources/clientStorage/rustStore/pageRealm.ts';
import { newOrigin, elementLogin, closeElement } from '../content/elementWebStorage.ts';

describe('worker/handleRequest with a client store', () => {
  let store: BuiltStore;
  let read: { ok: boolean; value?: { pickleKey: string | null; dump: unknown } };
  before(async () => {
    const origin = newOrigin();
    const { pickleKey } = await elementLogin(origin, { homeserverUrl: 'https://matrix.example.org', userId: USER, deviceId: DEVICE, accessToken: 'syt_x_token_0123456789' });
    closeElement(origin);
    store = await buildStore({ name: 'worker-18.9.0-key', creator: '18.9.0', mode: 'key' }, { factory: origin.indexedDB, ...(pickleKey ? { pickleKey } : {}) });
    read = (await runReaderInPage({ localStorage: origin.localStorage, indexedDB: store.factory as unknown as IDBFactory })) as typeof read;
    assert.ok(read.ok && read.value);
  });

  const snapshotJson = () => JSON.stringify({ format: 'crosscheck-snapshot/1', userId: USER, deviceId: DEVICE, keysQuery: store.keysQuery });

  it('decodes the store into local, anchors on the cached master key and says where the facts came from', async () => {
    const r = await handleWorkerRequest(
      { kind: 'audit', id: 'c1', snapshotJson: snapshotJson(), now: '2026-12-04T15:00:00Z', clientStore: { dumpJson: JSON.stringify(read.value?.dump), pickleKey: read.value?.pickleKey ?? undefined } },
      {},
    );
    assert.ok(r.result.ok, r.result.ok ? '' : r.result.error.message);
    assert.equal(r.result.value.anchor, 'local-private-key');
    assert.match(r.result.value.clientStore?.client ?? '', /rust-crypto store/);
    assert.ok(r.result.value.findings.some((f) => f.code === 'SESSIONS_NOT_BACKED_UP'));
    assert.ok(!r.result.value.notChecked.some((n) => n.startsWith("this browser's client store")));
  });

  it('returns the snapshot it audited, with local and without the pickle key, so a later recovery-key check keeps the client’s view', async () => {
    const r = await handleWorkerRequest(
      { kind: 'audit', id: 'c0', snapshotJson: snapshotJson(), now: '2026-12-04T15:00:00Z', clientStore: { dumpJson: JSON.stringify(read.value?.dump), pickleKey: read.value?.pickleKey ?? undefined } },
      {},
    );
    assert.ok(r.result.ok);
    assert.equal(typeof r.snapshotJson, 'string');
    const snap = JSON.parse(r.snapshotJson as string) as { local?: { deviceKeys?: unknown }; keysQuery?: unknown };
    assert.ok(snap.local?.deviceKeys, 'no local in the returned snapshot');
    assert.ok(snap.keysQuery, 'the server part is kept');
    assert.ok(!(r.snapshotJson as string).includes(read.value?.pickleKey as string), 'the pickle key is in the snapshot');
    // Audited again with that snapshot (as the popup's Worker does), the client's view is still there.
    const again = await handleWorkerRequest({ kind: 'audit', id: 'c0b', snapshotJson: r.snapshotJson as string, now: '2026-12-04T15:00:00Z' }, {});
    assert.ok(again.result.ok);
    assert.deepEqual(again.result.value.clientStore, r.result.value.clientStore);
    assert.equal(again.result.value.anchor, r.result.value.anchor);
  });

  it('with the wrong pickle key reports the store as not checked, never a wrong reading', async () => {
    const r = await handleWorkerRequest(
      { kind: 'audit', id: 'c2', snapshotJson: snapshotJson(), now: '2026-12-04T15:00:00Z', clientStore: { dumpJson: JSON.stringify(read.value?.dump), pickleKey: 'A'.repeat(43) } },
      {},
    );
    assert.ok(r.result.ok);
    assert.equal(r.result.value.anchor, 'none');
    assert.equal(r.result.value.clientStore, undefined);
    assert.ok(r.result.value.notChecked.some((n) => n.startsWith("this browser's client store:")), r.result.value.notChecked.join(' | '));
  });

  it('passes on why the store could not be read', async () => {
    const r = await handleWorkerRequest({ kind: 'audit', id: 'c3', snapshotJson: snapshotJson(), now: '2026-12-04T15:00:00Z', clientStore: { unavailable: 'unsupported store version 108' } }, {});
    assert.ok(r.result.ok);
    assert.ok(r.result.value.notChecked.includes("this browser's client store: unsupported store version 108"));
  });

  describe('offline (the homeserver could not be reached): the snapshot is built from the store', () => {
    const offline = { userId: USER, deviceId: DEVICE, homeserver: 'https://matrix.example.org', syncUnavailable: 'no sync store on this page' };
    const verdicts = (users: { userId: string; identity: string; devices: { deviceId: string; status: string; verified: boolean }[] }[]) =>
      Object.fromEntries(users.map((u) => [u.userId, [u.identity, ...u.devices.map((d) => `${d.deviceId} ${d.status}${d.verified ? ' verified' : ''}`).sort()]]));

    it('agrees with the online audit on every user and device the store holds, returns the snapshot it built, and keeps the pins it was given', async () => {
      const clientStore = { dumpJson: JSON.stringify(read.value?.dump), pickleKey: read.value?.pickleKey ?? undefined };
      const online = await handleWorkerRequest({ kind: 'audit', id: 'o1', snapshotJson: snapshotJson(), now: '2026-12-04T15:00:00Z', clientStore }, {});
      const pins = { '@pinned:example.org': { masterKey: 'A'.repeat(43), firstSeen: '2026-11-01T00:00:00Z' } };
      const r = await handleWorkerRequest({ kind: 'audit', id: 'o2', snapshotJson: JSON.stringify({ pins }), now: '2026-12-04T15:00:00Z', clientStore, offline }, {});
      assert.ok(online.result.ok && r.result.ok, r.result.ok ? '' : r.result.error.message);
      assert.equal(r.result.value.capturedFrom, 'client-store');
      assert.equal(r.result.value.anchor, online.result.value.anchor);
      const on = verdicts(online.result.value.users);
      const off = verdicts(r.result.value.users);
      assert.ok(Object.keys(off).length > 1, 'the store holds other users');
      for (const userId of Object.keys(off)) assert.deepEqual(off[userId], on[userId], userId);
      assert.ok(r.result.value.notChecked.some((n) => n.includes('no sync store on this page')), r.result.value.notChecked.join(' | '));
      assert.equal(typeof r.snapshotJson, 'string');
      const built = JSON.parse(r.snapshotJson as string) as { capturedFrom: string; pins: unknown; local?: unknown };
      assert.equal(built.capturedFrom, 'client-store');
      assert.deepEqual(built.pins, pins);
      assert.ok(built.local, 'the built snapshot carries local');
      assert.ok(!(r.snapshotJson as string).includes(read.value?.pickleKey ?? '\u0000'), 'the pickle key is in the snapshot');
    });

    it('refuses, saying why, when the store cannot stand in for the server', async () => {
      const cases: [object | undefined, RegExp][] = [
        [{ unavailable: 'unsupported store version 108' }, /cannot stand in for the server: unsupported store version 108/],
        [{ dumpJson: JSON.stringify(read.value?.dump), pickleKey: 'A'.repeat(43) }, /cannot stand in for the server: /],
        [{ kind: 'legacy', dumpJson: '{}' }, /old libolm store, which keeps no signed keys/],
        [undefined, /it was not read/],
      ];
      for (const [clientStore, why] of cases) {
        const r = await handleWorkerRequest({ kind: 'audit', id: 'o3', snapshotJson: '{}', now: '2026-12-04T15:00:00Z', ...(clientStore ? { clientStore } : {}), offline }, {});
        assert.ok(!r.result.ok);
        assert.match(r.result.error.message, why);
        assert.equal(r.snapshotJson, undefined);
      }
    });
  });
});
