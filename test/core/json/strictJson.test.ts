import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStrictJson, LosslessNumber, isJsonObject } from '../../../src/core/json/strictJson.ts';

describe('strictJson', () => {
  describe('parseStrictJson()', () => {
    it('accepts ordinary JSON and gives objects no prototype', () => {
      const r = parseStrictJson('{"a":[1,true,null,"x"],"b":{"c":-5}}');
      assert.ok(r.ok);
      assert.ok(isJsonObject(r.value));
      assert.equal(Object.getPrototypeOf(r.value), null, 'objects must have a null prototype');
      assert.deepEqual(JSON.parse(JSON.stringify(r.value)), { a: [1, true, null, 'x'], b: { c: -5 } });
    });

    it('rejects duplicate keys with the path and position (security B: parser differential)', () => {
      const r = parseStrictJson('{"a":{"k":"A",\n "k":"B"}}');
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'duplicate-key');
      assert.equal(r.error.path, '$.a');
      assert.equal(r.error.line, 2);
      assert.equal(r.error.column, 2);
    });

    it('rejects "__proto__" keys', () => {
      const r = parseStrictJson('{"x":{"__proto__":{"verified":true}}}');
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'forbidden-key');
      assert.equal(({} as Record<string, unknown>)['verified'], undefined, 'no prototype was polluted');
    });

    it('rejects lone surrogates, accepts paired ones', () => {
      const bad = parseStrictJson('{"d":"ABC\\ud800"}');
      assert.ok(!bad.ok);
      assert.equal(bad.error.code, 'lone-surrogate');
      const good = parseStrictJson('{"d":"\\ud83d\\ude00"}');
      assert.ok(good.ok);
    });

    it('keeps non-safe-integer numbers verbatim as LosslessNumber (security B4)', () => {
      for (const raw of ['9007199254740993', '1.0', '1e10', '-0', '0.5']) {
        const r = parseStrictJson(`{"n":${raw}}`);
        assert.ok(r.ok && isJsonObject(r.value));
        const n = r.value['n'];
        assert.ok(n instanceof LosslessNumber, `${raw} must stay lossless`);
        assert.equal(n.raw, raw);
      }
      // A stray JSON.stringify must never turn them into the rounded number a lenient verifier accepts.
      const kept = parseStrictJson('{"n":1.0,"m":9007199254740993}');
      assert.ok(kept.ok);
      assert.equal(JSON.stringify(kept.value), '{"n":"1.0","m":"9007199254740993"}');
      const safe = parseStrictJson('{"n":9007199254740991}');
      assert.ok(safe.ok && isJsonObject(safe.value) && safe.value['n'] === 9007199254740991);
    });

    it('rejects malformed input with a position, never throws', () => {
      for (const bad of ['', '{', '{"a":}', '[1,]', '{"a" 1}', '01', '"\u0001"', 'nul', '{"a":1}x', '"\\x"', '-', '1.', '1e']) {
        const r = parseStrictJson(bad);
        assert.ok(!r.ok, `${JSON.stringify(bad)} must be rejected`);
        assert.equal(typeof r.error.position, 'number');
      }
    });

    it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
      const deep = '['.repeat(100000) + ']'.repeat(100000);
      const r = parseStrictJson(deep);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'too-deep');
    });

    it('rejects input over the size limit', () => {
      const r = parseStrictJson('"' + 'a'.repeat(100) + '"', { maxLength: 50 });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'too-large');
    });

    it('agrees with JSON.parse on well-formed, duplicate-free JSON', () => {
      const text = JSON.stringify({ s: 'ünï\u2028\\"/', a: [0, -1, 123456789], o: { '': 1, ' ': [] } });
      const r = parseStrictJson(text);
      assert.ok(r.ok);
      assert.deepEqual(JSON.parse(JSON.stringify(r.value)), JSON.parse(text));
    });
  });
});
