import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ivHasBit63Set, parseKeyDescription } from '../../../src/core/secretStorage/keyDescription.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import { toHex } from '../../../src/core/bytes.ts';

const json = (text: string): JsonValue => {
  const r = parseStrictJson(text);
  assert.ok(r.ok);
  return r.value;
};

describe('secretStorage/keyDescription', () => {
  describe('parseKeyDescription()', () => {
    it('accepts TV-7a (padded iv/mac)', () => {
      // matrix-crypto.md TV-7a (rust secret_storage.rs from_account_data_and_base58).
      const r = parseKeyDescription(
        'bmur2d9ypPUH1msSwCxQOJkuKRmJI55e',
        json('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"xv5b6/p3ExEw++wTyfSHEg==","mac":"ujBBbXahnTAMkmPUX2/0+VTfUh63pGyVRuBcDMgmJC8="}'),
      );
      assert.ok(r.ok);
      assert.equal(r.value.keyId, 'bmur2d9ypPUH1msSwCxQOJkuKRmJI55e');
      assert.equal(toHex(r.value.check!.iv), Buffer.from('xv5b6/p3ExEw++wTyfSHEg==', 'base64').toString('hex'));
      assert.equal(r.value.check!.mac.length, 32);
      assert.equal(r.value.check!.ivNonConformant, false);
      assert.equal(r.value.passphrase, undefined);
    });

    it('accepts TV-7b (unpadded, "name": null, passphrase) and TV-7c', () => {
      const b = parseKeyDescription(
        'yJWwBm2Ts8jHygTBslKpABFyykavhhfA',
        json('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"1Sl4os6UhNRkVQcT6ArQ0g","mac":"UCZlTzqVT7mNvLkwlcCJmuq9nA27oxqpXGdLr9SxD/Y","name":null,"passphrase":{"algorithm":"m.pbkdf2","iterations":1,"salt":"ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B"}}'),
      );
      assert.ok(b.ok);
      assert.equal(b.value.name, undefined);
      assert.ok(b.value.check);
      assert.deepEqual(b.value.passphrase, { ok: true, value: { algorithm: 'm.pbkdf2', salt: 'ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B', iterations: 1, weak: true } });
      const c = parseKeyDescription(
        'DZkbKc0RtKSq0z8V61w6KBmJCK6OCiIu',
        json('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"gH2iNpiETFhApvW6/FFEJQ","mac":"9Lw12m5SKDipNghdQXKjgpfdj1/K7HFI2brO+UWAGoM","passphrase":{"algorithm":"m.pbkdf2","salt":"IuLnH7S85YtZmkkBJKwNUKxWF42g9O1H","iterations":10}}'),
      );
      assert.ok(c.ok && c.value.check && c.value.passphrase?.ok);
    });

    it('reports a description without iv or mac as having no check (F2: unverifiable)', () => {
      for (const text of ['{"algorithm":"m.secret_storage.v1.aes-hmac-sha2"}', '{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"xv5b6/p3ExEw++wTyfSHEg"}', '{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":null,"mac":null}']) {
        const r = parseKeyDescription('k', json(text));
        assert.ok(r.ok, text);
        assert.equal(r.value.check, undefined, text);
      }
    });

    it('F3: rejects an iv of 14 bytes or a mac of 31 bytes as malformed', () => {
      const iv14 = Buffer.alloc(14, 1).toString('base64');
      const mac31 = Buffer.alloc(31, 1).toString('base64');
      const goodIv = Buffer.alloc(16, 1).toString('base64');
      const goodMac = Buffer.alloc(32, 1).toString('base64');
      const a = parseKeyDescription('k', json(`{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"${iv14}","mac":"${goodMac}"}`));
      assert.ok(!a.ok && a.error.code === 'malformed' && a.error.field === 'iv');
      const b = parseKeyDescription('k', json(`{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"${goodIv}","mac":"${mac31}"}`));
      assert.ok(!b.ok && b.error.code === 'malformed' && b.error.field === 'mac');
      const c = parseKeyDescription('k', json(`{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"not base64!","mac":"${goodMac}"}`));
      assert.ok(!c.ok && c.error.code === 'malformed');
      const d = parseKeyDescription('k', json(`{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":12,"mac":"${goodMac}"}`));
      assert.ok(!d.ok && d.error.code === 'malformed');
    });

    it('rejects the legacy curve25519 algorithm as unsupported-algorithm, and a missing algorithm as malformed', () => {
      const r = parseKeyDescription('k', json('{"algorithm":"m.secret_storage.v1.curve25519-aes-sha2","pubkey":"abc"}'));
      assert.deepEqual(r, { ok: false, error: { code: 'unsupported-algorithm', algorithm: 'm.secret_storage.v1.curve25519-aes-sha2' } });
      const m = parseKeyDescription('k', json('{"iv":"xv5b6/p3ExEw++wTyfSHEg"}'));
      assert.ok(!m.ok && m.error.code === 'malformed' && m.error.field === 'algorithm');
      for (const bad of ['null', '[]', '"x"', '{}']) assert.equal(parseKeyDescription('k', json(bad)).ok, false, bad);
      assert.equal(parseKeyDescription('k', undefined).ok, false);
    });

    it('accepts bad passphrase parameters but keeps their error (the key may still be checked by recovery key)', () => {
      const r = parseKeyDescription('k', json('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","passphrase":{"algorithm":"m.pbkdf2","salt":"s","iterations":2147483648}}'));
      assert.ok(r.ok);
      assert.equal(r.value.passphrase?.ok, false);
    });

    it('reports an IV with bit 63 set as non-conformant without refusing it', () => {
      const iv = Buffer.alloc(16);
      iv[8] = 0x80;
      const r = parseKeyDescription('k', json(`{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"${iv.toString('base64')}","mac":"${Buffer.alloc(32).toString('base64')}"}`));
      assert.ok(r.ok && r.value.check?.ivNonConformant === true);
    });
  });

  describe('ivHasBit63Set()', () => {
    it('reports bit 63 (byte 8, top bit) and nothing else', () => {
      const iv = new Uint8Array(16).fill(0xff);
      iv[8] = 0x7f;
      assert.equal(ivHasBit63Set(iv), false);
      iv[8] = 0x80;
      assert.equal(ivHasBit63Set(iv), true);
    });
  });
});
