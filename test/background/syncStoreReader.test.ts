/**
 * The background's two small decisions around an offline audit: which capture failures mean "the
 * homeserver cannot be reached" (only then may the client's stores stand in), and how the
 * injected sync-store reader's answer is passed on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUnreachable, type CaptureError } from '../../src/sources/homeserver/errors.ts';
import { syncStoreInput } from '../../src/background/syncStoreReader.ts';

describe('background: offline decisions', () => {
  it('only no connection, no answer in time, or a 5xx counts as unreachable', () => {
    const e = (code: CaptureError['code'], status?: number): CaptureError => ({ code, message: 'm', ...(status !== undefined ? { status } : {}) });
    for (const yes of [e('network'), e('timeout'), e('http-error', 502), e('http-error', 503)]) assert.equal(isUnreachable(yes), true, JSON.stringify(yes));
    for (const no of [e('token-rejected', 401), e('forbidden', 403), e('http-error', 404), e('malformed-response'), e('redirect-refused', 302), e('too-large'), e('url-refused'), e('rate-limited', 429), e('http-error')])
      assert.equal(isUnreachable(no), false, JSON.stringify(no));
  });

  it('passes the sync-store dump on as JSON text, or the reader’s reason, or a plain one', () => {
    assert.deepEqual(syncStoreInput({ ok: true, value: { format: 'crosscheck-sync-store-dump/1' } }), { dumpJson: '{"format":"crosscheck-sync-store-dump/1"}' });
    assert.deepEqual(syncStoreInput({ ok: false, error: { code: 'no-store', message: 'This page has no matrix-js-sdk sync store.' } }), { unavailable: 'This page has no matrix-js-sdk sync store.' });
    assert.deepEqual(syncStoreInput(undefined), { unavailable: 'the sync store could not be read' });
    assert.deepEqual(syncStoreInput({ ok: false, error: { message: 7 } }), { unavailable: 'the sync store could not be read' });
  });
});
