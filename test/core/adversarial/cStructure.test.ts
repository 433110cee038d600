/** security.md §4 C: cross-signing structure. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, auditOf, user, device, assertFinding, addSignature, keysOf } from './harness.ts';

describe('adversarial catalogue', () => {
  describe('C. Cross-signing structure', () => {
    it('C1: a master key with usage ["master","self_signing"] or ["self_signing"] is refused', async () => {
      for (const usage of [['master', 'self_signing'], ['self_signing']]) {
        const b = baseline();
        b.snap.keysQuery.master_keys[b.bob]!.usage = usage;
        const r = await auditOf(b.snap);
        assert.equal(user(r, b.bob).identity, 'refused', JSON.stringify(usage));
        assertFinding(r, 'CROSS_SIGNING_KEY_MALFORMED', { userId: b.bob });
      }
    });

    it('C2: a master key listing two keys (genuine + attacker) is refused', async () => {
      const b = baseline();
      const msk = b.snap.keysQuery.master_keys[b.bob]!;
      const attacker = keysOf(b, b.m.others[2]!.userId).master.pub;
      msk.keys[`ed25519:${attacker}`] = attacker;
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
    });

    it('C3: a key ID that does not name its value is refused', async () => {
      const b = baseline();
      const msk = b.snap.keysQuery.master_keys[b.bob]!;
      const [id] = Object.keys(msk.keys);
      const other = keysOf(b, b.m.others[2]!.userId).master.pub;
      msk.keys = { [id!]: other };
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
    });

    it('C4: a master, self-signing or user-signing key with another user_id is refused', async () => {
      for (const map of ['master_keys', 'self_signing_keys'] as const) {
        const b = baseline();
        b.snap.keysQuery[map][b.bob]!.user_id = '@mallory:example.org';
        const r = await auditOf(b.snap);
        assert.equal(user(r, b.bob).identity, 'refused', map);
      }
      const b = baseline();
      b.snap.keysQuery.user_signing_keys[b.me]!.user_id = '@mallory:example.org';
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.me).identity, 'refused');
      assert.notEqual(user(r, b.bob).identity, 'verified', 'no user-signing key, no verified contacts');
    });

    it('C5: a device entry whose signed device_id or user_id differs from where it is listed is invalid', async () => {
      for (const [field, value] of [['device_id', 'DEV2'], ['user_id', '@bob:elsewhere']] as const) {
        const b = baseline();
        const id = b.m.own.devices[1]!.deviceId;
        (b.snap.keysQuery.device_keys[b.me]![id] as unknown as Record<string, string>)[field] = value;
        const r = await auditOf(b.snap);
        assert.equal(device(r, b.me, id).status, 'invalid', field);
        assertFinding(r, 'DEVICE_KEYS_MALFORMED', { deviceId: id });
      }
    });

    it('C6: a device correctly signed by the self-signing key but with a broken self-signature is invalid', async () => {
      const b = baseline();
      const id = b.m.own.devices[1]!.deviceId;
      const dev = b.snap.keysQuery.device_keys[b.me]![id]!;
      delete dev.signatures![b.me]![`ed25519:${id}`];
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, id).status, 'invalid');
      assertFinding(r, 'DEVICE_SELF_SIGNATURE_INVALID', { deviceId: id });
    });

    it('C7: a self-signing key signature filed under another user does not count', async () => {
      const b = baseline();
      const ssk = b.snap.keysQuery.self_signing_keys[b.bob]!;
      ssk.signatures = { '@mallory:example.org': ssk.signatures![b.bob]! };
      const r = await auditOf(b.snap);
      assert.notEqual(user(r, b.bob).identity, 'verified');
      assert.ok(user(r, b.bob).devices.every((d) => d.status !== 'cross-signed'));
      assertFinding(r, 'SELF_SIGNING_KEY_NOT_SIGNED', { userId: b.bob });
    });

    it('C8: a self-signing key signed by a device instead of the master key leaves every device not cross-signed', async () => {
      const b = baseline();
      const ssk = b.snap.keysQuery.self_signing_keys[b.me]!;
      ssk.signatures = {};
      const devModel = b.m.own.devices[0]!;
      addSignature(ssk, b.me, `ed25519:${devModel.deviceId}`, devModel.signingKey!.seed);
      const r = await auditOf(b.snap);
      assert.ok(user(r, b.me).devices.every((d) => d.status !== 'cross-signed' && !d.verified));
      assertFinding(r, 'SELF_SIGNING_KEY_NOT_SIGNED', { userId: b.me });
    });

    it('C9: another user\'s master key signed only by their own device, not by our user-signing key, is not verified', async () => {
      const b = baseline();
      const msk = b.snap.keysQuery.master_keys[b.bob]!;
      delete msk.signatures![b.me];
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'unverified', 'no transitive trust through their devices');
      assert.ok(user(r, b.bob).devices.every((d) => !d.verified));
      // The client store says we verified this same key before: the loss is worth a warning.
      assert.equal(assertFinding(r, 'USER_NOT_VERIFIED', { userId: b.bob }).severity, 'warning');
    });
  });
});
