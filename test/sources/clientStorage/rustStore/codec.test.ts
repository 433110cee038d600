/**
 * The rust-store reader's building blocks, each on its own: the strict MessagePack decoder, JSON
 * from bytes, key hashing, the four value encodings, the store-cipher export and its three key
 * derivations. Encrypted inputs are made here with node:crypto's ChaCha20-Poly1305 and HKDF /
 * PBKDF2 (a different stack from the code under test) and, for BLAKE3, checked against the
 * library's own hashed keys in libraryStores.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { decodeMessagePack } from '../../../../src/sources/clientStorage/rustStore/messagePack.ts';
import { BigIntText, NumberText, parseJsonBytes } from '../../../../src/sources/clientStorage/rustStore/jsonBytes.ts';
import { KEY_SEPARATOR, encodeKeyComponent, firstComponent, keyHasher } from '../../../../src/sources/clientStorage/rustStore/keyHash.ts';
import { decodeLegacyValue, decodeValue } from '../../../../src/sources/clientStorage/rustStore/valueCodec.ts';
import { KDF_ROUNDS, parseStoreCipherExport, unwrapStoreCipher } from '../../../../src/sources/clientStorage/rustStore/storeCipher.ts';
import { encodeBase64 } from '../../../../src/core/encoding/base64.ts';

const enc = new TextEncoder();
const b64 = (b: Uint8Array) => encodeBase64(b);

// ---- a tiny MessagePack writer for test inputs (rmp_serde's choices: fixmap/fixstr/arrays of ints) ----
type Mp = number | string | Mp[] | { [k: string]: Mp };
function mp(v: Mp): number[] {
  if (typeof v === 'number') {
    if (v < 0x80) return [v];
    if (v < 0x100) return [0xcc, v];
    if (v < 0x10000) return [0xcd, v >> 8, v & 0xff];
    return [0xce, (v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  }
  if (typeof v === 'string') {
    const b = [...enc.encode(v)];
    return b.length < 32 ? [0xa0 | b.length, ...b] : [0xd9, b.length, ...b];
  }
  if (Array.isArray(v)) return [...(v.length < 16 ? [0x90 | v.length] : [0xdc, v.length >> 8, v.length & 0xff]), ...v.flatMap(mp)];
  const e = Object.entries(v);
  return [0x80 | e.length, ...e.flatMap(([k, x]) => [...mp(k), ...mp(x)])];
}

/** An export as matrix-sdk-store-encryption writes it, wrapping `keys` (64 bytes) under `wrapKey`. */
function makeExport(kdf: Mp, wrapKey: Uint8Array, keys: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(randomBytes(24));
  const ciphertext = xchacha20poly1305(wrapKey, nonce).encrypt(keys);
  return Uint8Array.from(mp({ kdf_info: kdf, ciphertext_info: { ChaCha20Poly1305: { nonce: [...nonce], ciphertext: [...ciphertext] } } }));
}

const hkdf = (ikm: Uint8Array, info: string) => new Uint8Array(hkdfSync('sha256', ikm, new Uint8Array(0), enc.encode(info), 32));

describe('rustStore/messagePack', () => {
  describe('decodeMessagePack()', () => {
    it('decodes the types the store-cipher export uses', () => {
      const r = decodeMessagePack(Uint8Array.from(mp({ a: 'None', b: [1, 200, 70000, 4_000_000_000], c: { d: [] } })));
      assert.ok(r.ok);
      assert.deepEqual(JSON.parse(JSON.stringify(r.value)), { a: 'None', b: [1, 200, 70000, 4_000_000_000], c: { d: [] } });
    });
    it('rejects what the export never contains, trailing bytes and duplicate keys', () => {
      for (const [bytes, code] of [
        [[0xc0], 'unsupported-type'],
        [[0xc3], 'unsupported-type'],
        [[0xcb, 0, 0, 0, 0, 0, 0, 0, 0], 'unsupported-type'],
        [[0xff], 'unsupported-type'],
        [[0x01, 0x02], 'trailing-bytes'],
        [[0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02], 'duplicate-key'],
        [[0x81, 0x01, 0x01], 'non-string-key'],
        [[0x93, 0x01], 'truncated'],
        [[0xdc, 0xff, 0xff], 'truncated'],
      ] as const) {
        const r = decodeMessagePack(Uint8Array.from(bytes));
        assert.ok(!r.ok && r.error.code === code, `${JSON.stringify(bytes)} → ${r.ok ? 'ok' : r.error.code}, expected ${code}`);
      }
    });
    it('never throws on random bytes', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeMessagePack(b)), { numRuns: 2000 });
    });
  });
});

