import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeLosslessJson as snapshotToJson } from '../../../src/core/json/writeJson.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';

const parse = (s: string) => {
  const r = parseStrictJson(s);
  assert.ok(r.ok);
  return r.value;
};

test('numbers the strict reader keeps verbatim are written verbatim (JSON.stringify would change them)', () => {
  const text = '{"a":1.0,"b":9007199254740993,"c":1e2,"d":-0,"e":[1,2.50],"f":"x"}';
  const v = parse(text);
  // JSON.stringify keeps them as strings (fail safe, see LosslessNumber.toJSON): not the rounded numbers, but not the text either.
  assert.equal(JSON.stringify(v), '{"a":"1.0","b":"9007199254740993","c":"1e2","d":"-0","e":[1,"2.50"],"f":"x"}');
  assert.equal(snapshotToJson(v), text);
});

test('round trip: parse(snapshotToJson(x)) writes back to the same text, indented or not', () => {
  const text = '{"keysQuery":{"device_keys":{"@a:b":{"D":{"keys":{},"n":1.10,"u":{}}}},"failures":{}},"list":[],"nul":null,"t":true,"s":"\\u0000\\n\\"é"}';
  const v = parse(text);
  assert.equal(snapshotToJson(parse(snapshotToJson(v))), snapshotToJson(v));
  const pretty = snapshotToJson(v, 2);
  assert.match(pretty, /\n {2}"keysQuery": \{/);
  assert.equal(snapshotToJson(parse(pretty)), snapshotToJson(v));
  // Indented output matches JSON.stringify's layout when no lossless number is involved.
  const plain = parse('{"a":[1,{"b":[]}],"c":{}}');
  assert.equal(snapshotToJson(plain, 2), JSON.stringify(plain, null, 2));
});

test('undefined members are left out; non-JSON values are refused', () => {
  assert.equal(snapshotToJson({ a: 1, b: undefined }), '{"a":1}');
  assert.throws(() => snapshotToJson({ a: Number.NaN }), TypeError);
  assert.throws(() => snapshotToJson({ a: () => 1 } as object), TypeError);
});
