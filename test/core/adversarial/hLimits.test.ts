/** security.md §4 H (the parts the core owns: H4 payload shapes, H8 size; H1–H3, H5–H7 are the extension's). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, auditOf, user } from './harness.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { audit } from '../../../src/core/audit.ts';

describe('adversarial catalogue', () => {
  describe('H. Limits', () => {
    it('H4: wrong types anywhere in the key response give partial verdicts and findings, never a crash', async () => {
      const shapes: [string, (kq: Record<string, unknown>) => void][] = [
        ['device_keys is an array', (kq) => (kq['device_keys'] = [])],
        ['master_keys is a string', (kq) => (kq['master_keys'] = 'x')],
        ['a user\'s devices are a number', (kq) => ((kq['device_keys'] as Record<string, unknown>)['@user1:example.org'] = 5)],
        ['failures is null', (kq) => (kq['failures'] = null)],
        ['a 1 MB display name', (kq) => {
          const devs = (kq['device_keys'] as Record<string, Record<string, { unsigned?: unknown }>>)['@user0:example.org']!;
          for (const d of Object.values(devs)) d.unsigned = { device_display_name: 'x'.repeat(1 << 20) };
        }],
      ];
      for (const [name, mutate] of shapes) {
        const b = baseline();
        mutate(b.snap.keysQuery as unknown as Record<string, unknown>);
        const r = await auditOf(b.snap);
        assert.equal(r.format, 'crosscheck-report/1', name);
      }
    });

    it('H8: a partial identity (master key without self-signing key) is refused, not a crash', async () => {
      const b = baseline();
      delete b.snap.keysQuery.self_signing_keys[b.bob];
      const r = await auditOf(b.snap);
      assert.equal(user(r, b.bob).identity, 'refused');
    });

    it('H8: 100,000 devices for one user are audited (bounded work per device), no hang', async () => {
      const b = baseline();
      const template = Object.values(b.snap.keysQuery.device_keys[b.bob]!)[0]!;
      const many: Record<string, unknown> = {};
      for (let i = 0; i < 100_000; i++) many[`D${i}`] = { ...template, device_id: `D${i}` };
      b.snap.keysQuery.device_keys[b.bob] = many as never;
      const parsed = parseStrictJson(JSON.stringify(b.snap));
      assert.ok(parsed.ok);
      const r = await audit(parsed.value, { now: new Date('2026-12-04T15:00:00Z') });
      assert.ok(r.ok);
      const bob = r.value.users.find((u) => u.userId === b.bob)!;
      assert.equal(bob.devices.length, 100_000);
      assert.ok(bob.devices.every((d) => d.status === 'invalid'), 'copied entries fail their own ID check');
    });
  });
});
