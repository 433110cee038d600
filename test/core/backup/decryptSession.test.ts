import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decryptSessionData } from '../../../src/core/backup/decryptSession.ts';
import { hkdfSha256, hmacSha256 } from '../../../src/core/crypto/symmetric.ts';
import { x25519SharedSecret } from '../../../src/core/crypto/x25519.ts';
import { decodeRecoveryKey } from '../../../src/core/recoveryKey/recoveryKey.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import { encryptBackupEntry, sessionExport, x25519Public } from './backupOracle.ts';

const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'));
const json = (v: unknown): JsonValue => {
  const r = parseStrictJson(JSON.stringify(v));
  assert.ok(r.ok);
  return r.value;
};

interface Vector {
  name: string;
  privateKey: string;
  ephemeral: string;
  mac: string;
  ciphertext: string;
  plaintext: string;
  sessionId?: string;
}

// matrix-crypto.md §8 TV-9 (values copied from the doc; sources named per vector there).
const TV9: Vector[] = [
  {
    // TV-9a: matrix-js-sdk spec/test-utils/crypto-test-data/index.ts (CURVE25519_KEY_BACKUP_DATA, MEGOLM_SESSION_DATA).
    name: 'TV-9a js-sdk Alice',
    privateKey: 'dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=',
    ephemeral: 'q+P1WdRtEiPIEtNuuGrRcueZxUbLnSKdsuTAkxewXgU',
    mac: 'OibmACbORhI',
    ciphertext:
      'r6HRk2/Im2yJe5cLP8R81aVjFWjYWPHpw7TVxphiSK1cdIDZTTK57r6MfU+0i/mTPn+/PosT74OvYwCnehy2dyqqks+Ev+uBKw3TAo0HCv7W3Rmq9XtqxikG9ts7XtcjFEkx37+qRaXtikcu0+CmUf+I5X6KStwNXb+CPnN2CGgwpn8g5+xEgSjE904QFrte4s9ygfqymgszgF7kzNICYF5g2GTlss8pdu/GLnh52AKvtT6FcqE5LC74N07BDWUycMHMMMw43F7z5GhzEnoWOXlbz+M4eTGrCYuhvcmQGNbdgzYqEXPm1z4xFhVgs84kFCtNeUc+AHZWfC2zynZ++4tpmfCYYpYEfYwQNo9Ks7o+Mh2PtAo9/GIU4xAK/uG0vizEiNYt/1QAxwgrmDxjdRe5TH4pPUtLMktRDyZKeUHJmYZA7pcLtpVatXhXmVEQLFLDc/uusxaBxFXYkx7BQnNRoa1BE1yXRxud94s6vMsI/auhn95TG58Z0Rz9psRT4HzgDKeHf/uVbdfKR9O3gqxlB4mzZAyTCqHhUQERmGiISC2FeuKkAwVk/ZxXiFqSTUCizwXcczGbzEbC+pBJTi6jX5Pa2yI9cT5C8xaGGUzEaKdNWukcs73uvXoFl/5y0Y29PkfE8UlPWpN4kZn7hrcOllcqqV9ZMH+rBbGViIw0yZ6yQUciEJzO8Gk3yz36lIT30VhCgKXMu+kELEPTRSVXqEQkCXBcfNOhgl3LIso',
    plaintext:
      '{"algorithm":"m.megolm.v1.aes-sha2","forwarding_curve25519_key_chain":[],"m.shared_history":true,"room_id":"!room:id","sender_claimed_keys":{"ed25519":"Bhbpt6hqMZlSH4sJV7xiEEEiPVeTWz4Vkujl1EMdIPI"},"sender_key":"WimPd2udAU/1S/+YBpPbmr9L+0H5H+BnAVHSwDxlPGc","session_id":"ipdI6Zs/7DzFTEhiA2iGaMDfHkIYCleqXT6L+5e1/co","session_key":"AQAAAABXGO+Z9jlQJhIL6ByhXrv2BwCIxkhh7MXpKLsYmXkJcWrQlirmXmD79ga1zo+I4DCtEZzyGSpDWXBC6G7ez3H4gDMBam1RE3Jm5tc+oTlIri32UkYgSL0kBkcEnttqmIXBlK8tAfJo3cJnlh7F4ltEOAqrdME6dU0zXTkqXmURqYqXSOmbP+w8xUxIYgNohmjA3x5CGApXql0+i/uXtf3K"}',
    sessionId: 'ipdI6Zs/7DzFTEhiA2iGaMDfHkIYCleqXT6L+5e1/co',
  },
  {
    // TV-9b: js-sdk index.ts (BOB_CURVE25519_KEY_BACKUP_DATA).
    name: 'TV-9b js-sdk Bob',
    privateKey: 'DwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=',
    ephemeral: 'oO0VX84OUIzm2i/12zAhTWOZT5IFRH5mXaKZ8fXkCgU',
    mac: 'lEfHlqfJQwU',
    ciphertext:
      'd7UVOK17WEVky/8hK0h3HsTQrFMEbKbfqMcl2KtyTWcI9S5gGFWK9Git5BzVRxRggvxQ0c8PDfqL+dr3zHytAA++ax1ey0Jp13HF6U35/DT5lPwB1ah4+uUwVKhq21xsdg/IFtiqYxYfNhzgJnkIeMVjZIX79+/B2VZ001SVzDWIkPorNu5DSyuCGCOrcvB/vXMRSsIYQr/Ns7apdpWbTpGm2KbNhJOZR9KBdlwY6mG++eWlsuv6wvlfjMRu+s2TJEXk60whigWluC0e/JuaAH+T2tKkz/RizPCbC/0EhDWpzCJHrZepDtDridQ/8+jbwGqQQoC6VS8PuqWGeXbc8q6a9swyG2OhyT95vRJfIj/BH2YoLn+5jbH4b19F8DRDY210tBRkYApVGuLzR2aWJrD4Q9Re699kWaY2NFW7G5NpWU3I4okWNx5jh5/g4q1EIo93m7XlxZYpwqgAwniQ7UqHEsweE/lRGlg4HxUOsY1wIpkPnrPnCwcdzjvuGZUraFTUJW3JvbBHbxD22keRkNEhsKNEx66vngCrtUNxsSoQ2DoJ+FIJRvxx+SGdPZrvqs6qUw5aCv9sXzxsPYl+QFsQIJ4GPJkIPzRv3gu3uCgpBC7IYNeVz3fCfXeedoyX45FONCosDdere5Z23n1y+caKlSP/Ahmw4ckg0YCxpt0NI64lfUE61KLvA1ptxYBo4VXul3gR/uP9RWE8ZFzYNPVBcft/YS2FwHeVeHCTdhQ',
    plaintext:
      '{"algorithm":"m.megolm.v1.aes-sha2","forwarding_curve25519_key_chain":[],"m.shared_history":true,"room_id":"!room:id","sender_claimed_keys":{"ed25519":"zBdpQwWYyz1MkZuEUhXqcdMfUNN/B9psLFDDDTJOg64"},"sender_key":"FOvlmz18LLI3k/llCpqRoKT90+gFF8YhuL+v1YBXHlw","session_id":"gywydBrIJcJWktC/ic3tunKZM1XZm1MpYiYtdbj8Rpc","session_key":"AQAAAADZJL7OdM/KHfPzXPZ3CtlLBIlzbwk06dnZTd3bvkcdP5u73rdmThBKdqGA4xzCyxZsHdYLZRrlmD3VwOmNfvWMqYdPxA1X0vs3d172y9EIG8i+N/skJxTRypcVSV9XoinBNIWr/gkyepuAKiQqemlc8J5amD9OkmbVkmnrxP1uyYMsMnQayCXCVpLQv4nN7bpymTNV2ZtTKWImLXW4/EaX"}',
    sessionId: 'gywydBrIJcJWktC/ic3tunKZM1XZm1MpYiYtdbj8Rpc',
  },
  {
    // TV-9c: matrix-rust-sdk crates/matrix-sdk-crypto/src/backups/keys/decryption.rs (test_decrypt_key); session ID not published.
    name: 'TV-9c rust-sdk test_decrypt_key',
    privateKey: 'Ha9cklU/9NqFo9WKdVfGzmqUL/9wlkdxfEitbSIPVXw',
    ephemeral: 'HlLi76oV6wxHz3PCqE/bxJi6yF1HnYz5Dq3T+d/KpRw',
    mac: 'GtMrurhDTwo',
    ciphertext:
      'MuM8E3Yc6TSAvhVGb77rQ++jE6p9dRepx63/3YPD2wACKAppkZHeFrnTH6wJ/HSyrmzo7HfwqVl6tKNpfooSTHqUf6x1LHz+h4B/Id5ITO1WYt16AaI40LOnZqTkJZCfSPuE2oxalwEHnCS3biWybutcnrBFPR3LMtaeHvvkb+k3ny9l5ZpsU9G7vCm3XoeYkWfLekWXvDhbqWrylXD0+CNUuaQJ/S527TzLd4XKctqVjjO/cCH7q+9utt9WJAfK8LGaWT/mZ3AeWjf5kiqOpKKf5Cn4n5SSil5p/pvGYmjnURvZSEeQIzHgvunIBEPtzK/MYEPOXe/P5achNGlCx+5N19Ftyp9TFaTFlTWCTi0mpD7ePfCNISrwpozAz9HZc0OhA8+1aSc7rhYFIeAYXFU326NuFIFHI5pvpSxjzPQlOA+mavIKmiRAtjlLw11IVKTxgrdT4N8lXeMr4ndCSmvIkAzFMo1uZA4fzjiAdQJE4/2WeXFNNpvdfoYmX8Zl9CAYjpSO5HvpwkAbk4/iLEH3hDfCVUwDfMh05PdGLnxeRpiEFWSMSsJNp+OWAA+5JsF41BoRGrxoXXT+VKqlUDONd+O296Psu8Q+d8/S618',
    plaintext:
      '{"algorithm":"m.megolm.v1.aes-sha2","sender_key":"wREG/hBdSspoqM9xPCEXd/4YwjpBFXlsobRkyDTo/Q8","session_key":"AQAAAABwCEYsl5BrvPW0N8HTYP11phC7LOzItQLS3Zen6j1j9qMydUHVDeuMLxwo5i3GYfLWGjJEjsCj0Q99TZMABnJBCFg9MheV8cNSBfj7mHSZr6NP8aUAAAOhsY+cJwPDHxcnU181nAEs0fovHnonZGXs6iB/K6sKfuRWUNvX50ORohgDT3TGl0gQFed1FQEtn2Q1qT35iTRfe81SGOnFJrOM","sender_claimed_keys":{"ed25519":"MnNLGwn4j9ArCvtgU6o1jG8TgJaEXQpDTxz7QU0h7GM"},"forwarding_curve25519_key_chain":[]}',
  },
  {
    // TV-9d: matrix-rust-sdk tests/integration/encryption/backups.rs (+ encryption.rs BACKUP_DECRYPTION_KEY_BASE64).
    name: 'TV-9d rust-sdk integration (org.matrix.msc3061.shared_history, unsorted keys)',
    privateKey: 'IeJv45zHC4AamrFtCi3MedkLMBZYXjPbKUnv53Iqzho',
    ephemeral: '+KmnQw7ECkCD+s2Hc0hhntT8n9zTLJvFHgX7g3XKBjs',
    mac: 'xdzih3IkRv4',
    ciphertext:
      'UaxxJxPZN5jqhSoFw59s83KlK0k77KJRxowPUC3P2/bS+TIBXw2yqMHCpv01s+8mE95XU6RZO2/elktHiW1/mzx/2vqb4pFuARtj3rxFzCBO7cpVhmrSU6uKW9KH2HirZMZzyXLqr3v6xoOTe5roIF5scPR0cWxPcS/4+BZz4xGhGCVuTPFjWDszY1/iz4JAVosAF7XZLGh7aVhF+ciDDoaaqwkD2nnMUlGEl2uchWuZv7v2q9Pmmd+qzRCdLx5c+GK3OyT8qCSxubOvuSruwTliBl++drlMnh4vRO8UKPTuMNvEN89YKiSCMVzXVDCS6tnjligxUENYkyUqYCKdASLDFs1cCXJDED16oQGonkU8Lf7ccGg6XboJCmJfobrmDc3s/9IymtKaxquA2Vw2pW8Otoy4x9PK17xHLo2nT2nf3Amp6xaCYx+tblGkLIqw8H3YZZVPVuKAVpPdAhgC+aJA9n8qow3BLcCJSdGRMSV9MquidGgbEA/DCd6Eq3jokshcXR4vMa5nT4CokeZ6OdAtMWgZSaGltyNNoc+b6hk6AqcYaoMslG58DC32EVSiFFwtSpKx7I6+J+hlV813Vx6IK0DoqTcYyVm4kFMvKnIoyAKJyoCSik4NQpL7DcokDhs56UJ1LcDgQTnGLqhH2Q',
    plaintext:
      '{"sender_key":"LvryVyoCjdONdBCi2vvoSbI34yTOx7YrCFACUEKoXnc","sender_claimed_keys":{"ed25519":"V7O4thWmWOX/3ZGfdHZXT+QsoV5lX3EgQ+BVrut91dI"},"session_key":"AQAAAAD96DSCPPp29RADdXxBdY1tDb5xWiLbr10QslZVYKcKfp9I3mB7QNG5/hppB7yG1Lye5G6PMAFxO7gluU0+tO1ySOOB3nIZ0tbDc4UnoJogfSSXEs4y/HYR1cN+1oxFALPfd7Gxq2ifb+ttns4lYpCF5yh6zYhvjG133BTq+bUANOuB+1yqJCMdAEpGAx2SpU+c3f2XHM/3ELKTzXb5zVCw","forwarding_curve25519_key_chain":[],"org.matrix.msc3061.shared_history":true,"algorithm":"m.megolm.v1.aes-sha2"}',
    sessionId: '64H7XKokIx0ASkYDHZKlT5zd/Zccz/cQspPNdvnNULA',
  },
  {
    // TV-9e: matrix-js-sdk @ 6b93e11e spec/unit/crypto/backup.spec.ts (legacy, camelCase forwardingCurve25519KeyChain).
    name: 'TV-9e legacy js-sdk (camelCase field, placeholder sender keys)',
    privateKey: 'dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo',
    ephemeral: '/Bn0A4UMFwJaDDvh0aEk1XZj3k1IfgCxgFY9P9a0b14',
    mac: '5lxYBHQU80M',
    ciphertext:
      '2z2M7CZ+azAiTHN1oFzZ3smAFFt+LEOYY6h3QO3XXGdw6YpNn/gpHDO6I/rgj1zNd4FoTmzcQgvKdU8kN20u5BWRHxaHTZSlne5RxE6vUdREsBgZePglBNyG0AogR/PVdcrv/v18Y6rLM5O9SELmwbV63uV9Kuu/misMxoqbuqEdG7uujyaEKtjlQsJ5MGPQOySyw7XrnesSwF6XWRMxcPGRV0xZr3s9PI350Wve3EncjRgJ9IGFru1bcptMqfXgPZkOyGvrphHoFfoK7nY3xMEHUiaTRfRIjq8HNV4o8QY1qmWGnxNBQgOlL8MZlykjg3ULmQ3DtFfQPj/YYGS3jzxvC+EBjaafmsg+52CTeK3Rswu72PX450BnSZ1i3If4xWAUKvjTpeUg5aDLqttOv1pITolTJDw5W/SD+b5rjEKg1CFCHGEGE9wwV3NfQHVCQL+dfpd7Or0poy4dqKMAi3g0o3Tg7edIF8d5rREmxaALPyiie8PHD8mj/5Y0GLqrac4CD6+Mop7eUTzVovprjg',
    plaintext:
      '{"algorithm":"m.megolm.v1.aes-sha2","sender_key":"SENDER_CURVE25519","sender_claimed_keys":{"ed25519":"SENDER_ED25519"},"forwardingCurve25519KeyChain":[],"session_key":"AQAAAAA+rPPVHcT/tDMBb6ffG42SvM8DKBjCiQfOhmd1GhMa5YE8i0FZDNuytN/1wk8F10oAW5Cqh7IZ3IUIEjaw6ExA1XZby9dyAgJ1rAjwFuN6b8+qhZUbaAeuL4SzMvOGdvYyI3aVsSPwPKoptWzBvy+N9wMR75o7E5RYDQPmd0/OoqPttYUoz/poBJnH3bJT7EHb81p5HbdFsqNNCqfvkfCn"}',
    sessionId: 'o+21hSjP+mgEmcfdslPsQdvzWnkdt0Wyo00Kp++R8Kc',
  },
];

