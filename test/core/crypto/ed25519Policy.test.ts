import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { verifyOne, verifySignatures, checkPublicKey } from '../../../src/core/crypto/ed25519Policy.ts';
import { fromHex, utf8 } from '../../../src/core/bytes.ts';
import { readSharedVector } from '../../helpers/sharedVectors.ts';

interface WycheproofEd {
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; comment: string }[] }[];
}
type SpecCase = { message: string; pub_key: string; signature: string };

const seed = new Uint8Array(32).fill(7);
const pub = ed25519.getPublicKey(seed);
const msg = utf8('{"a":1}');
const sig = ed25519.sign(msg, seed);
const L = ed25519.Point.Fn.ORDER;

function addToS(signature: Uint8Array, add: bigint): Uint8Array {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number);
  s += add;
  const out = signature.slice();
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

describe('ed25519Policy', () => {
  describe('verifyOne()', () => {
    it('accepts an honest signature and rejects any single bit flip (STYLE §23)', () => {
      assert.deepEqual(verifyOne({ publicKey: pub, message: msg, signature: sig }), { state: 'valid' });
      for (let bit = 0; bit < 512; bit += 7) {
        const bad = sig.slice();
        bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
        assert.notEqual(verifyOne({ publicKey: pub, message: msg, signature: bad }).state, 'valid', `bit ${bit}`);
      }
      const m2 = msg.slice();
      m2[0] = (m2[0] as number) ^ 1;
      assert.notEqual(verifyOne({ publicKey: pub, message: m2, signature: sig }).state, 'valid');
    });

    it('A8: matches every Wycheproof ed25519 verdict (valid accepted, invalid rejected)', () => {
      const w = readSharedVector<WycheproofEd>('wycheproof/ed25519_test.json');
      let n = 0;
      for (const g of w.testGroups) {
        for (const t of g.tests) {
          n++;
          const v = verifyOne({ publicKey: fromHex(g.publicKey.pk), message: fromHex(t.msg), signature: fromHex(t.sig) });
          assert.equal(v.state === 'valid', t.result === 'valid', `tcId ${t.tcId} (${t.comment}): got ${JSON.stringify(v)}`);
        }
      }
      assert.ok(n > 100);
    });

    it('A7: rejects all 12 "Taming the many EdDSAs" edge cases (speccheck)', () => {
      const cases = readSharedVector<SpecCase[]>('ed25519-speccheck/cases.json');
      assert.equal(cases.length, 12);
      cases.forEach((c, i) => {
        const v = verifyOne({ publicKey: fromHex(c.pub_key), message: fromHex(c.message), signature: fromHex(c.signature) });
        assert.notEqual(v.state, 'valid', `speccheck case ${i}`);
      });
    });

    it('A1: rejects the identity key with R = identity, S = 0 (the universal forgery noble\'s default accepts)', () => {
      const identity = new Uint8Array(32);
      identity[0] = 1;
      const forged = new Uint8Array(64);
      forged[0] = 1;
      assert.equal(ed25519.verify(forged, msg, identity), true, 'precondition: the lenient default accepts it');
      assert.deepEqual(verifyOne({ publicKey: identity, message: msg, signature: forged }), { state: 'key-rejected', reason: 'small-order' });
    });

    it('A2: rejects the all-zero key and every torsion-subgroup encoding', () => {
      assert.equal(checkPublicKey(new Uint8Array(32)).ok, false);
      for (const hex of ED25519_TORSION_SUBGROUP) {
        const r = checkPublicKey(fromHex(hex));
        assert.equal(r.ok, false, hex);
      }
    });

    it('A2: rejects a mixed-order key (honest key + a torsion point)', () => {
      const A = ed25519.Point.fromBytes(pub);
      const T = ed25519.Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[1] as string));
      const mixed = A.add(T).toBytes();
      assert.deepEqual(checkPublicKey(mixed), { ok: false, reason: 'not-torsion-free' });
    });

    it('A3: rejects S + L, S = L and S ≥ 2^253 (malleability, CVE-2024-45193)', () => {
      assert.deepEqual(verifyOne({ publicKey: pub, message: msg, signature: addToS(sig, L) }), { state: 'invalid', reason: 's-not-reduced' });
      const sEqL = sig.slice();
      let l = L;
      for (let i = 32; i < 64; i++) {
        sEqL[i] = Number(l & 0xffn);
        l >>= 8n;
      }
      assert.equal(verifyOne({ publicKey: pub, message: msg, signature: sEqL }).state, 'invalid');
      const big = sig.slice();
      big[63] = 0x20;
      assert.equal(verifyOne({ publicKey: pub, message: msg, signature: big }).state, 'invalid');
    });

    it('A4: rejects a non-canonical public key encoding (y = p + 1)', () => {
      // p + 1 = 2^255 − 18 encodes the point with y = 1 non-canonically.
      const p1 = new Uint8Array(32).fill(0xff);
      p1[0] = 0xee;
      p1[31] = 0x7f;
      const r = checkPublicKey(p1);
      assert.equal(r.ok, false);
    });

    it('A9: refuses wrong signature lengths as data, never by throwing', () => {
      for (const len of [0, 63, 65]) {
        assert.deepEqual(verifyOne({ publicKey: pub, message: msg, signature: new Uint8Array(len) }), { state: 'invalid', reason: 'bad-length' });
      }
      assert.deepEqual(verifyOne({ publicKey: new Uint8Array(31), message: msg, signature: sig }), { state: 'key-rejected', reason: 'bad-length' });
    });

    it('never accepts what noble\'s RFC 8032 mode rejects (the policy is an intersection)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 511 }), (sk, m, bit) => {
          const p = ed25519.getPublicKey(sk);
          const s = ed25519.sign(m, sk);
          assert.equal(verifyOne({ publicKey: p, message: m, signature: s }).state, 'valid');
          const bad = s.slice();
          bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
          const ours = verifyOne({ publicKey: p, message: m, signature: bad }).state === 'valid';
          let noble = false;
          try {
            noble = ed25519.verify(bad, m, p, { zip215: false });
          } catch {
            noble = false;
          }
          if (ours) assert.ok(noble, 'accepted by us but not by noble strict');
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('verifySignatures()', () => {
    it('returns one verdict per input, in order', async () => {
      const out = await verifySignatures([
        { publicKey: pub, message: msg, signature: sig },
        { publicKey: pub, message: utf8('other'), signature: sig },
      ]);
      assert.deepEqual(out.map((v) => v.state), ['valid', 'invalid']);
    });
  });
});
