/** security.md §4 D: anchoring and pinning — the "wrong verified" core. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { baseline, auditOf, user, device, assertFinding, assertNothingVerifiedBut, addSignature, keysOf, type Baseline } from './harness.ts';
import { encryptSecret } from '../../fixtures/generator/secretStorageCrypto.ts';
import type { SnapshotJson } from '../../fixtures/generator/types.ts';

/** A complete, validly signed identity the server minted for us (keys from a fresh seed). */
function fabricateOwnIdentity(b: Baseline): { master: string; masterSeed: Uint8Array } {
  const kq = b.snap.keysQuery;
  const key = (label: string) => {
    const seed = new Uint8Array(32).fill(label.charCodeAt(0));
    return { seed, pub: encodeBase64(ed25519.getPublicKey(seed)) };
  };
  const msk = key('M');
  const ssk = key('S');
  const usk = key('U');
  const xk = (k: { pub: string }, usage: string) => ({ keys: { [`ed25519:${k.pub}`]: k.pub }, usage: [usage], user_id: b.me }) as SnapshotJson['keysQuery']['master_keys'][string];
  kq.master_keys[b.me] = xk(msk, 'master');
  kq.self_signing_keys[b.me] = addSignature(xk(ssk, 'self_signing'), b.me, `ed25519:${msk.pub}`, msk.seed);
  kq.user_signing_keys[b.me] = addSignature(xk(usk, 'user_signing'), b.me, `ed25519:${msk.pub}`, msk.seed);
  for (const d of Object.values(kq.device_keys[b.me]!)) {
    for (const k of Object.keys(d.signatures![b.me]!)) if (k !== `ed25519:${d.device_id}`) delete d.signatures![b.me]![k];
    addSignature(d, b.me, `ed25519:${ssk.pub}`, ssk.seed);
  }
  for (const u of b.m.others) {
    const m = kq.master_keys[u.userId];
    if (m?.signatures?.[b.me]) {
      delete m.signatures[b.me];
      addSignature(m, b.me, `ed25519:${usk.pub}`, usk.seed);
    }
  }
  return { master: msk.pub, masterSeed: msk.seed };
}

/** Removes everything local that could anchor our identity. */
function forgetLocal(b: Baseline): void {
  delete (b.snap as { local?: unknown }).local;
  delete (b.snap as { pins?: unknown }).pins;
}

