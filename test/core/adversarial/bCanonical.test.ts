/** security.md §4 B: canonical JSON and parsing games inside signed objects. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeBase64 } from '../../../src/core/encoding/base64.ts';
import { baseline, auditOf, device, addSignature, keysOf, type Baseline } from './harness.ts';
import type { DeviceKeysJson } from '../../fixtures/generator/types.ts';

/**
 * A device of ours, re-signed (self + self-signing key) after `change` alters its signed content.
 * `independent` signs the bytes of the test's own canonicaliser instead of the generator's (which
 * shares code with the core and, like it, refuses values outside the spec's domain).
 */
function resignOwnDevice(b: Baseline, index: number, change: (d: DeviceKeysJson & Record<string, unknown>) => void, independent = false): DeviceKeysJson & Record<string, unknown> {
  const model = b.m.own.devices[index]!;
  const dev = b.snap.keysQuery.device_keys[b.me]![model.deviceId]! as DeviceKeysJson & Record<string, unknown>;
  change(dev);
  dev.signatures = {};
  const ssk = keysOf(b, b.me).selfSigning;
  if (independent) {
    const { signatures: _s, unsigned: _u, ...signed } = dev;
    const bytes = new TextEncoder().encode(codePointCanonical(signed));
    dev.signatures = { [b.me]: { [`ed25519:${model.deviceId}`]: encodeBase64(ed25519.sign(bytes, model.signingKey!.seed)), [`ed25519:${ssk.pub}`]: encodeBase64(ed25519.sign(bytes, ssk.seed)) } };
    return dev;
  }
  addSignature(dev, b.me, `ed25519:${model.deviceId}`, model.signingKey!.seed);
  addSignature(dev, b.me, `ed25519:${ssk.pub}`, ssk.seed);
  return dev;
}

/** An independent canonicaliser for the test (code-point key order, as Python's sort_keys and Rust's BTreeMap). */
function codePointCanonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(codePointCanonical).join(',')}]`;
  const cmp = (a: string, b: string) => {
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort(cmp).map((k) => `${JSON.stringify(k)}:${codePointCanonical(o[k])}`).join(',')}}`;
}

describe('adversarial catalogue', () => {
  describe('B. Canonical JSON / parsing', () => {
    it('B1: keys mixing U+FF61 and U+1F600, signed by a code-point canonicaliser, verify; UTF-16 order would not', async () => {
      const b = baseline();
      const model = b.m.own.devices[1]!;
      const dev = b.snap.keysQuery.device_keys[b.me]![model.deviceId]! as DeviceKeysJson & Record<string, unknown>;
      dev['org.example.labels'] = { '\uff61': 1, '\ud83d\ude00': 2 };
      const { signatures: _s, unsigned: _u, ...signed } = dev;
      const text = codePointCanonical(signed);
      assert.ok(text.indexOf('\uff61') < text.indexOf('\ud83d\ude00'), 'code-point order puts U+FF61 first');
      const bytes = new TextEncoder().encode(text);
      const ssk = keysOf(b, b.me).selfSigning;
      dev.signatures = {
        [b.me]: { [`ed25519:${model.deviceId}`]: encodeBase64(ed25519.sign(bytes, model.signingKey!.seed)), [`ed25519:${ssk.pub}`]: encodeBase64(ed25519.sign(bytes, ssk.seed)) },
      };
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, model.deviceId).status, 'cross-signed');
      // Regression guard: the same fixture canonicalised in UTF-16 order gives other bytes.
      const utf16 = JSON.stringify(Object.fromEntries(Object.entries({ '\uff61': 1, '\ud83d\ude00': 2 }).sort(([a], [b2]) => (a < b2 ? -1 : 1))));
      assert.notEqual(utf16, codePointCanonical({ '\uff61': 1, '\ud83d\ude00': 2 }));
    });

    it('B3: an honest signed string holding U+0001, U+001F, U+007F and U+2028 verifies', async () => {
      const b = baseline();
      const dev = resignOwnDevice(b, 1, (d) => (d['org.example.note'] = 'a\u0001b\u001fc\u007fd\u2028e'));
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, dev.device_id).status, 'cross-signed');
    });

    it('B4: a signed object holding 1.0, 1e10, -0 or 9007199254740993 is unverifiable, never verified', async () => {
      // Signed as a lenient parser would re-serialise the value (1, 10000000000, 0, …992), served as written.
      const cases: [number, string][] = [
        [1, '1.0'],
        [10000000000, '1e10'],
        [0, '-0'],
        [9007199254740992, '9007199254740993'],
      ];
      for (const [signedAs, servedAs] of cases) {
        const b = baseline();
        const dev = resignOwnDevice(b, 1, (d) => (d['org.example.weight'] = signedAs), true);
        const text = JSON.stringify(b.snap).replace(`"org.example.weight":${signedAs}`, `"org.example.weight":${servedAs}`);
        assert.ok(text.includes(servedAs));
        const r = await auditOf(text);
        const d = device(r, b.me, dev.device_id);
        assert.equal(d.status, 'invalid', servedAs);
        assert.equal(d.verified, false);
        // Control: served exactly as signed, the same signatures verify (so the refusal above is the number's doing).
        if (Number.isSafeInteger(signedAs)) assert.equal(device(await auditOf(b.snap), b.me, dev.device_id).status, 'cross-signed', `control for ${servedAs}`);
      }
    });

    it('B6: an unknown signed field is kept and verifies; with it dropped, the device is invalid', async () => {
      const b = baseline();
      const dev = resignOwnDevice(b, 2, (d) => (d['extra_property'] = 'In the beginning the Universe was created.'));
      assert.equal(device(await auditOf(b.snap), b.me, dev.device_id).status, 'cross-signed');
      delete dev['extra_property'];
      assert.equal(device(await auditOf(b.snap), b.me, dev.device_id).status, 'invalid');
    });

    it('B7: changing top-level unsigned keeps the device verified (name shown as server-supplied); a nested "unsigned" is signed', async () => {
      const b = baseline();
      const model = b.m.own.devices[1]!;
      const dev = b.snap.keysQuery.device_keys[b.me]![model.deviceId]!;
      dev.unsigned = { device_display_name: 'Renamed by the server' };
      delete (b.snap as { devices?: unknown }).devices; // so the name comes from unsigned
      const r = await auditOf(b.snap);
      assert.equal(device(r, b.me, model.deviceId).status, 'cross-signed');
      assert.equal(device(r, b.me, model.deviceId).displayName, 'Renamed by the server');

      const b2 = baseline();
      const dev2 = resignOwnDevice(b2, 1, (d) => (d['org.example.meta'] = { unsigned: 'a' }));
      (dev2['org.example.meta'] as { unsigned: string }).unsigned = 'b';
      assert.equal(device(await auditOf(b2.snap), b2.me, dev2.device_id).status, 'invalid');
    });

    it('B9: signatures missing, null, an array, or nested too deep give invalid devices and no crash', async () => {
      const shapes: unknown[] = [undefined, null, [], { x: { y: { z: {} } } }, 'sig'];
      for (const shape of shapes) {
        const b = baseline();
        const dev = b.snap.keysQuery.device_keys[b.me]![b.m.own.devices[1]!.deviceId]! as unknown as Record<string, unknown>;
        if (shape === undefined) delete dev['signatures'];
        else dev['signatures'] = shape;
        const r = await auditOf(b.snap);
        const d = device(r, b.me, dev['device_id'] as string);
        assert.equal(d.status, 'invalid', JSON.stringify(shape));
        assert.equal(d.verified, false);
      }
    });
  });
});
