import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import anotherJson from 'another-json';
import { canonicalJson, compareCodePoints, signingInput } from '../../../src/core/json/canonicalJson.ts';
import { parseStrictJson, isJsonObject, type JsonValue } from '../../../src/core/json/strictJson.ts';

const parse = (s: string): JsonValue => {
  const r = parseStrictJson(s);
  assert.ok(r.ok, `fixture must parse: ${s}`);
  return r.value;
};
const canon = (s: string): string => {
  const r = canonicalJson(parse(s));
  assert.ok(r.ok, `must canonicalise: ${s}`);
  return r.value;
};

describe('canonicalJson', () => {
  describe('canonicalJson()', () => {
    // TV-1: matrix-org/matrix-spec content/appendices.md "Canonical JSON" examples (matrix-crypto.md §1.2).
    it('reproduces all nine spec appendix examples (TV-1)', () => {
      assert.equal(canon('{}'), '{}');
      assert.equal(canon('{"one": 1, "two": "Two"}'), '{"one":1,"two":"Two"}');
      assert.equal(canon('{"b": "2", "a": "1"}'), '{"a":"1","b":"2"}');
      assert.equal(
        canon('{"auth":{"success":true,"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"medium":"email","address":"john.doe@example.org"},{"medium":"msisdn","address":"123456789"}]}}}'),
        '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
      );
      assert.equal(canon('{"a": "日本語"}'), '{"a":"日本語"}');
      assert.equal(canon('{"本": 2, "日": 1}'), '{"日":1,"本":2}');
      assert.equal(canon('{"a": "\\u65E5"}'), '{"a":"日"}');
      assert.equal(canon('{"a": null}'), '{"a":null}');
      // The appendix's `{"a": -0, "b": 1e10}` example is outside what we sign over: the strict reader
      // keeps -0 and 1e10 lossless and canonicalisation refuses them (security B4). As plain JS
      // numbers they canonicalise as the spec says.
      const js = canonicalJson({ a: -0, b: 10000000000 } as unknown as JsonValue);
      assert.ok(js.ok);
      assert.equal(js.value, '{"a":0,"b":10000000000}');
    });

    it('B1: sorts keys by code point, not UTF-16 unit (U+FF61 before U+1F600)', () => {
      assert.equal(canon('{"\\ud83d\\ude00":2,"\\uff61":1}'), '{"｡":1,"😀":2}');
      assert.ok(compareCodePoints('\uff61', '\ud83d\ude00') < 0);
      // Regression guard: the UTF-16 order another-json (and js-sdk) use differs here.
      assert.equal(anotherJson.stringify({ '\uff61': 1, '\ud83d\ude00': 2 }), '{"😀":2,"｡":1}');
    });

    it('B3: escapes control characters as lowercase \\u00xx and keeps U+2028/U+007F raw', () => {
      assert.equal(canon('{"s":"\\u0001\\u001f\\u007f\\u2028"}'), '{"s":"\\u0001\\u001f\u007f\u2028"}');
    });

    it('B4: refuses unsafe integers, fractions, exponents and -0 from the wire', () => {
      for (const raw of ['9007199254740993', '1.0', '1e10', '-0']) {
        const r = canonicalJson(parse(`{"n":${raw}}`));
        assert.ok(!r.ok, `${raw} must be refused`);
        assert.equal(r.error.code, 'non-integer-number');
        assert.equal(r.error.path, '$.n');
      }
    });

    it('agrees with another-json on ASCII-keyed objects (js-sdk differential, STYLE §22)', () => {
      const samples = ['{"b":[{"z":1,"a":"x"}],"a":{"é":"ü","c":true}}', '{"keys":{"ed25519:AB":"x"},"user_id":"@a:b","usage":["master"]}'];
      for (const s of samples) assert.equal(canon(s), anotherJson.stringify(JSON.parse(s)));
    });
  });

  describe('signingInput()', () => {
    it('drops only the top-level signatures and unsigned (B7)', () => {
      const v = parse('{"a":1,"signatures":{"x":{}},"unsigned":{"n":"x"},"keys":{"unsigned":1,"signatures":2}}');
      assert.ok(isJsonObject(v));
      const r = signingInput(v);
      assert.ok(r.ok);
      assert.equal(r.value, '{"a":1,"keys":{"signatures":2,"unsigned":1}}');
      assert.ok('signatures' in v, 'the caller\'s object is not modified');
    });
  });
});
