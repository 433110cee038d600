import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { historyView } from '../../src/popup/view/history.ts';

const rows = [
  { userId: '@bob:x', masterKey: 'NEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYA', firstSeen: '2026-12-04T10:00:00Z', lastSeen: '2026-12-04T10:00:00Z', accepted: false },
  { userId: '@bob:x', masterKey: 'OLDKEYOLDKEYOLDKEYOLDKEYOLDKEYOLDKEYOLDKEYA', firstSeen: '2026-11-01T10:00:00Z', lastSeen: '2026-11-20T10:00:00Z', accepted: true },
  { userId: '@eve:x', masterKey: 'EVE', firstSeen: '2026-11-01T10:00:00Z', lastSeen: '2026-11-01T10:00:00Z', accepted: true },
];

describe('popup/view/history', () => {
  it('lists one user\'s keys oldest first, marks the pinned and the current one, and offers to accept an unaccepted current key', () => {
    const v = historyView(rows, '@bob:x', rows[0]!.masterKey);
    assert.deepEqual(v.entries.map((e) => [e.masterKey.slice(0, 6), e.pinned, e.current]), [['OLDKEY', true, false], ['NEWKEY', false, true]]);
    assert.equal(v.acceptable, rows[0]!.masterKey);
    assert.match(v.summary, /2 identities .* since 1 Nov 2026/);
    assert.match(v.entries[0]!.seen, /first seen 1 Nov 2026.*last seen 20 Nov 2026/);
    assert.deepEqual(v.entries[0]!.groups.slice(0, 2), ['OLDK', 'EYOL']);
  });

  it('offers nothing to accept when the current key is pinned or unknown', () => {
    assert.equal(historyView(rows, '@bob:x', rows[1]!.masterKey).acceptable, undefined);
    assert.equal(historyView(rows, '@bob:x', undefined).acceptable, undefined);
    assert.match(historyView([], '@nobody:x', 'K').summary, /no earlier record/);
  });
});
