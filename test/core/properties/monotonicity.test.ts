/**
 * Property tests (fast-check) on the generator's honest account:
 * - changing any signed field of any signed object never gives a better verdict anywhere;
 * - removing any signature never raises a verdict.
 * "Better" means: an identity becomes verified, a device becomes cross-signed or verified, the
 * backup becomes trusted, or the anchor becomes stronger.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildModel } from '../../fixtures/generator/model.ts';
import { render } from '../../fixtures/generator/render.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { audit } from '../../../src/core/audit.ts';
import type { Report } from '../../../src/core/report/types.ts';

const OPTIONS = { seed: 'crosscheck-properties-v1', users: 4, devicesPerUser: 2, ownDevices: 2 };
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

async function run(snapshot: Json): Promise<Report> {
  const parsed = parseStrictJson(JSON.stringify(snapshot));
  assert.ok(parsed.ok);
  const r = await audit(parsed.value, { now: new Date('2026-12-04T15:00:00Z') });
  assert.ok(r.ok);
  return r.value;
}

/** Every signed object in the snapshot, as a path from the root. */
function signedObjects(snap: { keysQuery: Record<string, Record<string, Json>>; keyBackup: Json }): string[][] {
  const out: string[][] = [];
  const kq = snap.keysQuery;
  for (const [user, devices] of Object.entries(kq['device_keys'] ?? {})) for (const d of Object.keys(devices as object)) out.push(['keysQuery', 'device_keys', user, d]);
  for (const map of ['master_keys', 'self_signing_keys', 'user_signing_keys']) for (const user of Object.keys(kq[map] ?? {})) out.push(['keysQuery', map, user]);
  if (snap.keyBackup) out.push(['keyBackup', 'auth_data']);
  return out;
}

/** Paths to every leaf inside a signed object that the signature covers (not signatures/unsigned at its top). */
function signedLeaves(obj: Json, prefix: string[] = [], top = true): string[][] {
  if (obj === null || typeof obj !== 'object') return [prefix];
  const out: string[][] = [];
  const entries = Array.isArray(obj) ? obj.map((v, i) => [String(i), v] as const) : Object.entries(obj);
  for (const [k, v] of entries) {
    if (top && (k === 'signatures' || k === 'unsigned')) continue;
    out.push(...signedLeaves(v, [...prefix, k], false));
  }
  if (out.length === 0) out.push(prefix);
  return out;
}

const get = (o: Json, path: string[]): Json => path.reduce<Json>((x, k) => (x as Record<string, Json>)[k] as Json, o);

function change(v: Json, how: number): Json {
  if (typeof v === 'string') return how % 2 === 0 ? `${v}x` : v.length > 0 ? v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A') : 'A';
  if (typeof v === 'number') return v + 1 + how;
  if (typeof v === 'boolean') return !v;
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.slice(1);
  return { ...v, injected: true };
}

function rank(r: Report) {
  return {
    anchor: r.anchor,
    backupTrusted: r.backup.status === 'trusted',
    users: Object.fromEntries(r.users.map((u) => [u.userId, { verified: u.identity === 'verified', identity: u.identity, devices: Object.fromEntries(u.devices.map((d) => [d.deviceId, { cs: d.status === 'cross-signed', verified: d.verified, status: d.status }])) }])),
  };
}

const ANCHOR_STRENGTH: Record<Report['anchor'], number> = { 'recovery-key': 4, 'local-private-key': 3, 'own-device-signature': 2, 'client-store-flag': 1, none: 0 };

function assertNotBetter(before: Report, after: Report, what: string): void {
  const b = rank(before);
  const a = rank(after);
  assert.ok(ANCHOR_STRENGTH[a.anchor] <= ANCHOR_STRENGTH[b.anchor], `${what}: anchor rose to ${a.anchor}`);
  assert.ok(!(a.backupTrusted && !b.backupTrusted), `${what}: backup became trusted`);
  for (const [user, u] of Object.entries(a.users)) {
    const old = b.users[user];
    if (!old) {
      assert.ok(!u.verified && Object.values(u.devices).every((d) => !d.cs && !d.verified), `${what}: a new user ${user} appeared with trust`);
      continue;
    }
    assert.ok(!(u.verified && !old.verified), `${what}: ${user} became verified`);
    for (const [dev, d] of Object.entries(u.devices)) {
      const od = old.devices[dev];
      assert.ok(!(d.cs && !od?.cs), `${what}: ${user} ${dev} became cross-signed`);
      assert.ok(!(d.verified && !od?.verified), `${what}: ${user} ${dev} became verified`);
    }
  }
}

describe('properties', () => {
  let honest: Json;
  let baseline: Report;
  let objects: string[][];
  before(async () => {
    honest = JSON.parse(JSON.stringify(render(buildModel(OPTIONS)).snapshot)) as Json;
    baseline = await run(honest);
    objects = signedObjects(honest as never);
    assert.equal(baseline.users[0]?.identity, 'verified', 'the fixture starts verified, so a regression can show');
  });

  it('changing any signed field of an honest fixture never gives a better verdict (and here always a worse one for that object)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(3), async (oi, li, how) => {
        const snap = structuredClone(honest) as Json;
        const objPath = objects[oi % objects.length] as string[];
        const leaves = signedLeaves(get(snap, objPath));
        const leaf = leaves[li % leaves.length] as string[];
        const parent = get(snap, [...objPath, ...leaf.slice(0, -1)]) as Record<string, Json>;
        const key = leaf[leaf.length - 1] as string;
        parent[key] = change(parent[key] as Json, how);
        const after = await run(snap);
        assertNotBetter(baseline, after, `${objPath.join('/')} ${leaf.join('.')}`);
        assert.notDeepEqual(rank(after), rank(baseline), `${objPath.join('/')} ${leaf.join('.')}: a change to signed content must be noticed`);
      }),
      { numRuns: 120, seed: 20261204 },
    );
  });

  it('removing any signature never raises a verdict', async () => {
    const sigPaths: string[][] = [];
    for (const p of objects) {
      const sigs = (get(honest, p) as Record<string, Json>)['signatures'] as Record<string, Record<string, Json>> | undefined;
      for (const [signer, byKey] of Object.entries(sigs ?? {})) for (const k of Object.keys(byKey)) sigPaths.push([...p, 'signatures', signer, k]);
    }
    assert.ok(sigPaths.length > 20);
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (i) => {
        const snap = structuredClone(honest) as Json;
        const p = sigPaths[i % sigPaths.length] as string[];
        delete (get(snap, p.slice(0, -1)) as Record<string, Json>)[p[p.length - 1] as string];
        assertNotBetter(baseline, await run(snap), p.join('/'));
      }),
      { numRuns: 80, seed: 20261205 },
    );
  });
});
