/**
 * The client-store file's envelope (sources/clientStorage/clientStoreDump.ts): read with the strict
 * JSON reader, whose LosslessNumbers must come back as the plain numbers the page readers wrote
 * (not as strings, which `JSON.stringify` would make of them through `LosslessNumber.toJSON`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { readClientStoreDump } from '../../../src/sources/clientStorage/clientStoreDump.ts';

describe('clientStoreDump: readClientStoreDump()', () => {
  it('gives each dump back as plain JSON: big and fractional numbers as numbers, nested objects kept', () => {
    const text = '{"format":"crosscheck-client-store/1","userId":"@a:hs","deviceId":"D","rust":{"dump":{"n":1.5,"big":18446744073709551615,"list":[{"x":2.25}],"s":"t"}},"sync":{"unavailable":"none"}}';
    const parsed = parseStrictJson(text);
    assert.ok(parsed.ok);
    const r = readClientStoreDump(parsed.value);
    assert.ok(r.ok);
    assert.ok('dump' in r.value.rust);
    assert.deepEqual(JSON.parse(JSON.stringify(r.value.rust.dump)), { n: 1.5, big: 18446744073709551615, list: [{ x: 2.25 }], s: 't' });
    assert.deepEqual(r.value.sync, { unavailable: 'none' });
  });
});
