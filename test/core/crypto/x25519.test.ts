import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { x25519PublicKey, x25519SharedSecret } from '../../../src/core/crypto/x25519.ts';
import { toHex } from '../../../src/core/bytes.ts';
import { hex, readWycheproof } from './wycheproofFile.ts';

describe('crypto/x25519', () => {
  describe('x25519SharedSecret()', () => {
    it('reports every Wycheproof x25519 case correctly (low-order peers refused, everything else computed)', () => {
      const file = readWycheproof('x25519_test.json');
      let ran = 0;
      let refused = 0;
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          const r = x25519SharedSecret(hex(t.private), hex(t.public));
          if (t.flags.includes('ZeroSharedSecret')) {
            // "acceptable" in Wycheproof; we (like vodozemac) refuse them.
            assert.deepEqual(r, { ok: false, error: { code: 'low-order' } }, `tcId ${t.tcId} (${t.comment}) should be refused`);
            refused++;
          } else {
            // valid, and acceptable twist / non-canonical cases: must compute the RFC 7748 result.
            assert.ok(r.ok, `tcId ${t.tcId} (${t.comment}) should compute`);
            assert.equal(toHex(r.value), t.shared, `tcId ${t.tcId} shared secret`);
          }
          ran++;
        }
      }
      assert.equal(ran, file.numberOfTests);
      assert.equal(refused, 31, 'exactly the 31 zero-shared-secret cases should be refused');
    });

    it('accepts RFC 7748 §6.1 (the TV-11a backup key pair)', () => {
      const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const bobPub = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const r = x25519SharedSecret(alice, bobPub);
      assert.ok(r.ok);
      assert.equal(toHex(r.value), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    });

    it('rejects a peer key that is not 32 bytes without throwing', () => {
      assert.deepEqual(x25519SharedSecret(new Uint8Array(32).fill(1), new Uint8Array(31)), { ok: false, error: { code: 'bad-length', length: 31 } });
    });

    it('rejects a private key that is not 32 bytes as misuse', () => {
      assert.throws(() => x25519SharedSecret(new Uint8Array(31), new Uint8Array(32).fill(9)), RangeError);
    });
  });

  describe('x25519PublicKey()', () => {
    it('accepts RFC 7748 §6.1 Alice and agrees with node:crypto', () => {
      const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      assert.equal(toHex(x25519PublicKey(alice)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      for (let i = 0; i < 20; i++) {
        const kp = nodeCrypto.generateKeyPairSync('x25519');
        const priv = kp.privateKey.export({ format: 'jwk' }).d as string;
        const pub = kp.publicKey.export({ format: 'jwk' }).x as string;
        assert.equal(Buffer.from(x25519PublicKey(Buffer.from(priv, 'base64url'))).toString('base64url'), pub);
      }
    });
  });
});
