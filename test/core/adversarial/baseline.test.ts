/** The baseline every adversarial case differs from by one change must itself be fully verified. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, auditOf, user } from './harness.ts';

describe('adversarial catalogue', () => {
  it('baseline: the honest account is verified end to end (anchor: cached private master key)', async () => {
    const b = baseline();
    const r = await auditOf(b.snap);
    assert.equal(r.anchor, 'local-private-key');
    assert.equal(user(r, b.me).identity, 'verified');
    for (const d of user(r, b.me).devices) assert.deepEqual([d.deviceId, d.status, d.verified], [d.deviceId, 'cross-signed', true]);
    const bob = user(r, b.bob);
    assert.equal(bob.identity, 'verified');
    for (const d of bob.devices) assert.equal(d.verified, true);
    assert.equal(r.backup.status, 'trusted');
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info').map((f) => f.code), [], 'no warnings or errors on the honest account');
  });

  it('baseline: with the recovery key the anchor is the recovery key and every secret is ok', async () => {
    const b = baseline();
    const r = await auditOf(b.snap, { kind: 'recovery-key', text: b.secrets.recoveryKey });
    assert.equal(r.anchor, 'recovery-key');
    assert.equal(r.recoveryKey.status, 'correct');
    assert.deepEqual(Object.values(r.secretStorage.secrets), ['ok', 'ok', 'ok', 'ok']);
    assert.equal(r.backup.status, 'trusted');
    assert.ok(r.backup.sessions && r.backup.sessions.total > 0 && r.backup.sessions.decrypted === r.backup.sessions.total);
  });
});
