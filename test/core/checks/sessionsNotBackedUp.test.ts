/**
 * checks/sessionsNotBackedUp through the whole audit: the honest sample snapshot (a trusted key
 * backup) with `local` session counts added, and variants without a backup, without backup data,
 * and with only per-session flags.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { audit } from '../../../src/core/audit.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import type { Finding } from '../../../src/core/report/types.ts';
import { notBackedUpPerRoom, sessionsNotBackedUp } from '../../../src/core/checks/sessionsNotBackedUp.ts';
import { CHECKS } from '../../../src/core/checks/registry.ts';

const NOW = new Date('2026-12-04T15:00:00Z');
const honest = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/snapshots/honest.json', import.meta.url)), 'utf8')) as Record<string, unknown> & { local: Record<string, unknown> };

async function findings(snapshot: unknown): Promise<Finding[]> {
  const parsed = parseStrictJson(JSON.stringify(snapshot));
  assert.ok(parsed.ok);
  const r = await audit(parsed.value as JsonValue, { now: NOW });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value.findings.filter((f) => f.code === 'SESSIONS_NOT_BACKED_UP');
}

const COUNTS = {
  '!a:example.org': { total: 5, notBackedUp: 2 },
  '!b:example.org': { total: 3, notBackedUp: 0 },
  '!c:example.org': { total: 1, notBackedUp: 1 },
};

describe('checks/sessionsNotBackedUp', () => {
  it('is registered', () => {
    assert.ok(CHECKS.includes(sessionsNotBackedUp));
  });

  describe('run() through audit()', () => {
    it('reports the keys not yet in a trusted backup, counted per room, as a warning on this session', async () => {
      const f = await findings({ ...honest, local: { ...honest.local, sessionCounts: COUNTS } });
      assert.equal(f.length, 1);
      const x = f[0] as Finding;
      assert.equal(x.severity, 'warning');
      assert.equal(x.userId, honest['userId']);
      assert.equal(x.deviceId, honest['deviceId']);
      assert.deepEqual(x.evidence, { total: 3, rooms: { '!a:example.org': 2, '!c:example.org': 1 }, source: 'client store' });
      assert.match(x.message, /3 message keys in 2 rooms: !a:example\.org \(2\), !c:example\.org \(1\)/);
      assert.match(x.message, /key backup \(version 1\)/);
    });

    it('says nothing without local data, or when every key is backed up', async () => {
      const { local: _local, ...noLocal } = honest;
      assert.deepEqual(await findings(noLocal), []);
      assert.deepEqual(await findings(honest), [], 'local without session data');
      assert.deepEqual(await findings({ ...honest, local: { ...honest.local, sessionCounts: { '!b:example.org': { total: 3, notBackedUp: 0 } } } }), []);
    });

    it('counts per-session flags when there are no exact counts', async () => {
      const sessions = {
        '!a:example.org': [
          { sessionId: 's1', backedUp: false },
          { sessionId: 's2', backedUp: true },
          { sessionId: 's3' },
        ],
      };
      const f = await findings({ ...honest, local: { ...honest.local, sessions } });
      assert.deepEqual(f[0]?.evidence, { total: 1, rooms: { '!a:example.org': 1 }, source: 'client store' });
    });

    it('is information when there is no backup (BACKUP_MISSING says the rest) or no backup data', async () => {
      const none = await findings({ ...honest, keyBackup: null, local: { ...honest.local, sessionCounts: COUNTS } });
      assert.equal(none[0]?.severity, 'info');
      assert.match(none[0]?.message ?? '', /no key backup/);
      const { keyBackup: _kb, keyBackupSessions: _kbs, ...noBackupData } = honest;
      const unknown = await findings({ ...noBackupData, local: { ...honest.local, sessionCounts: COUNTS } });
      assert.equal(unknown[0]?.severity, 'info');
    });

    it('names three rooms and counts the rest', async () => {
      const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`!r${i}:example.org`, { total: 10, notBackedUp: i + 1 }]));
      const f = await findings({ ...honest, local: { ...honest.local, sessionCounts: many } });
      assert.match(f[0]?.message ?? '', /21 message keys in 6 rooms: !r5:example\.org \(6\), !r4:example\.org \(5\), !r3:example\.org \(4\) and 3 rooms more/);
    });
  });

  describe('notBackedUpPerRoom()', () => {
    it('prefers exact counts over the (possibly partial) session list', () => {
      assert.deepEqual(notBackedUpPerRoom({ identities: {}, sessionCounts: { '!a:x': { total: 9, notBackedUp: 4 } }, sessions: { '!a:x': [{ sessionId: 's', backedUp: false }] } }), { perRoom: { '!a:x': 4 }, total: 4 });
      assert.equal(notBackedUpPerRoom({ identities: {} }), undefined);
    });
  });
});
