/**
 * The record parsers on hand-made decrypted values: public keys derived from private keys (both
 * forms of an account's signing key, including libolm's expanded key after migration), private
 * keys wiped in the parsed JSON, stored claims that contradict the derived key refused, and the
 * identity serializer versions. Keys come from node:crypto (a different stack from the code).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ed25519Pair, x25519Pair } from '../../../fixtures/generator/keys.ts';
import { parseJsonBytes, type JsonB } from '../../../../src/sources/clientStorage/rustStore/jsonBytes.ts';
import { parseAccount } from '../../../../src/sources/clientStorage/rustStore/records/account.ts';
import { parsePrivateIdentity } from '../../../../src/sources/clientStorage/rustStore/records/privateIdentity.ts';
import { parseBackupDecryptionKey } from '../../../../src/sources/clientStorage/rustStore/records/backupKeys.ts';
import { parseIdentity } from '../../../../src/sources/clientStorage/rustStore/records/identities.ts';
import { parseSession, parseSessionEnvelope } from '../../../../src/sources/clientStorage/rustStore/records/sessions.ts';
import { encodeBase64 } from '../../../../src/core/encoding/base64.ts';

const json = (v: unknown): JsonB => {
  const r = parseJsonBytes(new TextEncoder().encode(JSON.stringify(v)));
  assert.ok(r.ok);
  return r.value;
};
/** True when every number array in `v` is all zeros. */
const allNumbersZero = (v: unknown): boolean =>
  Array.isArray(v) ? (v.every((x) => typeof x === 'number') ? v.every((x) => x === 0) : v.every(allNumbersZero)) : typeof v === 'object' && v !== null ? Object.values(v).every(allNumbersZero) : true;

const SEED = 'records test';
const device = ed25519Pair(SEED, 'device');
const curve = x25519Pair(SEED, 'curve');
const csk = (usage: string, pub: string) => ({ user_id: '@a:x', usage: [usage], keys: { [`ed25519:${pub}`]: pub } });

