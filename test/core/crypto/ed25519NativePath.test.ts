/**
 * The native (WebCrypto) equation behind the same policy must agree with the noble path on every
 * edge vector: Wycheproof, speccheck, bit flips, and owner-crafted R = identity / mixed-order keys.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { policyVerifier, verifyOne, type SignatureCheck } from '../../../src/core/crypto/ed25519Policy.ts';
import { webCryptoEd25519 } from '../../../src/platform/webCryptoEd25519.ts';
import { fromHex, utf8 } from '../../../src/core/bytes.ts';
import { readSharedVector } from '../../helpers/sharedVectors.ts';

interface WycheproofEd {
  testGroups: { publicKey: { pk: string }; tests: { msg: string; sig: string }[] }[];
}

function edgeChecks(): SignatureCheck[] {
  const out: SignatureCheck[] = [];
  const w = readSharedVector<WycheproofEd>('wycheproof/ed25519_test.json');
  for (const g of w.testGroups) for (const t of g.tests) out.push({ publicKey: fromHex(g.publicKey.pk), message: fromHex(t.msg), signature: fromHex(t.sig) });
  for (const c of readSharedVector<{ message: string; pub_key: string; signature: string }[]>('ed25519-speccheck/cases.json'))
    out.push({ publicKey: fromHex(c.pub_key), message: fromHex(c.message), signature: fromHex(c.signature) });
  // Owner-crafted R = identity: s = h·a (mod L) makes the cofactorless equation hold with R = 0.
  const seed = new Uint8Array(32).fill(9);
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  const m = utf8('owner-crafted');
  const R = ed25519.Point.ZERO.toBytes();
  const h = ed25519.Point.Fn.create(BigInt('0x' + Buffer.from(ed25519Hash(R, pointBytes, m)).reverse().toString('hex')));
  const s = ed25519.Point.Fn.create(h * scalar);
  const sBytes = Uint8Array.from(Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse());
  out.push({ publicKey: pointBytes, message: m, signature: new Uint8Array([...R, ...sBytes]) });
  // Mixed-order key, honest signatures, bit flips.
  const T = ed25519.Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[2] as string));
  out.push({ publicKey: ed25519.Point.fromBytes(pointBytes).add(T).toBytes(), message: m, signature: ed25519.sign(m, seed) });
  for (let i = 0; i < 20; i++) {
    const k = new Uint8Array(32).fill(i + 1);
    const msg = utf8(`message ${i}`);
    const sig = ed25519.sign(msg, k);
    if (i % 2) sig[i] = (sig[i] as number) ^ 4;
    out.push({ publicKey: ed25519.getPublicKey(k), message: msg, signature: sig });
  }
  return out;
}

import { sha512 } from '@noble/hashes/sha2.js';
function ed25519Hash(r: Uint8Array, a: Uint8Array, m: Uint8Array): Uint8Array {
  return sha512.create().update(r).update(a).update(m).digest();
}

describe('ed25519Policy', () => {
  describe('policyVerifier(native)', () => {
    it('gives exactly the noble path\'s verdicts on every edge vector', async () => {
      const native = await webCryptoEd25519();
      assert.ok(native, 'Node 20 has WebCrypto Ed25519');
      const checks = edgeChecks();
      const nativeVerdicts = await policyVerifier(native)(checks);
      const nobleVerdicts = checks.map(verifyOne);
      assert.equal(nativeVerdicts.length, checks.length);
      for (let i = 0; i < checks.length; i++) assert.equal(nativeVerdicts[i]?.state, nobleVerdicts[i]?.state, `check ${i}`);
      // The owner-crafted R = identity signature is refused by policy, not by luck: the platform's
      // own verifier (OpenSSL here) accepts it, as does noble's RFC 8032 mode.
      const crafted = checks[checks.length - 22] as SignatureCheck;
      assert.equal(await native(crafted.publicKey, crafted.message, crafted.signature), true, 'the platform alone accepts R = identity');
      assert.equal(ed25519.verify(crafted.signature, crafted.message, crafted.publicKey, { zip215: false }), true, 'so does noble strict');
      assert.deepEqual(nobleVerdicts[nobleVerdicts.length - 22], { state: 'invalid', reason: 'r-small-order' });
      assert.ok(nobleVerdicts.some((v) => v.state === 'valid') && nobleVerdicts.some((v) => v.state !== 'valid'));
    });

    it('falls back to the noble equation when the native one throws, never to valid', async () => {
      const throwing = async (): Promise<boolean> => {
        throw new Error('boom');
      };
      const seed = new Uint8Array(32).fill(3);
      const m = utf8('x');
      const sig = ed25519.sign(m, seed);
      const bad = sig.slice();
      bad[5] = (bad[5] as number) ^ 1;
      const v = await policyVerifier(throwing)([
        { publicKey: ed25519.getPublicKey(seed), message: m, signature: sig },
        { publicKey: ed25519.getPublicKey(seed), message: m, signature: bad },
      ]);
      assert.deepEqual(v.map((x) => x.state), ['valid', 'invalid']);
    });
  });
});
