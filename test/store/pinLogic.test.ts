import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pinsForSnapshot, recordSeen, accept, type PinRow } from '../../src/store/pinLogic.ts';

describe('store/pinLogic', () => {
  it('pins the first master key seen, records a later one unaccepted, and pins it once accepted', () => {
    let rows: PinRow[] = recordSeen([], new Map([['@bob:x', 'KEY1']]), '2026-11-01T00:00:00Z');
    assert.deepEqual(pinsForSnapshot(rows), { '@bob:x': { masterKey: 'KEY1', firstSeen: '2026-11-01T00:00:00Z' } });
    rows = [...rows, ...recordSeen(rows, new Map([['@bob:x', 'KEY2']]), '2026-12-01T00:00:00Z')];
    assert.equal(rows.length, 2);
    assert.equal(rows[1]?.accepted, false);
    assert.equal(pinsForSnapshot(rows)['@bob:x']?.masterKey, 'KEY1', 'a new key is not pinned by being seen');
    rows = [rows[0] as PinRow, accept(rows[1] as PinRow, '2026-12-02T00:00:00Z')];
    assert.equal(pinsForSnapshot(rows)['@bob:x']?.masterKey, 'KEY2');
  });

  it('updates lastSeen of a known key without touching firstSeen', () => {
    const rows = recordSeen([], new Map([['@a:x', 'K']]), '2026-01-01T00:00:00Z');
    const again = recordSeen(rows, new Map([['@a:x', 'K']]), '2026-02-01T00:00:00Z');
    assert.deepEqual(again, [{ ...rows[0], lastSeen: '2026-02-01T00:00:00Z' }]);
  });
});
