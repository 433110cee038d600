import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { aes256CbcDecrypt, aes256Ctr, hkdfSha256, hmacSha256 } from '../../../src/core/crypto/symmetric.ts';
import { toHex } from '../../../src/core/bytes.ts';
import { hex, readWycheproof } from './wycheproofFile.ts';

describe('crypto/symmetric', () => {
  describe('hkdfSha256()', () => {
    it('accepts every valid Wycheproof hkdf_sha256 case and refuses the over-long ones', () => {
      const file = readWycheproof('hkdf_sha256_test.json');
      let ran = 0;
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          const size = t.size as number;
          if (t.result === 'valid') {
            const okm = hkdfSha256(hex(t.ikm), hex(t.salt), hex(t.info), size);
            assert.equal(toHex(okm), t.okm, `tcId ${t.tcId}: OKM should match`);
          } else {
            // The only invalid cases ask for more than 255·32 bytes (RFC 5869 §2.3): misuse, RangeError.
            assert.throws(() => hkdfSha256(hex(t.ikm), hex(t.salt), hex(t.info), size), RangeError, `tcId ${t.tcId} should be refused`);
          }
          ran++;
        }
      }
      assert.equal(ran, file.numberOfTests, 'every case should run');
    });

    it('accepts RFC 5869 A.1 and A.3 (empty salt and info)', () => {
      // RFC 5869 Appendix A, test cases 1 and 3.
      const ikm = new Uint8Array(22).fill(0x0b);
      assert.equal(
        toHex(hkdfSha256(ikm, hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42)),
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      );
      assert.equal(
        toHex(hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42)),
        '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
      );
    });

    it('reports the same output for absent, 1-, 8- and 32-byte zero salts (matrix-crypto.md §5.3)', () => {
      const ikm = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const ref = toHex(hkdfSha256(ikm, undefined, new Uint8Array(0), 80));
      for (const n of [0, 1, 8, 32]) assert.equal(toHex(hkdfSha256(ikm, new Uint8Array(n), new Uint8Array(0), 80)), ref, `${n}-byte zero salt`);
    });

    it('accepts random inputs with the same output as node:crypto hkdfSync', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 255 }), (ikm, salt, info, len) => {
          const ours = toHex(hkdfSha256(ikm, salt, info, len));
          const theirs = Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, info, len)).toString('hex');
          assert.equal(ours, theirs);
        }),
        { numRuns: 200 },
      );
    });

    it('rejects a zero or fractional length as misuse', () => {
      assert.throws(() => hkdfSha256(new Uint8Array(32), undefined, new Uint8Array(0), 0), RangeError);
      assert.throws(() => hkdfSha256(new Uint8Array(32), undefined, new Uint8Array(0), 1.5), RangeError);
    });
  });

  describe('hmacSha256()', () => {
    it('reports every Wycheproof hmac_sha256 case correctly (tags truncated as the group says)', () => {
      const file = readWycheproof('hmac_sha256_test.json');
      let ran = 0;
      for (const group of file.testGroups) {
        const tagBytes = (group.tagSize as number) / 8;
        for (const t of group.tests) {
          const tag = hmacSha256(hex(t.key), hex(t.msg)).subarray(0, tagBytes);
          const same = toHex(tag) === t.tag;
          assert.equal(same, t.result === 'valid', `tcId ${t.tcId} (${t.comment}) should be ${t.result}`);
          ran++;
        }
      }
      assert.equal(ran, file.numberOfTests);
    });

    it('accepts random keys and messages with the same tag as node:crypto', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, msg) => {
          assert.equal(toHex(hmacSha256(key, msg)), nodeCrypto.createHmac('sha256', key).update(msg).digest('hex'));
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('aes256Ctr()', () => {
    it('accepts NIST SP 800-38A F.5.5 CTR-AES256.Encrypt (and F.5.6 decrypt)', () => {
      // NIST SP 800-38A (2001), Appendix F.5.5/F.5.6; the counter carries from byte 15 into byte 14 at block 2.
      const key = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
      const iv = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
      const pt = hex('6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710');
      const ct = '601ec313775789a5b7a7f504bbf3d228' + 'f443e3ca4d62b59aca84e990cacaf5c5' + '2b0930daa23de94ce87017ba2d84988d' + 'dfc9c58db67aada613c2dd08457941a6';
      assert.equal(toHex(aes256Ctr(key, iv, pt)), ct);
      assert.equal(toHex(aes256Ctr(key, iv, hex(ct))), toHex(pt));
      assert.equal(toHex(iv), 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'the caller’s counter block should not change');
    });

    it('accepts an IV whose low 64 bits overflow, carrying across all 128 bits (rust Ctr128BE)', () => {
      // IV with the low 64 bits all ones: block 2 must use counter …0001 0000…0000 (carry into bit 64).
      const key = new Uint8Array(32).fill(7);
      const iv = hex('0000000000000000ffffffffffffffff');
      const out = aes256Ctr(key, iv, new Uint8Array(32));
      const c = nodeCrypto.createCipheriv('aes-256-ctr', key, iv); // node/OpenSSL: 128-bit counter
      assert.equal(toHex(out), Buffer.concat([c.update(new Uint8Array(32)), c.final()]).toString('hex'));
    });

    it('accepts random inputs with the same output as node:crypto aes-256-ctr', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 100 }), (key, iv, data) => {
          const c = nodeCrypto.createCipheriv('aes-256-ctr', key, iv);
          assert.equal(toHex(aes256Ctr(key, iv, data)), Buffer.concat([c.update(data), c.final()]).toString('hex'));
        }),
        { numRuns: 200 },
      );
    });

    it('rejects wrong key or IV lengths as misuse', () => {
      assert.throws(() => aes256Ctr(new Uint8Array(16), new Uint8Array(16), new Uint8Array(1)), RangeError);
      assert.throws(() => aes256Ctr(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1)), RangeError);
    });
  });

  describe('aes256CbcDecrypt()', () => {
    it('reports every Wycheproof aes_cbc_pkcs5 256-bit case correctly', () => {
      const file = readWycheproof('aes_cbc_pkcs5_test.json');
      let ran = 0;
      for (const group of file.testGroups) {
        if (group.keySize !== 256) continue;
        for (const t of group.tests) {
          const r = aes256CbcDecrypt(hex(t.key), hex(t.iv), hex(t.ct));
          if (t.result === 'valid') {
            assert.ok(r.ok, `tcId ${t.tcId} should decrypt`);
            assert.equal(toHex(r.value), t.msg, `tcId ${t.tcId} plaintext`);
          } else {
            assert.equal(r.ok, false, `tcId ${t.tcId} (${t.comment}) should be refused`);
          }
          ran++;
        }
      }
      assert.equal(ran, 72, 'all 72 AES-256 cases should run');
    });

    it('rejects an empty or partial-block ciphertext as bad-length', () => {
      const key = new Uint8Array(32);
      const iv = new Uint8Array(16);
      assert.deepEqual(aes256CbcDecrypt(key, iv, new Uint8Array(0)), { ok: false, error: { code: 'bad-length', length: 0 } });
      assert.deepEqual(aes256CbcDecrypt(key, iv, new Uint8Array(17)), { ok: false, error: { code: 'bad-length', length: 17 } });
    });

    it('accepts node:crypto aes-256-cbc encryptions of random plaintexts', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 80 }), (key, iv, pt) => {
          const c = nodeCrypto.createCipheriv('aes-256-cbc', key, iv);
          const ct = Buffer.concat([c.update(pt), c.final()]);
          const r = aes256CbcDecrypt(key, iv, ct);
          assert.ok(r.ok);
          assert.equal(toHex(r.value), toHex(pt));
        }),
        { numRuns: 200 },
      );
    });

    it('rejects a padding byte of 0 or above 16', () => {
      const key = new Uint8Array(32).fill(1);
      const iv = new Uint8Array(16);
      for (const last of [0, 17, 255]) {
        const block = new Uint8Array(16).fill(last);
        const c = nodeCrypto.createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
        const ct = Buffer.concat([c.update(block), c.final()]);
        assert.deepEqual(aes256CbcDecrypt(key, iv, ct), { ok: false, error: { code: 'bad-padding' } }, `pad byte ${last}`);
      }
    });
  });
});