const sessionData = (v: { ephemeral: string; ciphertext: string; mac: string }) => json({ ephemeral: v.ephemeral, ciphertext: v.ciphertext, mac: v.mac });

describe('backup/decryptSession', () => {
  describe('decryptSessionData()', () => {
    for (const v of TV9) {
      it(`accepts ${v.name}: plaintext as published, session key in export format at index 0${v.sessionId ? ', matching its session ID' : ''}`, () => {
        const r = decryptSessionData(bytes(v.privateKey), sessionData(v), v.sessionId);
        assert.ok(r.ok, `should decrypt: ${JSON.stringify(r)}`);
        assert.equal(JSON.stringify(r.value.content), v.plaintext, 'plaintext, key order kept');
        assert.equal(r.value.authenticated, false);
        assert.equal(r.value.sessionKeyFormat, 'export-v1');
        assert.equal(r.value.firstKnownIndex, 0, 'TV-9a’s outer first_message_index 1 is wrong; the key says 0');
        if (v.sessionId) assert.equal(r.value.sessionIdMatches, true);
        else assert.equal(r.value.sessionIdMatches, undefined);
      });
    }

    it('accepts TV-9a with the key typed as its recovery key (TV-5 row 1)', () => {
      const key = decodeRecoveryKey('EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d');
      assert.ok(key.ok);
      assert.ok(decryptSessionData(key.value, sessionData(TV9[0]!)).ok);
    });

    it('reports an entry filed under another session ID (TV-9a under TV-9b’s ID)', () => {
      const r = decryptSessionData(bytes(TV9[0]!.privateKey), sessionData(TV9[0]!), TV9[1]!.sessionId);
      assert.ok(r.ok && r.value.sessionIdMatches === false);
      const garbage = decryptSessionData(bytes(TV9[0]!.privateKey), sessionData(TV9[0]!), 'not an id');
      assert.ok(garbage.ok && garbage.value.sessionIdMatches === false);
    });

    it('rejects TV-11c: the js-sdk ALT key on TV-9a is mac-mismatch, and its empty-input tag is LuBDF8j4LYk', () => {
      // matrix-crypto.md TV-11c (self-computed): wrong key → tag LuBDF8j4LYk instead of OibmACbORhI.
      const alt = bytes('dh4fP2LITyJusgnb0dEq/SQK253WGObvLxXF5FEX6qc');
      assert.deepEqual(decryptSessionData(alt, sessionData(TV9[0]!)), { ok: false, error: { code: 'mac-mismatch' } });
      const shared = x25519SharedSecret(alt, bytes(TV9[0]!.ephemeral));
      assert.ok(shared.ok);
      const keys = hkdfSha256(shared.value, new Uint8Array(32), new Uint8Array(0), 80);
      assert.equal(Buffer.from(hmacSha256(keys.subarray(32, 64), new Uint8Array(0)).subarray(0, 8)).toString('base64').replace(/=+$/, ''), 'LuBDF8j4LYk');
    });

    it('accepts TV-11a: the RFC 7748 key pair entry (sharing-format stub session key → format "other")', () => {
      // matrix-crypto.md TV-11a (self-computed; decrypts in vodozemac and node:crypto).
      const alice = bytes('dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo');
      const data = {
        ephemeral: '3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08',
        ciphertext:
          '9lq9DgATQh0Ey5ZaVGHfoeMtfpavaYtV17dAmUZKJ5KE2zq6WJ3ZNxzSc7vBLxZ92LDrQYg628RcotpdEqWh6K8IFGIxibaj6emMBbPWgEVA8g3wFdH9ba1L3UZQ1q11c3iCYkxa7z+axLj9sVsgW0j3Ts4p+loyesCT4vucLWjD721MU7I7t/fzi0B375hE0uHweRjVhFmmq66mTbpQvux2GFUC6dqek5Wyveb1zsAqldh8lJpFoNWUQnlJj8wPSh2Iv/qc+XxibhVf8WIQskV7CkOcuKFHYY1CBraQWMvXnEkTVdP0+jM2YBw4rex5pHcm9/CmFar7a5DWtlqFqVjdtr/5C3Hl9ZH5vm+XpiY',
        mac: 'zpzU6BkZcNI',
      };
      const plaintext =
        '{"algorithm":"m.megolm.v1.aes-sha2","forwarding_curve25519_key_chain":[],"sender_claimed_keys":{"ed25519":"aj40p+aw64yPIdsxoog8jhPu9i7l7NcFRecuOQblE3Y"},"sender_key":"RF3s+E7RkTQTGF2d8Deol0FkQvgII2aJDf3/Jp5mxVU","session_key":"AgAAAADxKHa9uFxcXzwYoNueL5Xqi69IkD4sni8Llf"}';
      const r = decryptSessionData(alice, json(data), 'anything');
      assert.ok(r.ok);
      assert.equal(JSON.stringify(r.value.content), plaintext);
      assert.equal(r.value.sessionKeyFormat, 'other');
      assert.equal(r.value.sessionIdMatches, undefined);
      // The node:crypto oracle with Bob's RFC 7748 key as ephemeral writes exactly this entry.
      const bob = Uint8Array.from(Buffer.from('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', 'hex'));
      assert.deepEqual(encryptBackupEntry(x25519Public(alice), plaintext, { ephemeralPrivate: bob }), data);
      // …and the HKDF split is the published one.
      const shared = x25519SharedSecret(alice, bytes(data.ephemeral));
      assert.ok(shared.ok);
      assert.equal(Buffer.from(shared.value).toString('hex'), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
      const keys = Buffer.from(hkdfSha256(shared.value, new Uint8Array(32), new Uint8Array(0), 80)).toString('hex');
      assert.equal(keys, 'ea1d8a20f476d1e1ec952ca42708b8f7161ce7c81eadf97e520e2b40333decd5' + '6698bc97a8ce7506849be320175a4832c5ce2462e9c30cd4300b04a28d75bfa5' + '96e7e4193e6ff9d6de89ec84226e7264');
    });

    it('accepts a full 32-byte tag and a 10-byte one; rejects 7 bytes or more than 32 as malformed', () => {
      const priv = new Uint8Array(32).fill(9);
      const pub = x25519Public(priv);
      for (const n of [8, 10, 32]) assert.ok(decryptSessionData(priv, json(encryptBackupEntry(pub, '{}', { macBytes: n }))).ok, `${n}-byte tag`);
      assert.deepEqual(decryptSessionData(priv, json(encryptBackupEntry(pub, '{}', { macBytes: 7 }))), { ok: false, error: { code: 'malformed', field: 'mac' } });
      const long = { ...encryptBackupEntry(pub, '{}'), mac: Buffer.alloc(33).toString('base64') };
      assert.deepEqual(decryptSessionData(priv, json(long)), { ok: false, error: { code: 'malformed', field: 'mac' } });
    });

    it('rejects a tag computed over the ciphertext (pitfall §9.1: v1 tags the empty string)', () => {
      const v = TV9[0]!;
      const priv = bytes(v.privateKey);
      const shared = x25519SharedSecret(priv, bytes(v.ephemeral));
      assert.ok(shared.ok);
      const keys = hkdfSha256(shared.value, new Uint8Array(32), new Uint8Array(0), 80);
      const overCiphertext = Buffer.from(hmacSha256(keys.subarray(32, 64), bytes(v.ciphertext)).subarray(0, 8)).toString('base64').replace(/=+$/, '');
      assert.deepEqual(decryptSessionData(priv, sessionData({ ...v, mac: overCiphertext })), { ok: false, error: { code: 'mac-mismatch' } });
    });

    it('rejects low-order ephemeral keys (u = 0, 1, p−1, the order-8 points) without throwing', () => {
      const priv = new Uint8Array(32).fill(9);
      const lowOrder = [
        '0000000000000000000000000000000000000000000000000000000000000000',
        '0100000000000000000000000000000000000000000000000000000000000000',
        'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
        'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
        '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      ];
      for (const h of lowOrder) {
        const data = { ...encryptBackupEntry(x25519Public(priv), '{}'), ephemeral: Buffer.from(h, 'hex').toString('base64').replace(/=+$/, '') };
        assert.deepEqual(decryptSessionData(priv, json(data)), { ok: false, error: { code: 'low-order-ephemeral' } }, h);
      }
    });

    it('rejects bad padding (with a good tag) as bad-padding, and non-JSON or non-object plaintext as not-json', () => {
      const priv = new Uint8Array(32).fill(4);
      const pub = x25519Public(priv);
      assert.deepEqual(decryptSessionData(priv, json(encryptBackupEntry(pub, '{"a":1}', { badPadByte: 0 }))), { ok: false, error: { code: 'bad-padding' } });
      for (const pt of ['not json', '[1,2]', '"s"', '{"a":1,"a":2}', '{"a":1.5e999', Uint8Array.from([0x7b, 0xff, 0x7d])]) {
        assert.deepEqual(decryptSessionData(priv, json(encryptBackupEntry(pub, pt))), { ok: false, error: { code: 'not-json' } }, String(pt));
      }
    });

    it('rejects hostile shapes as malformed without throwing', () => {
      const priv = new Uint8Array(32).fill(4);
      const good = encryptBackupEntry(x25519Public(priv), '{}');
      const cases: [unknown, string][] = [
        [null, 'session_data'],
        [[], 'session_data'],
        ['x', 'session_data'],
        [{ ...good, ephemeral: undefined }, 'ephemeral'],
        [{ ...good, ephemeral: 'AAAA' }, 'ephemeral'],
        [{ ...good, ephemeral: 42 }, 'ephemeral'],
        [{ ...good, mac: undefined }, 'mac'],
        [{ ...good, mac: '!!!' }, 'mac'],
        [{ ...good, ciphertext: undefined }, 'ciphertext'],
        [{ ...good, ciphertext: '' }, 'ciphertext'],
        [{ ...good, ciphertext: 'AAAA' }, 'ciphertext'],
        [{ ...good, ciphertext: 'A'.repeat(2_000_000) }, 'ciphertext'],
      ];
      for (const [data, field] of cases) assert.deepEqual(decryptSessionData(priv, json(data)), { ok: false, error: { code: 'malformed', field } }, JSON.stringify(data).slice(0, 80));
      assert.deepEqual(decryptSessionData(priv, undefined), { ok: false, error: { code: 'malformed', field: 'session_data' } });
    });

    it('G4: an entry forged with only the public key and invented sender keys decrypts, but is never authenticated', () => {
      // The forger knows auth_data.public_key of TV-9d's backup, nothing else.
      const backupPub = bytes('hdx5rSn94rBuvJI5cwnhKAVmFyZgfJjk7vwEBD6mIHc');
      const sessionPub = Uint8Array.from(Buffer.alloc(32, 0x42));
      const sessionId = Buffer.from(sessionPub).toString('base64').replace(/=+$/, '');
      const forged = encryptBackupEntry(
        backupPub,
        JSON.stringify({
          algorithm: 'm.megolm.v1.aes-sha2',
          forwarding_curve25519_key_chain: [],
          sender_key: 'LvryVyoCjdONdBCi2vvoSbI34yTOx7YrCFACUEKoXnc',
          sender_claimed_keys: { ed25519: 'V7O4thWmWOX/3ZGfdHZXT+QsoV5lX3EgQ+BVrut91dI' },
          session_key: sessionExport(7, sessionPub),
        }),
      );
      const r = decryptSessionData(bytes('IeJv45zHC4AamrFtCi3MedkLMBZYXjPbKUnv53Iqzho'), json(forged), sessionId);
      assert.ok(r.ok, 'a forged entry decrypts: the format cannot tell');
      assert.equal(r.value.authenticated, false, 'and must never count as authenticated');
      assert.equal(r.value.firstKnownIndex, 7);
      assert.equal(r.value.sessionIdMatches, true);
    });

    it('rejects a private key that is not 32 bytes as misuse', () => {
      assert.throws(() => decryptSessionData(new Uint8Array(31), json({})), RangeError);
    });
  });
});
