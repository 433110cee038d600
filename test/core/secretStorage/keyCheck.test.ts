import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkSecretStorageKey } from '../../../src/core/secretStorage/keyCheck.ts';
import { parseKeyDescription, type KeyCheckFields } from '../../../src/core/secretStorage/keyDescription.ts';
import { derivePassphraseKey, parsePassphraseParameters } from '../../../src/core/secretStorage/passphrase.ts';
import { decodeRecoveryKey } from '../../../src/core/recoveryKey/recoveryKey.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { utf8 } from '../../../src/core/bytes.ts';
import { keyDescriptionFor } from './fourSOracle.ts';

function checkFields(descriptionJson: string): KeyCheckFields {
  const j = parseStrictJson(descriptionJson);
  assert.ok(j.ok);
  const d = parseKeyDescription('k', j.value);
  assert.ok(d.ok && d.value.check);
  return d.value.check;
}

function recoveryKey(text: string): Uint8Array {
  const r = decodeRecoveryKey(text);
  assert.ok(r.ok);
  return r.value;
}

async function passphraseKey(pw: string, paramsJson: string): Promise<Uint8Array> {
  const j = parseStrictJson(paramsJson);
  assert.ok(j.ok);
  const p = parsePassphraseParameters(j.value);
  assert.ok(p.ok);
  return derivePassphraseKey(utf8(pw), p.value);
}

describe('secretStorage/keyCheck', () => {
  describe('checkSecretStorageKey()', () => {
    // matrix-crypto.md §8 TV-7 (matrix-rust-sdk secret_storage.rs and tests/integration/encryption*.rs).
    it('accepts TV-7a: the recovery key EsTj 3yST … matches its description', () => {
      const check = checkFields('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"xv5b6/p3ExEw++wTyfSHEg==","mac":"ujBBbXahnTAMkmPUX2/0+VTfUh63pGyVRuBcDMgmJC8="}');
      assert.equal(checkSecretStorageKey(recoveryKey('EsTj 3yST y93F SLpB jJsz eAXc 2XzA ygD3 w69H fGaN TKBj jXEd'), check), 'match');
    });

    it('accepts TV-7b: PBKDF2("mypassphrase", …, 1) matches', async () => {
      const check = checkFields('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"1Sl4os6UhNRkVQcT6ArQ0g","mac":"UCZlTzqVT7mNvLkwlcCJmuq9nA27oxqpXGdLr9SxD/Y","name":null}');
      const key = await passphraseKey('mypassphrase', '{"algorithm":"m.pbkdf2","iterations":1,"salt":"ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B"}');
      assert.equal(checkSecretStorageKey(key, check), 'match');
    });

    it('accepts TV-7c: PBKDF2("It\'s a secret to everybody", …, 10) matches; "…to nobody" does not', async () => {
      const check = checkFields('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"gH2iNpiETFhApvW6/FFEJQ","mac":"9Lw12m5SKDipNghdQXKjgpfdj1/K7HFI2brO+UWAGoM"}');
      const params = '{"algorithm":"m.pbkdf2","salt":"IuLnH7S85YtZmkkBJKwNUKxWF42g9O1H","iterations":10}';
      assert.equal(checkSecretStorageKey(await passphraseKey("It's a secret to everybody", params), check), 'match');
      assert.equal(checkSecretStorageKey(await passphraseKey("It's a secret to nobody", params), check), 'mismatch');
    });

    it('accepts TV-11b: the all-zero key and IV give the self-computed check MAC', () => {
      const check = checkFields('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"AAAAAAAAAAAAAAAAAAAAAA","mac":"HwRM9acFfsmgx1IlMgQI2n1pdsF6jVbAq9RIGTiIosQ"}');
      assert.equal(checkSecretStorageKey(new Uint8Array(32), check), 'match');
    });

    it('rejects the wrong key (TV-5 Alice key against TV-7a) as mismatch', () => {
      const check = checkFields('{"algorithm":"m.secret_storage.v1.aes-hmac-sha2","iv":"xv5b6/p3ExEw++wTyfSHEg==","mac":"ujBBbXahnTAMkmPUX2/0+VTfUh63pGyVRuBcDMgmJC8="}');
      assert.equal(checkSecretStorageKey(recoveryKey('EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d'), check), 'mismatch');
    });

    it('reports unverifiable when the description has no iv/mac', () => {
      assert.equal(checkSecretStorageKey(new Uint8Array(32), undefined), 'unverifiable');
    });

    it('accepts descriptions made by a node:crypto oracle and rejects one flipped MAC bit as mismatch', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(255), (key, bit) => {
          const desc = keyDescriptionFor(key);
          const check = checkFields(JSON.stringify(desc));
          assert.equal(checkSecretStorageKey(key, check), 'match');
          const mac = Uint8Array.from(check.mac);
          mac[bit >> 3] = (mac[bit >> 3] as number) ^ (1 << (bit & 7));
          assert.equal(checkSecretStorageKey(key, { ...check, mac }), 'mismatch');
        }),
        { numRuns: 100 },
      );
    });

    it('accepts the key without changing it', () => {
      const key = new Uint8Array(32).fill(5);
      checkSecretStorageKey(key, checkFields(JSON.stringify(keyDescriptionFor(key))));
      assert.ok(key.every((b) => b === 5));
    });
  });
});
