/**
 * matrix-crypto.md §8 TV-2, TV-3 and TV-4 run through the trust model. Provenance of each vector
 * is in test/vectors/README.md; TV-3 is test/vectors/tv3-verification-violation.json.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifyOne, ed25519PublicKeyFromSeed } from '../../../src/core/crypto/ed25519Policy.ts';
import { decodeBase64, encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { parseStrictJson, type JsonObject } from '../../../src/core/json/strictJson.ts';
import { canonicalJson, signingInput } from '../../../src/core/json/canonicalJson.ts';
import { readSnapshot } from '../../../src/core/snapshot/snapshot.ts';
import { buildTrustModel } from '../../../src/core/trust/buildTrustModel.ts';
import { utf8 } from '../../../src/core/bytes.ts';
import { readRepoJson } from '../../helpers/sharedVectors.ts';

const b64 = (s: string): Uint8Array => {
  const d = decodeBase64(s, { padding: 'allow' });
  assert.ok(d.ok, `vector base64 must decode: ${s}`);
  return d.value;
};
const obj = (v: unknown): JsonObject => {
  const r = parseStrictJson(JSON.stringify(v));
  assert.ok(r.ok);
  return r.value as JsonObject;
};

interface Tv3 {
  seeds: { master: string; selfSigning: string; userSigning: string };
  keysQuery: Record<string, unknown>;
}
const tv3 = readRepoJson<Tv3>('test/vectors/tv3-verification-violation.json');

function tv3Snapshot(local?: unknown) {
  const r = readSnapshot(obj({ format: 'crosscheck-snapshot/1', userId: '@alice:localhost', deviceId: 'LCNRWQAVWK', keysQuery: tv3.keysQuery, ...(local ? { local } : {}) }));
  assert.ok(r.ok);
  return r.value;
}

describe('matrix-crypto.md §8 vectors', () => {
  it('TV-2: signs {} and {"one":1,"two":"Two"} exactly as the spec appendix prints', () => {
    // Seed as bytes (its base64 in the appendix has non-canonical trailing bits).
    const seed = Uint8Array.from(Buffer.from('6090c103d5e7af6b15a970fd563ed75549e6159719ae5c3c31dee4316fb75c0d', 'hex'));
    const pub = ed25519PublicKeyFromSeed(seed);
    assert.equal(encodeBase64(pub), 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI');
    const cases: [unknown, string][] = [
      [{}, 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ'],
      [{ one: 1, two: 'Two' }, 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw'],
    ];
    for (const [value, expected] of cases) {
      const text = canonicalJson(obj(value));
      assert.ok(text.ok);
      assert.equal(encodeBase64(ed25519.sign(utf8(text.value), seed)), expected);
      assert.equal(verifyOne({ publicKey: pub, message: utf8(text.value), signature: b64(expected) }).state, 'valid');
    }
    // Adding unsigned and signatures does not change what is signed.
    const withExtras = signingInput(obj({ one: 1, two: 'Two', unsigned: { x: 1 }, signatures: { domain: {} } }));
    assert.ok(withExtras.ok);
    assert.equal(verifyOne({ publicKey: pub, message: utf8(withExtras.value), signature: b64(cases[1]![1]) }).state, 'valid');
  });

  it('TV-3: seeds derive the published cross-signing keys', () => {
    assert.equal(encodeBase64(ed25519PublicKeyFromSeed(b64(tv3.seeds.master))), 'EPVg/QLG9+FmNvKjNXfycZEpQLtfHDaTN+rENAURZSk');
    assert.equal(encodeBase64(ed25519PublicKeyFromSeed(b64(tv3.seeds.selfSigning))), 'WXLer0esHUanp8DCeu2Be0xB5ms9aKFFBrCFl50COjw');
    assert.equal(encodeBase64(ed25519PublicKeyFromSeed(b64(tv3.seeds.userSigning))), 'MXob/N/bYI7U2655O1/AI9NOX1245RnE03Nl4Hvf+u0');
  });

  it('TV-3: without an anchor, Alice is unanchored and Bob not verified, though every chain link is valid (D1, D5)', async () => {
    const m = await buildTrustModel(tv3Snapshot(), { masterProvenByRecoveryKey: false });
    assert.equal(m.anchor, 'none');
    assert.equal(m.own.identity, 'unanchored');
    assert.equal(m.own.masterToSelfSigning, 'valid');
    assert.equal(m.own.masterToUserSigning, 'valid');
    const bob = m.users.find((u) => u.userId === '@bob:localhost');
    assert.ok(bob);
    assert.equal(bob.ourSignatureOnMaster, 'valid', 'Alice USK → Bob MSK (e) verifies');
    assert.equal(bob.identity, 'unverified', 'but Alice is not anchored, so Bob cannot be verified');
    const status = Object.fromEntries(m.users.flatMap((u) => u.devices.map((d) => [d.deviceId, [d.status, d.verified]])));
    assert.deepEqual(status, {
      LCNRWQAVWK: ['cross-signed', false],
      AHIVRZICJK: ['not-cross-signed', false],
      RLZGZIHKMP: ['cross-signed', false],
      XCYNVRMTER: ['not-cross-signed', false],
    });
  });

  it('TV-3: with the master private key held locally, every one of the 17 checks holds and verification flows to Bob', async () => {
    const master = encodeBase64(ed25519PublicKeyFromSeed(b64(tv3.seeds.master)));
    const m = await buildTrustModel(tv3Snapshot({ crossSigning: { master, selfSigning: null, userSigning: null }, identities: {} }), { masterProvenByRecoveryKey: false });
    assert.equal(m.anchor, 'local-private-key');
    assert.equal(m.own.identity, 'verified');
    const bob = m.users.find((u) => u.userId === '@bob:localhost');
    assert.equal(bob?.identity, 'verified');
    const status = Object.fromEntries(m.users.flatMap((u) => u.devices.map((d) => [d.deviceId, [d.status, d.verified, d.selfSignature]])));
    assert.deepEqual(status, {
      LCNRWQAVWK: ['cross-signed', true, 'valid'],
      AHIVRZICJK: ['not-cross-signed', false, 'valid'],
      RLZGZIHKMP: ['cross-signed', true, 'valid'],
      XCYNVRMTER: ['not-cross-signed', false, 'valid'],
    });
  });

  it('TV-3: the canonical signing input of Alice\'s SSK and of LCNRWQAVWK is as the digest prints', () => {
    const kq = obj(tv3.keysQuery);
    const ssk = (kq['self_signing_keys'] as JsonObject)['@alice:localhost'] as JsonObject;
    assert.deepEqual(signingInput(ssk), {
      ok: true,
      value: '{"keys":{"ed25519:WXLer0esHUanp8DCeu2Be0xB5ms9aKFFBrCFl50COjw":"WXLer0esHUanp8DCeu2Be0xB5ms9aKFFBrCFl50COjw"},"usage":["self_signing"],"user_id":"@alice:localhost"}',
    });
    const dev = ((kq['device_keys'] as JsonObject)['@alice:localhost'] as JsonObject)['LCNRWQAVWK'] as JsonObject;
    assert.deepEqual(signingInput(dev), {
      ok: true,
      value: '{"algorithms":["m.olm.v1.curve25519-aes-sha2","m.megolm.v1.aes-sha2"],"device_id":"LCNRWQAVWK","keys":{"curve25519:LCNRWQAVWK":"fULFq9I6uYmsdDwRFU76wc43RqF7TVGvlWvKXhSrsS4","ed25519:LCNRWQAVWK":"F7E0EF0lzVJN31cnetLdeBuNvZ8jQqkUzt8/nGD9M/E"},"user_id":"@alice:localhost"}',
    });
  });

  it('TV-3: Bob device RLZGZIHKMP → Bob MSK (f) and Bob MSK self-signature (g) verify', () => {
    const kq = obj(tv3.keysQuery);
    const bobMsk = (kq['master_keys'] as JsonObject)['@bob:localhost'] as JsonObject;
    const input = signingInput(bobMsk);
    assert.ok(input.ok);
    const sigs = (bobMsk['signatures'] as JsonObject)['@bob:localhost'] as JsonObject;
    const dev = b64('kH+Zn2m7LPES/XLOyVvnf8t4Byfj3mAbngHptHZFzk0');
    const msk = b64('xZPyb4hxM8zaedDFz5m8HsDpX1fknd/V/69THLhNX9I');
    assert.equal(verifyOne({ publicKey: dev, message: utf8(input.value), signature: b64(sigs['ed25519:RLZGZIHKMP'] as string) }).state, 'valid');
    assert.equal(verifyOne({ publicKey: msk, message: utf8(input.value), signature: b64(sigs['ed25519:xZPyb4hxM8zaedDFz5m8HsDpX1fknd/V/69THLhNX9I'] as string) }).state, 'valid');
  });

  it('TV-4: js-sdk generated keys: seeds, device self-signatures, MSK→SSK/USK and backup auth_data signatures verify', () => {
    const ascii = (s: string) => utf8(s);
    const check = (seed: Uint8Array, expectedPub: string) => assert.equal(encodeBase64(ed25519PublicKeyFromSeed(seed)), expectedPub);
    check(ascii('deadbeefdeadbeefdeadbeefdeadbeef'), 'YI/7vbGVLpGdYtuceQR8MSsKB/QjgfMXM1xqnn+0NWU');
    check(b64('ZG95b3VzcGVha3doYWFhYWFhYWFhYWFhYWFhYWFhbGU'), 'J+5An10v1vzZpAXTYFokD1/PEVccFnLC61EfRXit0UY');
    check(b64('c2VsZnNlbGZzZWxmc2VsZnNlbGZzZWxmc2VsZnNlbGY'), 'aU2+2CyXQTCuDcmWW0EL2bhJ6PdjFW2LbAsbHqf02AY');
    check(b64('dXNlcnVzZXJ1c2VydXNlcnVzZXJ1c2VydXNlcnVzZXI'), 'g5TC/zjQXyZYuDLZv7a41z5fFVrXpYPypG//AFQj8hY');
    check(ascii('Deadbeefdeadbeefdeadbeefdeadbeef'), 'jmY0h8QS6Te6gxyjOmMc0eKOqmbAtXpVo4CCWFubk50');
    check(b64('RG95b3VzcGVha3doYWFhYWFhYWFhYWFhYWFhYWFhbGU'), 'KKVOHOB2LsW7hFJwqyzXpA+vp7u5+gaMWUJvBS7mjuA');
    check(b64('U2VsZnNlbGZzZWxmc2VsZnNlbGZzZWxmc2VsZnNlbGY'), 'DaScI3WulBvDjf/d2vdyP5Cgjdypn1c/PSDX23MgN+A');
    check(b64('VXNlcnVzZXJ1c2VydXNlcnVzZXJ1c2VydXNlcnVzZXI'), 'lXP89FP6zvFH9TSbU1S8uSdAsVawm1NmV6z+Rfr3lEw');
    check(ascii('DoYouSpeakWhaaaaaaaaaaaaaaaaaale'), 'MCYxU7myKVkoQ55VYw/rXdg5cEupRfDdHmFPJUmR5+E');
    const verify = (pub: string, value: unknown, sig: string) => {
      const input = canonicalJson(obj(value));
      assert.ok(input.ok);
      assert.equal(verifyOne({ publicKey: b64(pub), message: utf8(input.value), signature: b64(sig) }).state, 'valid', JSON.stringify(value));
    };
    const alice = '@alice:localhost';
    verify('YI/7vbGVLpGdYtuceQR8MSsKB/QjgfMXM1xqnn+0NWU', {
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'], device_id: 'test_device',
      keys: { 'curve25519:test_device': 'F4uCNNlcbRvc7CfBz95ZGWBvY1ALniG1J8+6rhVoKS0', 'ed25519:test_device': 'YI/7vbGVLpGdYtuceQR8MSsKB/QjgfMXM1xqnn+0NWU' }, user_id: alice,
    }, 'LmQC/yAUZJmkxZ+3L0nEwvtVWOzjqQqADWBhk+C47SPaFYHeV+E291mgXaSCJVeGltX+HC49Aw7nb6ga7sw0Aw');
    const key = (pub: string, usage: string, user: string) => ({ keys: { [`ed25519:${pub}`]: pub }, user_id: user, usage: [usage] });
    verify('J+5An10v1vzZpAXTYFokD1/PEVccFnLC61EfRXit0UY', key('aU2+2CyXQTCuDcmWW0EL2bhJ6PdjFW2LbAsbHqf02AY', 'self_signing', alice), 'XfhYEhZmOs8BJdb3viatILBZ/bElsHXEW28V4tIaY5CxrBR0YOym3yZHWmRmypXessHZAKOhZn3yBMXzdajyCw');
    verify('J+5An10v1vzZpAXTYFokD1/PEVccFnLC61EfRXit0UY', key('g5TC/zjQXyZYuDLZv7a41z5fFVrXpYPypG//AFQj8hY', 'user_signing', alice), '6AkD1XM2H0/ebgP9oBdMKNeft7uxsrb0XN1CsjjHgeZCvCTMmv3BHlLiT/Hzy4fe8H+S1tr484dcXN/PIdnfDA');
    verify('YI/7vbGVLpGdYtuceQR8MSsKB/QjgfMXM1xqnn+0NWU', { public_key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo' }, 'KDSNeumirTsd8piI0oVfv/wzg4J4HlEc7rs5XhODFcJ/YAcUdg65ajsZG+rLI0TQOSSGjorJqcrSiSB1HRSCAA');
    verify('YI/7vbGVLpGdYtuceQR8MSsKB/QjgfMXM1xqnn+0NWU', { key: 'j3fR3HemM16M7CWhoI4Sk5ZsdmdfQHsKL1xuSft6MSw' }, '25djC6Rk6gIgFBMVawY9X9LnY8XMMziey6lKqL8Q5Bbp7T1vw9uk0RE7eKO2a/jNLcYroO2xRztGhBrKz5sOCQ');
    const bob = '@bob:xyz';
    verify('jmY0h8QS6Te6gxyjOmMc0eKOqmbAtXpVo4CCWFubk50', { public_key: 'ZRuVWcWlDuvOwZRygccUCD4Avtnt130800I+WQNwwRY' }, 'lDIMj3VC0WazE2FamGHpmbiqKf9Z4pO4qapZ5TL5BnD3c+dvb+2waOEd6pgay/pmrQ6MW4Eu2KDEpe1fnHc3BA');
    verify('KKVOHOB2LsW7hFJwqyzXpA+vp7u5+gaMWUJvBS7mjuA', key('DaScI3WulBvDjf/d2vdyP5Cgjdypn1c/PSDX23MgN+A', 'self_signing', bob), 'RxM8iJU6ZkyzQSVtNnXIJMPyEahVsN+fQQTBNKAs+kqySFyXBgchx+8czZaAhJCpXh9gD1nskT4yyFd2eyUXBw');
    verify('KKVOHOB2LsW7hFJwqyzXpA+vp7u5+gaMWUJvBS7mjuA', key('lXP89FP6zvFH9TSbU1S8uSdAsVawm1NmV6z+Rfr3lEw', 'user_signing', bob), 'jF8fvnPZulrPyh/4E8dNDVBP3iHHl9bRc+rRArVyGzoom+uVrokOck7BN2YmPyCRFZJJx7fgRA1Bveyu+mTVAg');
    verify('MCYxU7myKVkoQ55VYw/rXdg5cEupRfDdHmFPJUmR5+E', key('DaScI3WulBvDjf/d2vdyP5Cgjdypn1c/PSDX23MgN+A', 'self_signing', bob), 'eDZETBRUw9yW0WJnBZ7vxo12TW09Yb7/47qBPKZzPZzZEvs9M82dnAOtWUv00mcTdp2K9GpeFYDQJ6qLQgxaCA');
    verify('MCYxU7myKVkoQ55VYw/rXdg5cEupRfDdHmFPJUmR5+E', key('lXP89FP6zvFH9TSbU1S8uSdAsVawm1NmV6z+Rfr3lEw', 'user_signing', bob), 'Q1CbIXvp2BxBsu3F/eZ1ZpuR5rXIt0+FrrA/l6itskpW748xwMoIKxQRVQqs87kh7pCsWEoTy6FzIL8nV+P6BQ');
  });
});
