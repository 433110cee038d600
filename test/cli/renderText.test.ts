import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderText, safe } from '../../src/cli/renderText.ts';
import type { Report } from '../../src/core/report/types.ts';

const report = (displayName: string, userId = '@bob:example.org'): Report => ({
  format: 'crosscheck-report/1',
  subject: { userId: '@alice:example.org', deviceId: 'AAAA' },
  generatedAt: '2026-12-04T15:00:00.000Z',
  anchor: 'none',
  users: [
    { userId: '@alice:example.org', identity: 'unanchored', devices: [{ deviceId: 'AAAA', status: 'cross-signed', verified: false, displayName }] },
    { userId, identity: 'changed', devices: [] },
  ],
  backup: { status: 'unknown' },
  secretStorage: { status: 'not-checked', secrets: {} },
  recoveryKey: { status: 'not-checked' },
  findings: [{ code: 'DEVICE_NOT_CROSS_SIGNED', severity: 'warning', message: `Session "${displayName}" is not verified.`, hint: 'Verify it.', evidence: {} }],
  notChecked: [],
});

describe('cli/renderText', () => {
  describe('renderText()', () => {
    it('H6: neutralises bidi overrides and terminal control sequences in server-supplied names', () => {
      const evil = 'safe\u202Egnp.exe\u001b[2J\u0007<img src=x onerror=alert(1)>';
      const out = renderText(report(evil, '@b\u202Eob:example.org'));
      assert.doesNotMatch(out, /[\u202a-\u202e\u2066-\u2069\u001b\u0007]/, 'no bidi or control characters survive');
      assert.match(out, /safe\uFFFDgnp\.exe\uFFFD\[2J\uFFFD<img src=x onerror=alert\(1\)>/, 'the text stays visible, inert');
    });

    it('keeps ordinary non-ASCII names intact', () => {
      assert.equal(safe('Ålesund — 日本語 😀'), 'Ålesund — 日本語 😀');
    });

    it('says what the verdict rests on', () => {
      assert.match(renderText(report('x')), /trust rests on nothing: your identity could not be confirmed/);
    });
  });
});
