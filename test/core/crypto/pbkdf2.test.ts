import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { noblePbkdf2Sha512, type Pbkdf2Sha512 } from '../../../src/core/crypto/pbkdf2.ts';
import { toHex, utf8 } from '../../../src/core/bytes.ts';
import { hex, readWycheproof } from './wycheproofFile.ts';

/** What the extension will inject: WebCrypto PBKDF2 (here node's implementation of the same API). */
const webCryptoPbkdf2Sha512: Pbkdf2Sha512 = async (password, salt, iterations, bytes) => {
  const key = await webcrypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const bits = await webcrypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
};

describe('crypto/pbkdf2', () => {
  describe('noblePbkdf2Sha512()', () => {
    it('accepts every Wycheproof pbkdf2_hmacsha512 case', async () => {
      // All 58 cases use 4096 iterations, so none needs skipping for time.
      const file = readWycheproof('pbkdf2_hmacsha512_test.json');
      let ran = 0;
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          const dk = await noblePbkdf2Sha512(hex(t.password), hex(t.salt), t.iterationCount as number, t.dkLen as number);
          assert.equal(toHex(dk), t.dk, `tcId ${t.tcId} (${t.comment})`);
          ran++;
        }
      }
      assert.equal(ran, file.numberOfTests);
    });

    it('reports the same output as WebCrypto (node:crypto.webcrypto) for the TV-6 inputs and more', async () => {
      // matrix-crypto.md TV-6 inputs, plus a non-ASCII passphrase and a longer output.
      const cases: [string, string, number, number][] = [
        ['mypassphrase', 'ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B', 1, 32],
        ["It's a secret to everybody", 'IuLnH7S85YtZmkkBJKwNUKxWF42g9O1H', 10, 32],
        ['pässwörd 😀', 'sälz', 1000, 64],
      ];
      for (const [pw, salt, c, n] of cases) {
        const a = await noblePbkdf2Sha512(utf8(pw), utf8(salt), c, n);
        const b = await webCryptoPbkdf2Sha512(utf8(pw), utf8(salt), c, n);
        assert.equal(toHex(a), toHex(b), `${pw} / ${salt} / ${c}`);
      }
    });

    it('accepts TV-6: "mypassphrase" with 1 iteration gives 5aaf722d…', async () => {
      // matrix-crypto.md TV-6 (Derived; verified through TV-7b's check MAC).
      const dk = await noblePbkdf2Sha512(utf8('mypassphrase'), utf8('ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B'), 1, 32);
      assert.equal(toHex(dk), '5aaf722d0cce4cab9a7943020c26ee7a3b3f8e9174fe293152c2dd124a75cb68');
    });

    it('rejects zero, negative or fractional iteration counts as misuse', async () => {
      for (const c of [0, -1, 1.5, Number.NaN]) await assert.rejects(noblePbkdf2Sha512(utf8('a'), utf8('b'), c, 32), RangeError, `iterations ${c}`);
    });
  });
});
