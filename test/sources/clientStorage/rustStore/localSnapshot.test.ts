/**
 * The `local` part as it travels: built from a store the library wrote, serialised into a
 * snapshot, read back by core's `readSnapshot` unchanged — and `readSnapshot` refusing the new
 * `local` fields (sessions, sessionCounts, withheld, identities[].pinnedMasterKey) when they have
 * the wrong types (a snapshot is input, not trusted).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseStrictJson } from '../../../../src/core/json/strictJson.ts';
import { writeLosslessJson } from '../../../../src/core/json/writeJson.ts';
import { readSnapshot } from '../../../../src/core/snapshot/snapshot.ts';
import type { LocalView } from '../../../../src/core/snapshot/snapshot.ts';
import { readLocalView } from '../../../../src/sources/clientStorage/rustStore/localView.ts';
import { buildStore, DEVICE, USER } from './fixtures/buildStore.ts';
import { readRustStore } from '../../../../src/sources/clientStorage/rustStore/readRustStore.ts';

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const base = { format: 'crosscheck-snapshot/1', userId: USER, deviceId: DEVICE, keysQuery: {} };

function read(local: unknown) {
  const parsed = parseStrictJson(JSON.stringify({ ...base, local }));
  assert.ok(parsed.ok);
  return readSnapshot(parsed.value);
}

describe('local part of the snapshot', () => {
  let local: LocalView;
  before(async () => {
    const built = await buildStore({ name: 'snapshot', creator: '18.9.0', mode: 'key' });
    (globalThis as { indexedDB: unknown }).indexedDB = built.factory;
    // Called directly here (its realm rules are tested elsewhere); no Element session: pass the key.
    const r = await readRustStore();
    assert.ok(r.ok);
    const lv = await readLocalView(r.value.dump, built.pickleKey, { userId: USER, deviceId: DEVICE });
    assert.ok(lv.ok);
    local = lv.value.local;
  });

  it('survives serialisation and readSnapshot unchanged', () => {
    const text = writeLosslessJson({ ...base, local });
    const parsed = parseStrictJson(text);
    assert.ok(parsed.ok);
    const s = readSnapshot(parsed.value);
    assert.ok(s.ok, s.ok ? '' : s.error.message);
    assert.deepEqual(plain(s.value.local), plain(local));
    assert.ok(Object.keys(s.value.local?.sessions ?? {}).length > 0);
    assert.ok(Object.keys(s.value.local?.withheld ?? {}).length > 0);
  });

  it('refuses the new fields with the wrong types', () => {
    for (const bad of [
      { sessions: [] },
      { sessions: { '!r:x': {} } },
      { sessions: { '!r:x': [{ sessionId: 1 }] } },
      { sessions: { '!r:x': [{ sessionId: 's', firstKnownIndex: -1 }] } },
      { sessions: { '!r:x': [{ sessionId: 's', backedUp: 'yes' }] } },
      { sessionCounts: { '!r:x': { total: 1, notBackedUp: 2 } } },
      { sessionCounts: { '!r:x': { total: 1 } } },
      { withheld: { '!r:x': { s: { code: 1 } } } },
      { withheld: { '!r:x': { s: { code: 'm.unverified', sender: 2 } } } },
      { identities: { '@b:x': { pinnedMasterKey: 3 } } },
    ]) {
      const r = read({ identities: {}, ...bad });
      assert.ok(!r.ok && r.error.code === 'bad-field', JSON.stringify(bad));
    }
  });
});