describe('rustStore/records', () => {
  describe('parseAccount()', () => {
    it('derives the device keys from a Normal (seed) signing key, and wipes every private key', () => {
      const j = json({
        user_id: '@a:x',
        device_id: 'DEV',
        pickle: { signing_key: { Normal: [...device.seed] }, diffie_hellman_key: [...curve.privateKey], one_time_keys: { private_keys: { '0': [...randomBytes(32)] } } },
      });
      const r = parseAccount(j);
      assert.ok(r.ok);
      assert.deepEqual({ ed: r.value.ed25519, cv: r.value.curve25519, form: r.value.signingKeyForm }, { ed: device.pub, cv: curve.pub, form: 'normal' });
      assert.ok(allNumbersZero(j), 'private keys left in the parsed JSON');
    });
    it('derives the Ed25519 key from libolm’s expanded key, clamped (libolm) or reduced (vodozemac re-export)', () => {
      const h = createHash('sha512').update(device.seed).digest();
      const clamped = Uint8Array.from(h);
      clamped[0] = (clamped[0] as number) & 248;
      clamped[31] = ((clamped[31] as number) & 63) | 64;
      // The same scalar reduced mod L (little-endian), as a library may store it.
      let n = 0n;
      for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(clamped[i] as number);
      n %= 2n ** 252n + 27742317777372353535851937790883648493n;
      const reduced = new Uint8Array(64);
      for (let i = 0; i < 32; i++) reduced[i] = Number((n >> BigInt(8 * i)) & 0xffn);
      reduced.set(clamped.subarray(32), 32);
      for (const expanded of [clamped, reduced]) {
        const r = parseAccount(json({ user_id: '@a:x', device_id: 'DEV', pickle: { signing_key: { Expanded: [...expanded] }, diffie_hellman_key: [...curve.privateKey] } }));
        assert.ok(r.ok);
        assert.equal(r.value.ed25519, device.pub);
        assert.equal(r.value.signingKeyForm, 'expanded');
      }
    });
    it('refuses unknown signing-key forms and a zero scalar', () => {
      for (const signing_key of [{ Other: [1] }, { Normal: [1, 2] }, { Expanded: new Array(64).fill(0) }, 'x']) {
        const r = parseAccount(json({ user_id: '@a:x', device_id: 'D', pickle: { signing_key, diffie_hellman_key: [...curve.privateKey] } }));
        assert.ok(!r.ok);
      }
    });
  });

  describe('parsePrivateIdentity()', () => {
    const master = ed25519Pair(SEED, 'master');
    const ssk = ed25519Pair(SEED, 'ssk');
    it('derives the public key of each cached seed, null for a key not cached, and wipes the seeds', () => {
      const j = json({ user_id: '@a:x', shared: true, keys: { master_key: { pickle: [...master.seed], public_key: csk('master', master.pub) }, self_signing_key: { pickle: [...ssk.seed], public_key: csk('self_signing', ssk.pub) }, user_signing_key: null } });
      const r = parsePrivateIdentity(j);
      assert.ok(r.ok);
      assert.deepEqual({ m: r.value.master, s: r.value.selfSigning, u: r.value.userSigning }, { m: master.pub, s: ssk.pub, u: null });
      assert.ok(allNumbersZero(j));
    });
    it('leaves a slot unknown when the stored public key is not the seed’s (a store contradicting itself)', () => {
      const r = parsePrivateIdentity(json({ user_id: '@a:x', keys: { master_key: { pickle: [...master.seed], public_key: csk('master', ssk.pub) }, self_signing_key: null, user_signing_key: null } }));
      assert.ok(r.ok);
      assert.equal(r.value.master, undefined);
      assert.deepEqual(r.value.problems, [{ code: 'inconsistent', detail: 'private_identity.master_key.public_key' }]);
    });
  });

  describe('parseBackupDecryptionKey()', () => {
    it('derives the Curve25519 public key and wipes the private key', () => {
      const k = x25519Pair(SEED, 'backup');
      const j = json([...k.privateKey]);
      const r = parseBackupDecryptionKey(j);
      assert.ok(r.ok && r.value === k.pub);
      assert.ok(allNumbersZero(j));
    });
  });

  describe('parseIdentity()', () => {
    const m1 = ed25519Pair(SEED, 'm1').pub;
    const m2 = ed25519Pair(SEED, 'm2').pub;
    const s = ed25519Pair(SEED, 's').pub;
    const u = ed25519Pair(SEED, 'u').pub;
    it('reads our own identity with each verified state, old booleans included', () => {
      for (const [verified, state] of [
        ['Verified', 'verified'],
        ['NeverVerified', 'never-verified'],
        ['VerificationViolation', 'verification-violation'],
        ['PreviouslyVerifiedButNoLonger', 'verification-violation'],
        [true, 'verified'],
        [false, 'never-verified'],
      ] as const) {
        const r = parseIdentity(json({ Own: { user_id: '@a:x', master_key: csk('master', m1), self_signing_key: csk('self_signing', s), user_signing_key: csk('user_signing', u), verified } }));
        assert.ok(r.ok && r.value.kind === 'own' && r.value.verified === state, String(verified));
      }
    });
    it('reads other users in serializer versions 0, 1 and 2, and refuses a newer one', () => {
      const base = { user_id: '@b:x', master_key: csk('master', m2), self_signing_key: csk('self_signing', s) };
      const v0 = parseIdentity(json({ Other: base }));
      assert.ok(v0.ok && v0.value.kind === 'other' && v0.value.pinnedMasterKey === m2 && v0.value.previouslyVerified === undefined);
      const v1 = parseIdentity(json({ Other: { ...base, version: '1', pinned_master_key: csk('master', m1) } }));
      assert.ok(v1.ok && v1.value.kind === 'other' && v1.value.pinnedMasterKey === m1 && v1.value.previouslyVerified === undefined);
      const v2 = parseIdentity(json({ Other: { ...base, version: '2', pinned_master_key: csk('master', m1), previously_verified: true } }));
      assert.ok(v2.ok && v2.value.kind === 'other' && v2.value.previouslyVerified === true);
      assert.ok(!parseIdentity(json({ Other: { ...base, version: '3' } })).ok);
      assert.ok(!parseIdentity(json({ Other: { ...base, master_key: { ...csk('master', m1), keys: { [`ed25519:${m1}`]: m1, [`ed25519:${m2}`]: m2 } } } })).ok, 'two keys in one master key');
    });
  });

  describe('parseSession() / parseSessionEnvelope()', () => {
    it('gives the session ID (its Ed25519 key), the first known index, and wipes the ratchet', () => {
      const signing = ed25519Pair(SEED, 'session');
      const j = json({ pickle: { initial_ratchet: { inner: [...randomBytes(128)], counter: 42 }, signing_key: [...signing.publicKey], signing_key_verified: false, config: { version: 'V1' } }, sender_key: curve.pub, room_id: '!r:x', imported: true, sender_data: { SenderVerified: {} } });
      const r = parseSession(j);
      assert.ok(r.ok);
      assert.deepEqual(r.value, { roomId: '!r:x', sessionId: encodeBase64(signing.publicKey), senderKey: curve.pub, firstKnownIndex: 42, imported: true, senderTrust: 'sender-verified' });
      assert.ok(allNumbersZero((j as { pickle: unknown }).pickle));
    });
    it('reads needs_backup as the library stores it (1, or absent)', () => {
      const e1 = parseSessionEnvelope({ j: { pickled_session: 'x', needs_backup: 1, backed_up_to: -1 } });
      const e2 = parseSessionEnvelope({ j: { pickled_session: 'x', backed_up_to: -1 } });
      assert.ok(e1.ok && e1.value.needsBackup === true);
      assert.ok(e2.ok && e2.value.needsBackup === false);
      assert.ok(!parseSessionEnvelope({ b: '' }).ok);
    });
  });
});
