/**
 * Shared set-up for the adversarial catalogue (security.md §4): an honest baseline account from
 * the deterministic generator, asserted fully verified, and helpers to change exactly one thing
 * (re-signing where the attack is a validly signed lie).
 */
import assert from 'node:assert/strict';
import { buildModel, type AccountModel } from '../../fixtures/generator/model.ts';
import { render } from '../../fixtures/generator/render.ts';
import { addSignature } from '../../fixtures/generator/signJson.ts';
import type { AccountSecrets, SnapshotJson } from '../../fixtures/generator/types.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { audit } from '../../../src/core/audit.ts';
import type { DeviceReport, Finding, FindingCode, Report, UserReport } from '../../../src/core/report/types.ts';

/** Six users (verified, unverified, remote, without cross-signing), every device cross-signed, so the baseline has no warning at all. */
export const OPTIONS = { seed: 'crosscheck-adversarial-v1', users: 6, devicesPerUser: 2, ownDevices: 3, isDeviceCrossSigned: () => true } as const;

export interface Baseline {
  readonly m: AccountModel;
  readonly snap: SnapshotJson;
  readonly secrets: AccountSecrets;
  readonly me: string;
  readonly myDevice: string;
  /** A verified other user with every device cross-signed. */
  readonly bob: string;
}

/** A fresh, deep-copied honest account (each test mutates its own copy). */
export function baseline(): Baseline {
  const m = buildModel(OPTIONS);
  const r = render(m);
  const snap = JSON.parse(JSON.stringify(r.snapshot)) as SnapshotJson;
  return { m, snap, secrets: r.secrets, me: m.own.userId, myDevice: m.deviceId, bob: (m.others[0] as AccountModel['others'][number]).userId };
}

/** Audits a snapshot the way the CLI does (serialise, strict parse, audit). Fails the test if the audit itself fails. */
export async function auditOf(snap: unknown, secret?: { kind: 'recovery-key' | 'passphrase'; text: string }): Promise<Report> {
  const parsed = parseStrictJson(typeof snap === 'string' ? snap : JSON.stringify(snap));
  assert.ok(parsed.ok, 'the mutated snapshot must still be JSON');
  const r = await audit(parsed.value, {
    now: new Date('2026-12-04T15:00:00Z'),
    ...(secret ? { secret: { kind: secret.kind, text: new TextEncoder().encode(secret.text) } } : {}),
  });
  assert.ok(r.ok, `audit must run: ${r.ok ? '' : r.error.message}`);
  return r.value;
}

export function user(r: Report, userId: string): UserReport {
  const u = r.users.find((x) => x.userId === userId);
  assert.ok(u, `report lists ${userId}`);
  return u;
}

export function device(r: Report, userId: string, deviceId: string): DeviceReport {
  const d = user(r, userId).devices.find((x) => x.deviceId === deviceId);
  assert.ok(d, `report lists ${userId} ${deviceId}`);
  return d;
}

export function hasFinding(r: Report, code: FindingCode, where: { userId?: string; deviceId?: string } = {}): Finding | undefined {
  return r.findings.find((f) => f.code === code && (where.userId === undefined || f.userId === where.userId) && (where.deviceId === undefined || f.deviceId === where.deviceId));
}

export function assertFinding(r: Report, code: FindingCode, where: { userId?: string; deviceId?: string } = {}): Finding {
  const f = hasFinding(r, code, where);
  assert.ok(f, `expected ${code} ${JSON.stringify(where)}; got ${r.findings.map((x) => `${x.code}(${x.userId ?? ''} ${x.deviceId ?? ''})`).join(', ')}`);
  return f;
}

/** No device anywhere is called verified, and no identity but the listed ones is verified. */
export function assertNothingVerifiedBut(r: Report, allowed: readonly string[] = []): void {
  for (const u of r.users) {
    if (allowed.includes(u.userId)) continue;
    assert.notEqual(u.identity, 'verified', `${u.userId} must not be verified`);
    for (const d of u.devices) assert.equal(d.verified, false, `${u.userId} ${d.deviceId} must not be verified`);
  }
}

/** Seeds of the keys the generator made, for validly signed attacks. */
export function keysOf(b: Baseline, userId: string) {
  const u = [b.m.own, ...b.m.others].find((x) => x.userId === userId);
  assert.ok(u?.identity, `${userId} has an identity in the model`);
  return u.identity;
}

export { addSignature };