describe('rustStore/jsonBytes', () => {
  describe('parseJsonBytes()', () => {
    it('agrees with JSON.parse on any JSON value', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
          const text = JSON.stringify(v);
          const r = parseJsonBytes(enc.encode(text));
          assert.ok(r.ok, text);
          // Integers beyond ±2^53 and numbers with a fraction or exponent are kept as text (by
          // design); compare them by value. Both sides go through JSON.stringify, which also
          // writes -0 as 0.
          const asNumbers = (_k: string, x: unknown) => (x instanceof BigIntText || x instanceof NumberText ? Number(x.text) : x);
          assert.equal(JSON.stringify(r.value, asNumbers), JSON.stringify(JSON.parse(text)));
        }),
        { numRuns: 1000 },
      );
    });
    it('keeps a number with a fraction or exponent as its text, so a signed object is not normalised (1.0 stays 1.0)', () => {
      const r = parseJsonBytes(enc.encode('{"a":1.0,"b":1e2,"c":-0.5,"d":7}'));
      assert.ok(r.ok);
      const v = r.value as Record<string, unknown>;
      for (const [k, text] of [['a', '1.0'], ['b', '1e2'], ['c', '-0.5']] as const) assert.ok(v[k] instanceof NumberText && v[k].text === text, k);
      assert.equal(v['d'], 7);
    });
    it('keeps integers beyond 2^53 as text instead of rounding them', () => {
      const r = parseJsonBytes(enc.encode('{"n":18446744073709551615}'));
      assert.ok(r.ok);
      const n = (r.value as { n: unknown }).n;
      assert.ok(n instanceof BigIntText && n.text === '18446744073709551615');
    });
    it('rejects duplicate keys, lone surrogates, control characters, leading zeros and trailing garbage', () => {
      for (const bad of ['{"a":1,"a":2}', '"\\ud800"', '"\\udc00x"', '"a\u0001"', '01', '[1,]', '{"a":1}x', '', 'tru', '"\\x"', '-', '1.', '1e']) {
        assert.ok(!parseJsonBytes(enc.encode(bad)).ok, JSON.stringify(bad));
      }
    });
    it('reads escapes and surrogate pairs', () => {
      const r = parseJsonBytes(enc.encode('"a\\n\\"\\u00e9\\ud83d\\ude00/"'));
      assert.ok(r.ok && r.value === 'a\n"é😀/');
    });
    it('never throws on random bytes', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void parseJsonBytes(b)), { numRuns: 2000 });
    });
  });
});

describe('rustStore/keyHash', () => {
  it('escapes U+001D in a component and finds the first component of a tuple key', () => {
    assert.equal(encodeKeyComponent('a\u001db'), 'a\u001e\u001db');
    const k = keyHasher(undefined).key('devices', '@u\u001d:x', 'DEV');
    assert.equal(k, `@u\u001e\u001d:x${KEY_SEPARATOR}DEV`);
    assert.equal(firstComponent(k), '@u\u001e\u001d:x');
  });
  it('hashes each component with a per-table key: 43 characters, different per table', () => {
    const h = keyHasher(new Uint8Array(32).fill(7));
    const a = h.key('devices', '@u:x', 'DEV');
    const [u, d] = a.split(KEY_SEPARATOR);
    assert.equal(u?.length, 43);
    assert.equal(d?.length, 43);
    assert.notEqual(h.key('identities', '@u:x'), u);
    assert.equal(h.key('devices', '@u:x'), u);
    h.wipe();
    assert.throws(() => h.key('devices', '@u:x'), TypeError);
  });
});