describe('adversarial catalogue', () => {
  describe('D. Anchoring and pinning', () => {
    it('D1: a server-fabricated, fully consistent identity with no recovery key and no pin is unanchored, never verified', async () => {
      const b = baseline();
      fabricateOwnIdentity(b);
      forgetLocal(b);
      const r = await auditOf(b.snap);
      assert.equal(r.anchor, 'none');
      assert.equal(user(r, b.me).identity, 'unanchored');
      assert.ok(user(r, b.me).devices.every((d) => d.status === 'cross-signed' && !d.verified), 'chain consistent, nothing verified');
      assertNothingVerifiedBut(r);
      assertFinding(r, 'OWN_IDENTITY_UNANCHORED');
    });

    it('D1: the same fabricated identity, with the real recovery key typed, stays unverified (secrets derive other keys)', async () => {
      const b = baseline();
      fabricateOwnIdentity(b);
      forgetLocal(b);
      const r = await auditOf(b.snap, { kind: 'recovery-key', text: b.secrets.recoveryKey });
      assert.equal(r.anchor, 'none');
      assert.notEqual(user(r, b.me).identity, 'verified');
      assert.equal(r.secretStorage.secrets['m.cross_signing.master'], 'does-not-match-public-key');
      assertFinding(r, 'SECRET_DOES_NOT_MATCH_PUBLIC_KEY');
      assertNothingVerifiedBut(r);
    });

    it('D2: a secret-storage master key whose MAC verifies but whose public key is not the served one is reported, not trusted', async () => {
      const b = baseline();
      forgetLocal(b);
      // The server keeps our real published identity but plants, under our real 4S key, a master
      // seed of its own (it cannot, without the key — this models stale 4S after a reset elsewhere).
      const planted = encodeBase64(new Uint8Array(32).fill(0x42));
      const ssKey = Buffer.from(b.secrets.secretStorageKey, 'base64');
      const iv = new Uint8Array(16).fill(1);
      iv[8] = 0;
      (b.snap.accountData as Record<string, unknown>)['m.cross_signing.master'] = { encrypted: { [b.secrets.secretStorageKeyId]: encryptSecret('m.cross_signing.master', planted, ssKey, iv) } };
      const r = await auditOf(b.snap, { kind: 'recovery-key', text: b.secrets.recoveryKey });
      assert.equal(r.recoveryKey.status, 'correct', 'the key is the right secret-storage key');
      assert.equal(r.secretStorage.secrets['m.cross_signing.master'], 'does-not-match-public-key');
      assert.notEqual(r.anchor, 'recovery-key');
      assertNothingVerifiedBut(r);
    });

    it('D4: an identity vouched for only by the client-store flag is verified with that label', async () => {
      const b = baseline();
      const local = b.snap.local;
      local.crossSigning = { master: null, selfSigning: null, userSigning: null };
      local.identities[b.me] = { masterKey: keysOf(b, b.me).master.pub, verified: true, previouslyVerified: true };
      // No device signature on the master key either: only the flag remains.
      delete b.snap.keysQuery.master_keys[b.me]!.signatures![b.me]![`ed25519:${b.myDevice}`];
      const r = await auditOf(b.snap);
      assert.equal(r.anchor, 'client-store-flag');
      assert.equal(user(r, b.me).identity, 'verified');
      assertFinding(r, 'OWN_IDENTITY_ANCHORED_BY_CLIENT_STORE');
    });

    it('D5: Bob signed by our user-signing key while our own identity is unanchored is not verified', async () => {
      const b = baseline();
      forgetLocal(b);
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'unverified');
      assertNothingVerifiedBut(r);
    });

    it('D5: Bob signed by our user-signing key, but our user-signing key not signed by our master, is not verified', async () => {
      const b = baseline();
      b.snap.keysQuery.user_signing_keys[b.me]!.signatures = {};
      const r = await auditOf(b.snap);
      assert.notEqual(user(r, b.bob).identity, 'verified');
      assertFinding(r, 'USER_SIGNING_KEY_NOT_SIGNED');
      for (const d of user(r, b.bob).devices) assert.equal(d.verified, false);
    });

    it('D6: a previously verified user whose master key was replaced by one we never signed is changed', async () => {
      const b = baseline();
      const bobModel = b.m.others[0]!;
      const seed = new Uint8Array(32).fill(0x77);
      const pub = encodeBase64(ed25519.getPublicKey(seed));
      const msk = { keys: { [`ed25519:${pub}`]: pub }, usage: ['master'], user_id: b.bob } as SnapshotJson['keysQuery']['master_keys'][string];
      b.snap.keysQuery.master_keys[b.bob] = msk;
      const ssk = b.snap.keysQuery.self_signing_keys[b.bob]!;
      ssk.signatures = {};
      addSignature(ssk, b.bob, `ed25519:${pub}`, seed);
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'changed');
      assertFinding(r, 'IDENTITY_CHANGED', { userId: b.bob });
      for (const d of bobModel.devices) assert.equal(device(r, b.bob, d.deviceId).verified, false);
    });

    it('D7: the server\'s copy of our own device keys differing from the local account is invalid', async () => {
      const b = baseline();
      b.snap.local.deviceKeys.ed25519 = keysOf(b, b.bob).master.pub;
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, b.myDevice).status, 'invalid');
      assertFinding(r, 'OWN_DEVICE_KEYS_MISMATCH', { deviceId: b.myDevice });
    });
  });
});
