import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecoveryKey, describeRecoveryKeyError, encodeRecoveryKey } from '../../../src/core/recoveryKey/recoveryKey.ts';
import { toHex } from '../../../src/core/bytes.ts';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const b64hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

function decodedHex(text: string): string {
  const r = decodeRecoveryKey(text);
  assert.ok(r.ok, `should decode: ${JSON.stringify(r)}`);
  return toHex(r.value);
}

describe('recoveryKey', () => {
  describe('decodeRecoveryKey()', () => {
    // matrix-crypto.md §8 TV-5 (sources: matrix-rust-sdk backups/keys/decryption.rs `base58_decoding`,
    // secret_storage.rs `base58_parsing`; matrix-js-sdk spec/test-utils/crypto-test-data/index.ts).
    it('accepts TV-5 row 1 (RFC 7748 Alice key), with and without spaces', () => {
      const expected = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
      assert.equal(decodedHex('EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d'), expected);
      assert.equal(decodedHex('EsTcLW2KPGiFwKEA3As5g5c4BXwkqeeJZJV8Q9fugUMNUE4d'), expected);
      assert.equal(expected, b64hex('dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo'));
    });

    it('rejects TV-5 row 2 (last character changed) as bad-parity', () => {
      assert.deepEqual(decodeRecoveryKey('EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4e'), { ok: false, error: { code: 'bad-parity' } });
    });

    it('accepts TV-5 row 3 (js-sdk Bob backup key)', () => {
      assert.equal(decodedHex('EsT5 Sd5m mEXs NQYE ibRe 3q9E 4aXW rHih 5f9J 6rU6 AfwY mASR'), b64hex('DwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo='));
    });

    it('accepts TV-5 row 4 (odd whitespace) and its canonical display', () => {
      const expected = Buffer.from([159, 189, 70, 187, 52, 81, 113, 198, 246, 2, 44, 154, 37, 213, 104, 27, 165, 78, 236, 106, 108, 73, 83, 243, 173, 192, 185, 110, 157, 145, 173, 163]).toString('hex');
      assert.equal(decodedHex('EsT           pRvZTnjck8    YrhRAtw XLS84Nr2r9S9LGAWDaExVAPBvLRK   '), expected);
      assert.equal(decodedHex('EsTp RvZT njck 8Yrh RAtw XLS8 4Nr2 r9S9 LGAW DaEx VAPB vLRK'), expected);
    });

    it('rejects TV-5 rows 5–8: parity, prefix, length and non-base58', () => {
      assert.deepEqual(decodeRecoveryKey('EsTpRvZTnjck8YrhRAtwXLS84Nr2r9S9LGAWDaExVAPBvLRk'), { ok: false, error: { code: 'bad-parity' } });
      assert.deepEqual(decodeRecoveryKey('AATpRvZTnjck8YrhRAtwXLS84Nr2r9S9LGAWDaExVAPBvLRk'), { ok: false, error: { code: 'bad-prefix' } });
      assert.deepEqual(decodeRecoveryKey('AATpRvZTnjck8YrhRAtwXLS84Nr2r9S9'), { ok: false, error: { code: 'bad-length', length: 24 } });
      // The first of `0 O I l` is the `0` at character 28.
      assert.deepEqual(decodeRecoveryKey('AATpRvZTnjck8YrhRAtwXLS84Nr0OIl'), { ok: false, error: { code: 'bad-character', position: 28, character: '0' } });
    });

    it('accepts TV-5 row 9 (4S key of TV-7a/TV-8a)', () => {
      assert.equal(decodedHex('EsTj 3yST y93F SLpB jJsz eAXc 2XzA ygD3 w69H fGaN TKBj jXEd'), '8da2453dc22b51355ad77ab75b3e9863af7f4a7bc4af0ce8865b57e2d02196d1');
    });

    it('accepts tabs, newlines, NBSP, U+0085, U+2003, U+3000 anywhere (Unicode White_Space, like Rust)', () => {
      const expected = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
      assert.equal(decodedHex('\tEsTc\nLW2K\r\nPGiF\u00a0wKEA\u00853As5\u2003g5c4\u3000BXwk\u2028qeeJ\vZJV8\fQ9fu\u202fgUMN\u205fUE4d\n'), expected);
    });

    it('rejects a zero-width space or BOM as bad-character (not whitespace, as in Rust)', () => {
      const r = decodeRecoveryKey('EsTc\u200bLW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d');
      assert.deepEqual(r, { ok: false, error: { code: 'bad-character', position: 5, character: '\u200b' } });
      assert.deepEqual(decodeRecoveryKey('\ufeffEsTc'), { ok: false, error: { code: 'bad-character', position: 1, character: '\ufeff' } });
    });

    it('reports the position in the text as typed, counting whitespace and astral characters once', () => {
      assert.deepEqual(decodeRecoveryKey('EsTc LW2K 😀'), { ok: false, error: { code: 'bad-character', position: 11, character: '😀' } });
      assert.deepEqual(decodeRecoveryKey('  Es l'), { ok: false, error: { code: 'bad-character', position: 6, character: 'l' } });
    });

    it('rejects empty and whitespace-only text as empty', () => {
      assert.deepEqual(decodeRecoveryKey(''), { ok: false, error: { code: 'empty' } });
      assert.deepEqual(decodeRecoveryKey(' \n\t\u3000'), { ok: false, error: { code: 'empty' } });
    });

    it('rejects very long text as bad-length without decoding it', () => {
      const t0 = performance.now();
      assert.deepEqual(decodeRecoveryKey('z'.repeat(1_000_000)), { ok: false, error: { code: 'bad-length' } });
      assert.ok(performance.now() - t0 < 1000, 'should answer quickly');
    });

    it('rejects a key in another base58 alphabet (Flickr) by prefix or parity', () => {
      const flickr = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
      const bitcoin = 'EsTcLW2KPGiFwKEA3As5g5c4BXwkqeeJZJV8Q9fugUMNUE4d';
      const translated = [...bitcoin].map((c) => flickr[ALPHABET.indexOf(c)]).join('');
      const r = decodeRecoveryKey(translated);
      assert.equal(r.ok, false);
    });

    it('reports errors without the key text', () => {
      const text = 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4e';
      const r = decodeRecoveryKey(text);
      assert.equal(r.ok, false);
      const dump = JSON.stringify(r) + describeRecoveryKeyError(r.ok ? { code: 'empty' } : r.error);
      for (const group of text.split(' ')) assert.ok(!dump.includes(group), `error should not contain ${group}`);
    });
  });

  describe('encodeRecoveryKey()', () => {
    it('accepts the TV-5 keys and the derived extras, in groups of four', () => {
      const enc = (h: string) => encodeRecoveryKey(Uint8Array.from(Buffer.from(h, 'hex')));
      assert.equal(enc('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d');
      assert.equal(enc(b64hex('DwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=')), 'EsT5 Sd5m mEXs NQYE ibRe 3q9E 4aXW rHih 5f9J 6rU6 AfwY mASR');
      assert.equal(enc('8da2453dc22b51355ad77ab75b3e9863af7f4a7bc4af0ce8865b57e2d02196d1'), 'EsTj 3yST y93F SLpB jJsz eAXc 2XzA ygD3 w69H fGaN TKBj jXEd');
      // matrix-crypto.md TV-5 "Derived extras" and TV-6.
      assert.equal(enc('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'), 'EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1');
      assert.equal(enc('00'.repeat(32)), 'EsSz ygLv VP1b xF1C v7kE eBQx MxDP buG5 w25T L3b6 hfyG Kkrd');
      assert.equal(enc('5aaf722d0cce4cab9a7943020c26ee7a3b3f8e9174fe293152c2dd124a75cb68'), 'EsTT v9ic 1QcC Mg96 paiL 7y7n JDLz mjgK 63nE zsfN X4x7 iPL6');
      assert.equal(enc('397aff44a04238741cff9b76b38126073c34bf25599fa9969287f01ccf77559f'), 'EsTJ 43XY kfm5 31zX axQ1 1Qyu ex4G VDkC n8Rr Es8U FyYB 1ffn');
    });

    it('rejects a key that is not 32 bytes as misuse', () => {
      assert.throws(() => encodeRecoveryKey(new Uint8Array(31)), RangeError);
    });
  });

  describe('decodeRecoveryKey(encodeRecoveryKey()) properties', () => {
    const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

    it('accepts encode → decode round trips for random keys (always 48 characters starting "Es")', () => {
      fc.assert(
        fc.property(key32, (key) => {
          const text = encodeRecoveryKey(key);
          const compact = text.replaceAll(' ', '');
          assert.equal(compact.length, 48);
          assert.ok(compact.startsWith('Es'));
          assert.equal(decodedHex(text), toHex(key));
        }),
        { numRuns: 300 },
      );
    });

    it('rejects or decodes differently after any single-character substitution, deletion or insertion', () => {
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('sub' as const), at: fc.nat(47), ch: fc.constantFrom(...ALPHABET) }),
        fc.record({ kind: fc.constant('del' as const), at: fc.nat(47), ch: fc.constant('') }),
        fc.record({ kind: fc.constant('ins' as const), at: fc.nat(48), ch: fc.constantFrom(...ALPHABET) }),
      );
      fc.assert(
        fc.property(key32, edit, (key, e) => {
          const compact = encodeRecoveryKey(key).replaceAll(' ', '');
          if (e.kind === 'sub' && compact[e.at] === e.ch) return; // not a change
          const changed =
            e.kind === 'sub' ? compact.slice(0, e.at) + e.ch + compact.slice(e.at + 1) : e.kind === 'del' ? compact.slice(0, e.at) + compact.slice(e.at + 1) : compact.slice(0, e.at) + e.ch + compact.slice(e.at);
          const r = decodeRecoveryKey(changed);
          if (r.ok) assert.notEqual(toHex(r.value), toHex(key), `${e.kind} at ${e.at} must not decode to the same key`);
        }),
        { numRuns: 2000 },
      );
    });

    it('accepts whitespace inserted anywhere', () => {
      const ws = fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2009', '\u3000', '\u0085');
      fc.assert(
        fc.property(key32, fc.array(fc.tuple(fc.nat(48), ws), { maxLength: 20 }), (key, inserts) => {
          let text = encodeRecoveryKey(key).replaceAll(' ', '');
          for (const [at, w] of inserts) {
            const i = Math.min(at, text.length);
            text = text.slice(0, i) + w + text.slice(i);
          }
          assert.equal(decodedHex(text), toHex(key));
        }),
        { numRuns: 300 },
      );
    });
  });
});
