import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { derivePassphraseKey, MAX_PBKDF2_ITERATIONS, parsePassphraseParameters } from '../../../src/core/secretStorage/passphrase.ts';
import type { Pbkdf2Sha512 } from '../../../src/core/crypto/pbkdf2.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import { toHex, utf8 } from '../../../src/core/bytes.ts';

const json = (text: string): JsonValue => {
  const r = parseStrictJson(text);
  assert.ok(r.ok);
  return r.value;
};

function params(text: string) {
  const r = parsePassphraseParameters(json(text));
  assert.ok(r.ok, `should parse: ${JSON.stringify(r)}`);
  return r.value;
}

describe('secretStorage/passphrase', () => {
  describe('parsePassphraseParameters()', () => {
    it('accepts the TV-7b and TV-7c parameter objects and flags their 1 and 10 rounds as weak', () => {
      // matrix-crypto.md TV-7b (rust tests/integration/encryption.rs) and TV-7c (rust secret_storage.rs).
      assert.deepEqual(params('{"algorithm":"m.pbkdf2","iterations":1,"salt":"ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B"}'), {
        algorithm: 'm.pbkdf2',
        salt: 'ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B',
        iterations: 1,
        weak: true,
      });
      assert.equal(params('{"algorithm":"m.pbkdf2","salt":"IuLnH7S85YtZmkkBJKwNUKxWF42g9O1H","iterations":10}').weak, true);
    });

    it('accepts 500 000 rounds and bits 256 (or null) as not weak', () => {
      assert.equal(params('{"algorithm":"m.pbkdf2","salt":"MmMsAlty","iterations":500000,"bits":256}').weak, false);
      assert.equal(params('{"algorithm":"m.pbkdf2","salt":"MmMsAlty","iterations":100000,"bits":null}').weak, false);
    });

    it('F8: rejects 2^31 rounds as iterations-too-high, with a message, and 2^64 too', () => {
      const r = parsePassphraseParameters(json('{"algorithm":"m.pbkdf2","salt":"s","iterations":2147483648}'));
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error.code === 'iterations-too-high' && r.error.iterations === 2 ** 31 && r.error.limit === MAX_PBKDF2_ITERATIONS);
      assert.match(!r.ok ? r.error.message : '', /not tried/);
      const huge = parsePassphraseParameters(json('{"algorithm":"m.pbkdf2","salt":"s","iterations":18446744073709551616}'));
      assert.equal(!huge.ok && huge.error.code, 'iterations-too-high');
      const exp = parsePassphraseParameters(json('{"algorithm":"m.pbkdf2","salt":"s","iterations":1e12}'));
      assert.equal(!exp.ok && exp.error.code, 'iterations-too-high');
    });

    it('accepts exactly the limit and rejects one more', () => {
      assert.equal(params(`{"algorithm":"m.pbkdf2","salt":"s","iterations":${MAX_PBKDF2_ITERATIONS}}`).iterations, MAX_PBKDF2_ITERATIONS);
      const r = parsePassphraseParameters(json(`{"algorithm":"m.pbkdf2","salt":"s","iterations":${MAX_PBKDF2_ITERATIONS + 1}}`));
      assert.equal(!r.ok && r.error.code, 'iterations-too-high');
    });

    it('F8: rejects bits 128 and 512 as unsupported-bits', () => {
      for (const bits of [128, 512, 0, '"256"']) {
        const r = parsePassphraseParameters(json(`{"algorithm":"m.pbkdf2","salt":"s","iterations":1000,"bits":${bits}}`));
        assert.equal(!r.ok && r.error.code, 'unsupported-bits', `bits ${bits}`);
      }
    });

    it('F8: rejects a missing, empty or non-string salt as bad-salt', () => {
      for (const salt of ['', ',"salt":""', ',"salt":12', ',"salt":null', ',"salt":["a"]']) {
        const r = parsePassphraseParameters(json(`{"algorithm":"m.pbkdf2","iterations":1000${salt}}`));
        assert.equal(!r.ok && r.error.code, 'bad-salt', `salt ${salt}`);
      }
    });

    it('rejects zero, negative, fractional, string or missing rounds as bad-iterations', () => {
      for (const it of ['0', '-5', '1.5', '"1000"', 'null', '1.0']) {
        const r = parsePassphraseParameters(json(`{"algorithm":"m.pbkdf2","salt":"s","iterations":${it}}`));
        assert.equal(!r.ok && r.error.code, 'bad-iterations', `iterations ${it}`);
      }
      const r = parsePassphraseParameters(json('{"algorithm":"m.pbkdf2","salt":"s"}'));
      assert.equal(!r.ok && r.error.code, 'bad-iterations');
    });

    it('rejects other algorithms and non-objects', () => {
      const r = parsePassphraseParameters(json('{"algorithm":"m.argon2","salt":"s","iterations":1}'));
      assert.ok(!r.ok && r.error.code === 'unsupported-algorithm' && r.error.algorithm === 'm.argon2');
      assert.equal(parsePassphraseParameters(json('"m.pbkdf2"')).ok, false);
      assert.equal(parsePassphraseParameters(undefined).ok, false);
    });
  });

  describe('derivePassphraseKey()', () => {
    it('accepts TV-6: both passphrases give the published keys', async () => {
      // matrix-crypto.md TV-6 (rust tests/integration/encryption.rs, secret_storage.rs).
      const a = await derivePassphraseKey(utf8('mypassphrase'), params('{"algorithm":"m.pbkdf2","iterations":1,"salt":"ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B"}'));
      assert.equal(toHex(a), '5aaf722d0cce4cab9a7943020c26ee7a3b3f8e9174fe293152c2dd124a75cb68');
      const b = await derivePassphraseKey(utf8("It's a secret to everybody"), params('{"algorithm":"m.pbkdf2","salt":"IuLnH7S85YtZmkkBJKwNUKxWF42g9O1H","iterations":10}'));
      assert.equal(toHex(b), '397aff44a04238741cff9b76b38126073c34bf25599fa9969287f01ccf77559f');
    });

    it('accepts the salt string as UTF-8 (not base64-decoded) and asks for 32 bytes', async () => {
      const calls: [string, string, number, number][] = [];
      const spy: Pbkdf2Sha512 = async (pw, salt, c, n) => {
        calls.push([Buffer.from(pw).toString(), Buffer.from(salt).toString(), c, n]);
        return new Uint8Array(n);
      };
      await derivePassphraseKey(utf8('pw'), params('{"algorithm":"m.pbkdf2","salt":"AAAA","iterations":7}'), spy);
      assert.deepEqual(calls, [['pw', 'AAAA', 7, 32]]);
    });

    it('F8: rejects parameters that bypassed the policy without running PBKDF2', async () => {
      let ran = false;
      const spy: Pbkdf2Sha512 = async (_p, _s, _c, n) => {
        ran = true;
        return new Uint8Array(n);
      };
      await assert.rejects(derivePassphraseKey(utf8('pw'), { algorithm: 'm.pbkdf2', salt: 's', iterations: 2 ** 31, weak: false }, spy), RangeError);
      assert.equal(ran, false);
    });

    it('rejects an injected PBKDF2 that returns the wrong length', async () => {
      const bad: Pbkdf2Sha512 = async () => new Uint8Array(16);
      await assert.rejects(derivePassphraseKey(utf8('pw'), params('{"algorithm":"m.pbkdf2","salt":"s","iterations":1}'), bad), RangeError);
    });
  });
});