describe('rustStore/valueCodec', () => {
  const key = new Uint8Array(randomBytes(32));
  const seal = (plain: string) => {
    const nonce = new Uint8Array(randomBytes(24));
    return { nonce, ciphertext: xchacha20poly1305(key, nonce).encrypt(enc.encode(plain)) };
  };

  describe('decodeValue()', () => {
    it('decodes the current encrypted form', () => {
      const { nonce, ciphertext } = seal('{"a":[1,2]}');
      const r = decodeValue({ j: { version: 1, ciphertext: b64(ciphertext), nonce: b64(nonce) } }, key);
      assert.ok(r.ok && r.value.encoding === 'current');
      assert.deepEqual(JSON.parse(JSON.stringify(r.value.value)), { a: [1, 2] });
    });
    it('decodes the legacy encrypted form (a byte array of serde_json of {version, ciphertext, nonce})', () => {
      const { nonce, ciphertext } = seal('"3"');
      const outer = enc.encode(JSON.stringify({ version: 1, ciphertext: [...ciphertext], nonce: [...nonce] }));
      const r = decodeValue({ b: b64(outer) }, key);
      assert.ok(r.ok && r.value.encoding === 'legacy' && r.value.value === '3');
    });
    it('decodes the unencrypted forms: base64 of JSON, and plain values', () => {
      const r1 = decodeValue({ j: b64(enc.encode('{"x":true}')) }, undefined);
      assert.ok(r1.ok && r1.value.encoding === 'unencrypted');
      const r2 = decodeValue({ j: { x: true } }, undefined);
      assert.ok(r2.ok && r2.value.encoding === 'unencrypted-legacy');
      const r3 = decodeValue({ b: b64(Uint8Array.from([1, 2, 3])) }, undefined);
      assert.ok(r3.ok && JSON.stringify(r3.value.value) === '[1,2,3]');
    });
    it('refuses an encrypted value in a plain store and a plain one in an encrypted store', () => {
      const { nonce, ciphertext } = seal('1');
      const d1 = decodeValue({ j: { version: 1, ciphertext: b64(ciphertext), nonce: b64(nonce) } }, undefined);
      assert.ok(!d1.ok && d1.error.code === 'encryption-mismatch');
      const d2 = decodeValue({ j: b64(enc.encode('1')) }, key);
      assert.ok(!d2.ok && d2.error.code === 'encryption-mismatch');
    });
    it('reports a wrong key, an altered value, a newer version, and non-JSON plaintext as such', () => {
      const { nonce, ciphertext } = seal('{"a":1}');
      const other = new Uint8Array(32);
      const w = decodeValue({ j: { version: 1, ciphertext: b64(ciphertext), nonce: b64(nonce) } }, other);
      assert.ok(!w.ok && w.error.code === 'wrong-key');
      const flipped = ciphertext.slice();
      flipped[0] = (flipped[0] as number) ^ 1;
      const t = decodeValue({ j: { version: 1, ciphertext: b64(flipped), nonce: b64(nonce) } }, key);
      assert.ok(!t.ok && t.error.code === 'wrong-key');
      const v = decodeValue({ j: { version: 2, ciphertext: b64(ciphertext), nonce: b64(nonce) } }, key);
      assert.ok(!v.ok && v.error.code === 'unsupported-version');
      const n = seal('not json');
      const j = decodeValue({ j: { version: 1, ciphertext: b64(n.ciphertext), nonce: b64(n.nonce) } }, key);
      assert.ok(!j.ok && j.error.code === 'bad-json');
      const x = decodeValue({ x: 'ArrayBuffer' }, key);
      assert.ok(!x.ok && x.error.code === 'malformed');
    });
  });
  describe('decodeLegacyValue()', () => {
    it('takes a plain string in an unencrypted store as the value (backup_key_v1), not as base64', () => {
      const r = decodeLegacyValue({ j: '3' }, undefined);
      assert.ok(r.ok && r.value.value === '3');
    });
  });
});

