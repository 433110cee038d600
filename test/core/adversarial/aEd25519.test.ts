/** security.md §4 A: Ed25519 primitive attacks, delivered inside a /keys/query response. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { baseline, auditOf, user, device, assertFinding, assertNothingVerifiedBut } from './harness.ts';

const IDENTITY_KEY = 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; // y = 1: the neutral point
const FORGED_BY_IDENTITY = encodeBase64(Uint8Array.from([1, ...new Array(63).fill(0)])); // R = identity, S = 0
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function addToS(sig: string, add: bigint): string {
  const b = Buffer.from(sig, 'base64');
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(b[i] as number);
  s += add;
  for (let i = 32; i < 64; i++) {
    b[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return encodeBase64(b);
}

describe('adversarial catalogue', () => {
  describe('A. Ed25519 primitive', () => {
    it('A1: a master key that is the identity point, "signing" with R = identity and S = 0, is refused', async () => {
      const b = baseline();
      const kq = b.snap.keysQuery;
      kq.master_keys[b.bob] = { keys: { [`ed25519:${IDENTITY_KEY}`]: IDENTITY_KEY }, usage: ['master'], user_id: b.bob, signatures: {} };
      const ssk = kq.self_signing_keys[b.bob]!;
      ssk.signatures = { [b.bob]: { [`ed25519:${IDENTITY_KEY}`]: FORGED_BY_IDENTITY } };
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
      assertFinding(r, 'CROSS_SIGNING_KEY_MALFORMED', { userId: b.bob });
      assertNothingVerifiedBut(r, [b.me, ...b.m.others.filter((u) => u.userId !== b.bob && u.verifiedByUs).map((u) => u.userId)]);
      for (const d of user(r, b.bob).devices) assert.notEqual(d.status, 'cross-signed');
    });

    it('A1: a device key that is the identity point, self-signed with R = identity and S = 0, is invalid', async () => {
      const b = baseline();
      const dev = b.snap.keysQuery.device_keys[b.bob]![b.m.others[0]!.devices[1]!.deviceId]!;
      dev.keys[`ed25519:${dev.device_id}`] = IDENTITY_KEY;
      dev.signatures = { [b.bob]: { [`ed25519:${dev.device_id}`]: FORGED_BY_IDENTITY } };
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.bob, dev.device_id).status, 'invalid');
      assertFinding(r, 'DEVICE_KEYS_MALFORMED', { userId: b.bob, deviceId: dev.device_id });
    });

    it('A2: an all-zero (small-order) self-signing key is refused, and so is every device it "signs"', async () => {
      const b = baseline();
      const zero = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const ssk = b.snap.keysQuery.self_signing_keys[b.bob]!;
      ssk.keys = { [`ed25519:${zero}`]: zero };
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
      assert.ok(user(r, b.bob).devices.every((d) => d.status !== 'cross-signed' && !d.verified));
    });

    it('A3: a device self-signature with S + L (malleated) is invalid', async () => {
      const b = baseline();
      const dev = b.snap.keysQuery.device_keys[b.me]![b.m.own.devices[1]!.deviceId]!;
      const slot = `ed25519:${dev.device_id}`;
      dev.signatures![b.me]![slot] = addToS(dev.signatures![b.me]![slot]!, L);
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, dev.device_id).status, 'invalid');
      assertFinding(r, 'DEVICE_SELF_SIGNATURE_INVALID', { deviceId: dev.device_id });
    });

    it('A3: a cross-signature with S + L is invalid, not "cross-signed"', async () => {
      const b = baseline();
      const dev = b.snap.keysQuery.device_keys[b.me]![b.m.own.devices[1]!.deviceId]!;
      const ssk = Object.keys(b.snap.keysQuery.self_signing_keys[b.me]!.keys)[0]!;
      dev.signatures![b.me]![ssk] = addToS(dev.signatures![b.me]![ssk]!, L);
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, dev.device_id).status, 'invalid');
      assertFinding(r, 'DEVICE_SIGNATURE_INVALID', { deviceId: dev.device_id });
    });

    it('A4: a non-canonically encoded device key (y = p + 1) is invalid', async () => {
      const b = baseline();
      const dev = b.snap.keysQuery.device_keys[b.bob]![b.m.others[0]!.devices[0]!.deviceId]!;
      const p1 = Buffer.alloc(32, 0xff);
      p1[0] = 0xee;
      p1[31] = 0x7f;
      dev.keys[`ed25519:${dev.device_id}`] = encodeBase64(p1);
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.bob, dev.device_id).status, 'invalid');
    });

    it('A9: a signature that decodes to 63 or 65 bytes, has junk characters, or non-zero trailing bits is invalid, with no crash', async () => {
      const variants = [(s: string) => s.slice(0, 85), (s: string) => `${s}AA`, (s: string) => `${s.slice(0, 10)}!${s.slice(11)}`, (s: string) => `${s.slice(0, 85)}B`];
      for (const [i, mutate] of variants.entries()) {
        const b = baseline();
        const dev = b.snap.keysQuery.device_keys[b.me]![b.m.own.devices[2]!.deviceId]!;
        const ssk = Object.keys(b.snap.keysQuery.self_signing_keys[b.me]!.keys)[0]!;
        dev.signatures![b.me]![ssk] = mutate(dev.signatures![b.me]![ssk]!);
        const r = await auditOf(b.snap);
        assert.equal(device(r, b.me, dev.device_id).status, 'invalid', `variant ${i}`);
      }
    });

    it('A10: a valid self-signing signature filed under the wrong key ID does not count', async () => {
      const b = baseline();
      const dev = b.snap.keysQuery.device_keys[b.me]![b.m.own.devices[1]!.deviceId]!;
      const ssk = Object.keys(b.snap.keysQuery.self_signing_keys[b.me]!.keys)[0]!;
      const sig = dev.signatures![b.me]![ssk]!;
      delete dev.signatures![b.me]![ssk];
      dev.signatures![b.me]!['ed25519:SOMEOTHERKEY'] = sig;
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, dev.device_id).status, 'not-cross-signed');
      assert.equal(device(r, b.me, dev.device_id).verified, false);
    });
  });
});
