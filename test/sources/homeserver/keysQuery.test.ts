import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeKeysQueryResponses, batches } from '../../../src/sources/homeserver/keysQuery.ts';
import { parseStrictJson, type JsonObject } from '../../../src/core/json/strictJson.ts';

const parse = (s: string) => {
  const r = parseStrictJson(s);
  assert.ok(r.ok);
  return r.value as JsonObject;
};

test('batches split evenly with a short last batch', () => {
  assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(batches([], 250), []);
});

test('merging disjoint batches gives the shape of a single response', () => {
  const a = parse('{"device_keys":{"@a:x":{"D":{}}},"master_keys":{"@a:x":{"k":1}},"failures":{"s1":{}},"user_signing_keys":{"@a:x":{}}}');
  const b = parse('{"device_keys":{"@b:y":{"E":{}}},"master_keys":{},"failures":{"s2":{"status":503}},"self_signing_keys":{"@b:y":{}}}');
  const r = mergeKeysQueryResponses([a, b]);
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(JSON.stringify(r.value)), {
    device_keys: { '@a:x': { D: {} }, '@b:y': { E: {} } },
    master_keys: { '@a:x': { k: 1 } },
    self_signing_keys: { '@b:y': {} },
    user_signing_keys: { '@a:x': {} },
    failures: { s1: {}, s2: { status: 503 } },
  });
});

test('the same user twice with the same data is fine; with different data it is an error, not a pick', () => {
  const a = parse('{"master_keys":{"@a:x":{"keys":{"ed25519:K":"K"},"n":1.0}}}');
  const same = parse('{"master_keys":{"@a:x":{"n":1.0,"keys":{"ed25519:K":"K"}}}}');
  assert.ok(mergeKeysQueryResponses([a, same]).ok);
  const other = parse('{"master_keys":{"@a:x":{"keys":{"ed25519:K":"K"},"n":1}}}');
  const r = mergeKeysQueryResponses([a, other]);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'malformed-response');
  assert.match(r.error.message, /different "master_keys" for "@a:x"/);
});

test('a map member that is not an object is malformed', () => {
  const r = mergeKeysQueryResponses([parse('{"device_keys":[]}')]);
  assert.ok(!r.ok);
});
