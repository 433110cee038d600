/** popup/view/safeText and popup/view/format: the helpers every shown string goes through. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeText, hasUnsafeCharacters } from '../../src/popup/view/safeText.ts';
import { fingerprintGroups, formatTime, count, worstTone, byToneDesc } from '../../src/popup/view/format.ts';

describe('popup/view/safeText', () => {
  describe('safeText()', () => {
    it('replaces bidi overrides, isolates and marks with a visible U+FFFD (security H6)', () => {
      for (const c of ['\u202E', '\u202D', '\u202A', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
        assert.equal(safeText(`@ali${c}ce:example.org`), '@ali\uFFFDce:example.org', `U+${c.codePointAt(0)!.toString(16)}`);
      }
    });
    it('replaces C0/C1 controls, line separators, zero-width space, word joiner and BOM', () => {
      assert.equal(safeText('a\u0000b\nc\u0085d\u2028e\u200Bf\u2060g\uFEFFh'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh');
    });
    it('keeps ZWJ/ZWNJ, which scripts and emoji need and which cannot reorder text', () => {
      assert.equal(safeText('👩\u200D👩\u200D👧 می\u200Cخواهم'), '👩\u200D👩\u200D👧 می\u200Cخواهم');
    });
    it('cuts long strings by code point, never in the middle of a surrogate pair', () => {
      const s = '😀'.repeat(300);
      const out = safeText(s, 10);
      assert.equal(out, `${'😀'.repeat(10)}…`);
    });
    it('leaves markup as text (rendering escapes it; nothing here turns it into HTML)', () => {
      assert.equal(safeText('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
    });
  });
  describe('hasUnsafeCharacters()', () => {
    it('reports hidden characters, and is repeatable (no regex lastIndex state)', () => {
      assert.equal(hasUnsafeCharacters('a\u202Eb'), true);
      assert.equal(hasUnsafeCharacters('a\u202Eb'), true);
      assert.equal(hasUnsafeCharacters('plain'), false);
    });
  });
});

describe('popup/view/format', () => {
  describe('fingerprintGroups()', () => {
    it('splits a 43-character key into 11 groups of 4 (the last of 3) that join back to the key', () => {
      const key = '/GHxXqu3alyajE2SEr5guRjMi7PmR0CkL8MyoyNwWSU';
      const g = fingerprintGroups(key);
      assert.equal(g.length, 11);
      assert.ok(g.slice(0, 10).every((x) => x.length === 4));
      assert.equal(g.join(''), key);
    });
    it('makes a hostile key safe before grouping', () => {
      assert.ok(!fingerprintGroups('abcd\u202Eefgh').join('').includes('\u202E'));
    });
  });
  describe('formatTime()', () => {
    it('formats in UTC, the same in every locale', () => {
      assert.equal(formatTime('2026-12-04T15:07:00.000Z'), '4 Dec 2026, 15:07 UTC');
    });
    it('shows a non-date as safe text', () => {
      assert.equal(formatTime('soon\u202E'), 'soon\uFFFD');
    });
  });
  describe('count(), worstTone(), byToneDesc()', () => {
    it('reports singular and plural, the worst tone, and sorts worst first stably', () => {
      assert.equal(count(1, 'session'), '1 session');
      assert.equal(count(3, 'person', 'people'), '3 people');
      assert.equal(worstTone(['ok', 'info', 'warning']), 'warning');
      assert.equal(worstTone([]), 'ok');
      const sorted = byToneDesc([
        { tone: 'warning' as const, n: 1 },
        { tone: 'error' as const, n: 2 },
        { tone: 'warning' as const, n: 3 },
      ]);
      assert.deepEqual(sorted.map((x) => x.n), [2, 1, 3]);
    });
  });
});
