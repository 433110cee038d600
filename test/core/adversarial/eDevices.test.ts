/** security.md §4 E: key/ID confusion and device lists. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { baseline, auditOf, user, device, assertFinding, addSignature, keysOf } from './harness.ts';
import type { DeviceKeysJson } from '../../fixtures/generator/types.ts';

/** A self-signed device with the given ID, as a server could inject it. */
function injectedDevice(userId: string, deviceId: string, seedByte: number, ed25519Override?: string): DeviceKeysJson {
  const seed = new Uint8Array(32).fill(seedByte);
  const pub = ed25519Override ?? encodeBase64(ed25519.getPublicKey(seed));
  const dev: DeviceKeysJson = {
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    device_id: deviceId,
    keys: { [`curve25519:${deviceId}`]: encodeBase64(new Uint8Array(32).fill(seedByte + 1)), [`ed25519:${deviceId}`]: pub },
    user_id: userId,
  };
  return addSignature(dev, userId, `ed25519:${deviceId}`, seed);
}

describe('adversarial catalogue', () => {
  describe('E. Key/ID confusion and device lists', () => {
    for (const which of ['master', 'selfSigning', 'userSigning'] as const) {
      it(`E1: a device whose ID equals our ${which} public key refuses the whole identity`, async () => {
        const b = baseline();
        const id = keysOf(b, b.me)[which]!.pub;
        b.snap.keysQuery.device_keys[b.me]![id] = injectedDevice(b.me, id, 9);
        const r = await auditOf(b.snap);
        assert.equal(user(r, b.me).identity, 'refused');
        assertFinding(r, 'DEVICE_ID_IS_CROSS_SIGNING_KEY', { userId: b.me, deviceId: id });
        for (const d of user(r, b.me).devices) assert.equal(d.verified, false);
        for (const u of r.users) assert.notEqual(u.identity, 'verified', `${u.userId}: nothing is verified through a refused identity`);
      });
    }

    it('E1: the same collision on another user refuses that user', async () => {
      const b = baseline();
      const id = keysOf(b, b.bob).master.pub;
      b.snap.keysQuery.device_keys[b.bob]![id] = injectedDevice(b.bob, id, 9);
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
      assert.ok(user(r, b.bob).devices.every((d) => !d.verified && d.status !== 'cross-signed'));
    });

    it('E2: a device whose ed25519 key is its owner\'s master key is invalid', async () => {
      const b = baseline();
      const k = keysOf(b, b.me).master;
      const dev = injectedDevice(b.me, 'REUSEDKEY', 0, k.pub);
      dev.signatures = {};
      addSignature(dev, b.me, 'ed25519:REUSEDKEY', k.seed);
      addSignature(dev, b.me, `ed25519:${keysOf(b, b.me).selfSigning.pub}`, keysOf(b, b.me).selfSigning.seed);
      b.snap.keysQuery.device_keys[b.me]!['REUSEDKEY'] = dev;
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, 'REUSEDKEY').status, 'invalid');
      assertFinding(r, 'DEVICE_KEYS_MALFORMED', { deviceId: 'REUSEDKEY' });
    });

    it('E3: a server-injected, self-signed device without a cross-signature is not verified and is counted as such', async () => {
      const b = baseline();
      b.snap.keysQuery.device_keys[b.me]!['INJECTED'] = injectedDevice(b.me, 'INJECTED', 5);
      const r = await auditOf(b.snap);
      assert.deepEqual([device(r, b.me, 'INJECTED').status, device(r, b.me, 'INJECTED').verified], ['not-cross-signed', false]);
      assertFinding(r, 'DEVICE_NOT_CROSS_SIGNED', { userId: b.me, deviceId: 'INJECTED' });
      const own = user(r, b.me);
      assert.equal(own.devices.filter((d) => d.verified).length, own.devices.length - 1, 'k of N reported devices verified');
      // On a verified contact it is called out as such.
      const b2 = baseline();
      b2.snap.keysQuery.device_keys[b2.bob]!['INJECTED'] = injectedDevice(b2.bob, 'INJECTED', 5);
      assertFinding(await auditOf(b2.snap), 'VERIFIED_USER_HAS_UNSIGNED_DEVICES', { userId: b2.bob });
    });

    it('E4: users on a server in "failures", or missing from device_keys, are unknown, never "0 devices, all verified"', async () => {
      const b = baseline();
      b.snap.keysQuery.failures = { 'remote.example.net': { errcode: 'M_UNKNOWN', error: 'timeout' } };
      const remote = b.m.others.filter((u) => u.server === 'remote.example.net').map((u) => u.userId);
      assert.ok(remote.length > 0);
      for (const id of remote) {
        delete b.snap.keysQuery.device_keys[id];
        delete b.snap.keysQuery.master_keys[id];
        delete b.snap.keysQuery.self_signing_keys[id];
      }
      // And one local user the server silently left out of device_keys.
      const left = b.bob;
      delete b.snap.keysQuery.device_keys[left];
      const r = await auditOf(b.snap);
      for (const id of remote) {
        assert.equal(user(r, id).identity, 'unknown', id);
        assert.equal(user(r, id).devices.length, 0);
      }
      assert.equal(user(r, left).identity, 'unknown');
      assertFinding(r, 'KEYS_QUERY_FAILURE');
      assertFinding(r, 'KEYS_QUERY_FAILURE', { userId: left });
    });
  });
});
