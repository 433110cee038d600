import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBase64, encodeBase64 } from '../../../src/core/encoding/base64.ts';

describe('base64', () => {
  describe('decodeBase64()', () => {
    it('round-trips with encodeBase64 and agrees with Buffer on canonical input', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
          const s = encodeBase64(bytes);
          assert.equal(s, Buffer.from(bytes).toString('base64').replace(/=+$/, ''));
          const d = decodeBase64(s);
          assert.ok(d.ok);
          assert.deepEqual(d.value, bytes);
        }),
      );
    });

    it('A9: rejects non-zero trailing bits (TV-2 seed spelling) and junk characters', () => {
      // matrix-crypto.md §1.1: the appendix seed ends in "1" where the canonical form ends in "0".
      const nc = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
      assert.ok(!nc.ok);
      assert.equal(nc.error.code, 'non-canonical');
      assert.ok(decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0').ok);
      const junk = decodeBase64('Z!m8');
      assert.ok(!junk.ok);
      assert.deepEqual(junk.error, { code: 'bad-character', position: 1, character: '!' });
      assert.ok(!decodeBase64('Zm9v-_').ok, 'URL-safe alphabet is not Matrix base64');
    });

    it('rejects padding unless allowed, and then only correct padding', () => {
      assert.ok(!decodeBase64('Zm8=').ok);
      assert.ok(decodeBase64('Zm8=', { padding: 'allow' }).ok);
      assert.ok(decodeBase64('Zm8', { padding: 'allow' }).ok);
      for (const bad of ['Zm8==', 'Zg=', 'Zm9v=', '=', 'Zm=8']) assert.ok(!decodeBase64(bad, { padding: 'allow' }).ok, bad);
    });

    it('enforces an expected size and names both sizes', () => {
      const r = decodeBase64('AAAA', { bytes: 32 });
      assert.ok(!r.ok);
      assert.deepEqual(r.error, { code: 'wrong-size', expected: 32, actual: 3 });
    });

    it('never throws on non-strings', () => {
      for (const v of [undefined, null, 5, {}, []]) assert.equal(decodeBase64(v).ok, false);
    });
  });
});
