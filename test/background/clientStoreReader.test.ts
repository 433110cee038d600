/**
 * Which store the click reads (client-storage.md §4 "Which stack is in use"): the rust store when
 * the page has one; the legacy libolm store only when the rust reader says `no-store`, its dump
 * tagged `kind: 'legacy'`; and every failure as a reason, never a throw. The readers are stand-ins
 * here (what they return is their documented JSON); the real ones run in test/sources/.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readClientStoreInTab, type Inject } from '../../src/background/clientStoreReader.ts';
import { validateWorkerRequest } from '../../src/protocol/worker.ts';

const rust = async () => 'rust';
const legacy = async () => 'legacy';

/** An injector that answers per reader and records which ran. */
function tab(answers: { rust: unknown; legacy?: unknown }): Inject & { ran: string[] } {
  const ran: string[] = [];
  const inject = async (func: () => Promise<unknown>) => {
    const which = func === rust ? 'rust' : 'legacy';
    ran.push(which);
    const a = answers[which];
    if (a instanceof Error) throw a;
    return a;
  };
  return Object.assign(inject, { ran });
}

const noRust = { ok: false, error: { code: 'no-store', message: 'This page has no rust crypto store.', } };

describe('background/clientStoreReader', () => {
  it('reads the rust store and never the legacy one when the page has a rust store', async () => {
    const t = tab({ rust: { ok: true, value: { pickleKey: 'pk', dump: { format: 'r' } } } });
    assert.deepEqual(await readClientStoreInTab(t, { rust, legacy }), { kind: 'rust', dumpJson: '{"format":"r"}', pickleKey: 'pk' });
    assert.deepEqual(t.ran, ['rust']);
  });

  it('reads the legacy store when the rust reader says no-store, and tags it legacy', async () => {
    const t = tab({ rust: noRust, legacy: { ok: true, value: { pickleKey: 'pk', dump: { format: 'crosscheck-legacy-store-dump/1' } } } });
    const input = await readClientStoreInTab(t, { rust, legacy });
    assert.deepEqual(input, { kind: 'legacy', dumpJson: '{"format":"crosscheck-legacy-store-dump/1"}', pickleKey: 'pk' });
    assert.deepEqual(t.ran, ['rust', 'legacy']);
    // What the background sends is what the Worker accepts.
    assert.ok(validateWorkerRequest({ kind: 'audit', id: 'a', snapshotJson: '{}', now: 'x', clientStore: input }, 'request').ok);
  });

  it('passes a legacy store without a pickle key on without one (the decoder tries js-sdk’s DEFAULT_KEY)', async () => {
    const t = tab({ rust: noRust, legacy: { ok: true, value: { pickleKey: null, pickleKeyProblem: 'no-record', dump: {} } } });
    assert.deepEqual(await readClientStoreInTab(t, { rust, legacy }), { kind: 'legacy', dumpJson: '{}' });
  });

  it('keeps the rust reader’s words when there is no store at all', async () => {
    const t = tab({ rust: noRust, legacy: { ok: false, error: { code: 'no-store', message: 'This page has no legacy (libolm) crypto store.' } } });
    assert.deepEqual(await readClientStoreInTab(t, { rust, legacy }), { unavailable: 'This page has no rust crypto store.' });
  });

  it('says so when a legacy store exists but could not be read', async () => {
    const t = tab({ rust: noRust, legacy: { ok: false, error: { code: 'unsupported-version', message: 'at version 12', version: 12 } } });
    assert.deepEqual(await readClientStoreInTab(t, { rust, legacy }), { unavailable: 'no rust crypto store, and the legacy (libolm) store could not be read: at version 12' });
  });

  it('does not fall back to the legacy store when the rust store exists but failed', async () => {
    const t = tab({ rust: { ok: false, error: { code: 'unsupported-version', message: 'store version 200' } } });
    assert.deepEqual(await readClientStoreInTab(t, { rust, legacy }), { unavailable: 'store version 200' });
    assert.deepEqual(t.ran, ['rust']);
  });

  it('turns a failed injection or a malformed answer into a reason', async () => {
    assert.deepEqual(await readClientStoreInTab(tab({ rust: new Error('no access') }), { rust, legacy }), { unavailable: 'the client store could not be read on this page' });
    assert.deepEqual(await readClientStoreInTab(tab({ rust: undefined }), { rust, legacy }), { unavailable: 'the client store could not be read' });
    assert.deepEqual(await readClientStoreInTab(tab({ rust: noRust, legacy: new Error('gone') }), { rust, legacy }), { unavailable: 'This page has no rust crypto store.' });
  });
});
