/** security.md §4 G: key backup (G1, G4 are also covered at the crypto level in test/core/backup). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { x25519 } from '@noble/curves/ed25519.js';
import { encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { baseline, auditOf, assertFinding, addSignature, keysOf } from './harness.ts';

describe('adversarial catalogue', () => {
  describe('G. Key backup', () => {
    it('G1: a backup whose public key differs from the one the secret-storage backup key derives is a mismatch', async () => {
      const b = baseline();
      const kb = b.snap.keyBackup!;
      kb.auth_data.public_key = encodeBase64(x25519.getPublicKey(new Uint8Array(32).fill(3)));
      kb.auth_data.signatures = {};
      const me = keysOf(b, b.me);
      addSignature(kb.auth_data, b.me, `ed25519:${me.master.pub}`, me.master.seed);
      const r = await auditOf(b.snap, { kind: 'recovery-key', text: b.secrets.recoveryKey });
      assert.equal(r.backup.status, 'mismatch');
      assertFinding(r, 'BACKUP_KEY_MISMATCH');
    });

    it('G2: a backup signed only by an unverified own device is untrusted, whatever the client store says', async () => {
      const b = baseline();
      const unverified = b.m.own.devices[2]!;
      const devJson = b.snap.keysQuery.device_keys[b.me]![unverified.deviceId]!;
      // The device loses its cross-signature (server-injected devices have none).
      const ssk = `ed25519:${keysOf(b, b.me).selfSigning.pub}`;
      delete devJson.signatures![b.me]![ssk];
      const kb = b.snap.keyBackup!;
      kb.auth_data.signatures = {};
      addSignature(kb.auth_data, b.me, `ed25519:${unverified.deviceId}`, unverified.signingKey!.seed);
      b.snap.local.backupKey = null;
      const r = await auditOf(b.snap);
      assert.equal(r.backup.status, 'untrusted');
      assert.equal(r.backup.signatures?.[`ed25519:${unverified.deviceId}`], 'valid-untrusted');
      assertFinding(r, 'BACKUP_NOT_TRUSTED');
    });

    it('G3: an unknown backup algorithm is unsupported', async () => {
      const b = baseline();
      b.snap.keyBackup!.algorithm = 'org.matrix.msc4048.curve25519-aes-sha2';
      const r = await auditOf(b.snap);
      assert.equal(r.backup.status, 'unsupported');
      assertFinding(r, 'BACKUP_ALGORITHM_UNSUPPORTED');
    });

    it('G4: backup entries forged with only the public key decrypt but are labelled unauthenticated, never a trust fact', async () => {
      const b = baseline();
      const r = await auditOf(b.snap, { kind: 'recovery-key', text: b.secrets.recoveryKey });
      assert.ok(r.backup.sessions && r.backup.sessions.decrypted > 0);
      assertFinding(r, 'BACKUP_SESSIONS_UNAUTHENTICATED');
    });

    it('G6: a backup key cached in the client store that differs from the server\'s backup is a mismatch', async () => {
      const b = baseline();
      b.snap.local.backupKey = { version: '1', publicKey: encodeBase64(x25519.getPublicKey(new Uint8Array(32).fill(8))) };
      const r = await auditOf(b.snap);
      assert.equal(r.backup.status, 'mismatch');
      assertFinding(r, 'BACKUP_KEY_MISMATCH');
    });

    it('G7: cached private cross-signing keys whose public keys differ from the published ones are flagged', async () => {
      const b = baseline();
      b.snap.local.crossSigning = { master: keysOf(b, b.me).master.pub, selfSigning: keysOf(b, b.bob).selfSigning.pub, userSigning: keysOf(b, b.me).userSigning!.pub };
      const r = await auditOf(b.snap);
      assertFinding(r, 'LOCAL_CROSS_SIGNING_KEYS_MISMATCH');
    });
  });
});