describe('rustStore/storeCipher', () => {
  const keys = new Uint8Array(randomBytes(64));
  const raw = new Uint8Array(randomBytes(32));
  const pickleKey = b64(raw);

  it('unwraps a "None" export: HKDF-SHA-256(raw key, "CRYPTOSTORE_CIPHER")', async () => {
    const e = parseStoreCipherExport(makeExport('None', hkdf(raw, 'CRYPTOSTORE_CIPHER'), keys));
    assert.ok(e.ok && e.value.kdf.kind === 'none');
    const k = await unwrapStoreCipher(e.value, pickleKey);
    assert.ok(k.ok);
    assert.deepEqual([...k.value.encryptionKey, ...k.value.macKeySeed], [...keys]);
  });
  it('unwraps a "HkdfSha256" export: a second HKDF with "matrix-sdk-store-encryption"', async () => {
    const e = parseStoreCipherExport(makeExport('HkdfSha256', hkdf(hkdf(raw, 'CRYPTOSTORE_CIPHER'), 'matrix-sdk-store-encryption'), keys));
    assert.ok(e.ok);
    const k = await unwrapStoreCipher(e.value, pickleKey);
    assert.ok(k.ok);
    assert.deepEqual([...k.value.encryptionKey, ...k.value.macKeySeed], [...keys]);
  });
  it('unwraps a PBKDF2 export with the pickle-key string as the passphrase, MessagePack or (very old) JSON', async () => {
    const salt = new Uint8Array(randomBytes(32));
    const rounds = 1000;
    const wrap = new Uint8Array(pbkdf2Sync(enc.encode(pickleKey), salt, rounds, 32, 'sha256'));
    const kdf = { Pbkdf2ToChaCha20Poly1305: { rounds, kdf_salt: [...salt] } };
    const m = parseStoreCipherExport(makeExport(kdf, wrap, keys));
    assert.ok(m.ok && m.value.kdf.kind === 'pbkdf2' && m.value.encoding === 'msgpack');
    const k = await unwrapStoreCipher(m.value, pickleKey);
    assert.ok(k.ok);
    assert.deepEqual([...k.value.encryptionKey], [...keys.subarray(0, 32)]);
    const nonce = new Uint8Array(randomBytes(24));
    const json = enc.encode(JSON.stringify({ kdf_info: kdf, ciphertext_info: { ChaCha20Poly1305: { nonce: [...nonce], ciphertext: [...xchacha20poly1305(wrap, nonce).encrypt(keys)] } } }));
    const j = parseStoreCipherExport(json);
    assert.ok(j.ok && j.value.encoding === 'json');
    assert.ok((await unwrapStoreCipher(j.value, pickleKey)).ok);
  });
  it('says wrong-key for another pickle key, and never guesses another derivation', async () => {
    const e = parseStoreCipherExport(makeExport('None', hkdf(raw, 'CRYPTOSTORE_CIPHER'), keys));
    assert.ok(e.ok);
    const k = await unwrapStoreCipher(e.value, b64(new Uint8Array(32)));
    assert.ok(!k.ok && k.error.code === 'wrong-key');
    const n = await unwrapStoreCipher(e.value, null);
    assert.ok(!n.ok && n.error.code === 'no-pickle-key');
    const s = await unwrapStoreCipher(e.value, 'short');
    assert.ok(!s.ok && s.error.code === 'bad-pickle-key');
  });
  it('refuses an unknown derivation and PBKDF2 parameters no library writes', () => {
    const u = parseStoreCipherExport(makeExport('Argon2id', new Uint8Array(32), keys));
    assert.ok(!u.ok && u.error.code === 'unknown-kdf');
    const big = parseStoreCipherExport(makeExport({ Pbkdf2ToChaCha20Poly1305: { rounds: 2 ** 31, kdf_salt: new Array(32).fill(1) } }, new Uint8Array(32), keys));
    assert.ok(!big.ok && big.error.code === 'unsafe-kdf-parameters');
    assert.ok(KDF_ROUNDS < 10_000_000);
    const junk = parseStoreCipherExport(Uint8Array.from([0x81, 0xa1, 0x61, 0x01]));
    assert.ok(!junk.ok && junk.error.code === 'malformed-export');
  });
});
