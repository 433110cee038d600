/**
 * Differential test: Crosscheck's `audit()` against matrix-rust-sdk's OlmMachine (wasm build,
 * matrix-sdk-crypto 0.19.1), both fed the very same /keys/query JSON.
 *
 * Per device we compare Crosscheck's `status` / `verified` with the oracle's
 * `isCrossSignedByOwner()` / `isCrossSigningTrusted()`, and per user Crosscheck's identity status
 * with the oracle's identity (`isVerified()`, `hasVerificationViolation()`). Required:
 * - soundness, always: a device Crosscheck calls `cross-signed` the oracle calls cross-signed by
 *   its owner, and a device Crosscheck calls `verified` the oracle trusts through cross-signing —
 *   Crosscheck may be stricter than rust-sdk, never laxer;
 * - on honest accounts the two agree exactly, device by device;
 * - on scenarios, they agree except where Crosscheck is stricter on purpose; each such case is
 *   declared below with the reason, and must actually occur (so the declaration stays true).
 *
 * How the OlmMachine is set up (its own device keys, the anchor) is explained in ./oracle.ts.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from '../../src/core/audit.ts';
import { parseStrictJson } from '../../src/core/json/strictJson.ts';
import type { DeviceReport, IdentityStatus, Report } from '../../src/core/report/types.ts';
import { generateAccount, type AccountOptions } from '../fixtures/generator/account.ts';
import { DEFAULT_SCENARIO_OPTIONS, buildScenario, type ScenarioName } from '../fixtures/generator/scenarios.ts';
import type { AccountSecrets, SnapshotJson } from '../fixtures/generator/types.ts';
import { createOracle, feedKeysQuery, initOracle, oracleDevice, oracleIdentity, refeedKeysQuery, type Oracle, type OracleDevice, type OracleIdentity } from './oracle.ts';

const NOW = new Date('2026-12-04T15:00:00Z');
const OWN_USER = '@user0:example.org';
/** The OlmMachine's device ID; the generator builds each account around this device. */
const ORACLE_DEVICE = 'ORACLEDEVI';

async function crosscheck(snapshot: SnapshotJson): Promise<Report> {
  const parsed = parseStrictJson(JSON.stringify(snapshot));
  assert.ok(parsed.ok, 'the generated snapshot should be strict JSON');
  const r = await audit(parsed.value, { now: NOW });
  assert.ok(r.ok, `audit should accept the snapshot: ${r.ok ? '' : r.error.message}`);
  return r.value;
}

/** Gives the machine the same anchor the snapshot describes: the own private cross-signing keys. */
async function anchor(o: Oracle, secrets: AccountSecrets): Promise<void> {
  const s = await o.machine.importCrossSigningKeys(secrets.crossSigning.master, secrets.crossSigning.selfSigning, secrets.crossSigning.userSigning);
  assert.ok(s.hasMaster && s.hasSelfSigning && s.hasUserSigning, 'the machine should accept the published private cross-signing keys');
}

interface DevicePair {
  readonly userId: string;
  readonly deviceId: string;
  readonly cc: DeviceReport | undefined;
  readonly oracle: OracleDevice;
}

interface UserPair {
  readonly userId: string;
  readonly cc: IdentityStatus | undefined;
  readonly oracle: OracleIdentity;
}

interface Comparison {
  readonly devices: DevicePair[];
  readonly users: UserPair[];
}

/** Every served device and every queried user, as each side sees them. */
async function compare(o: Oracle, snapshot: SnapshotJson, report: Report): Promise<Comparison> {
  const ccUsers = new Map(report.users.map((u) => [u.userId, u]));
  const devices: DevicePair[] = [];
  for (const [userId, served] of Object.entries(snapshot.keysQuery.device_keys))
    for (const deviceId of Object.keys(served)) {
      const cc = ccUsers.get(userId)?.devices.find((d) => d.deviceId === deviceId);
      devices.push({ userId, deviceId, cc, oracle: await oracleDevice(o.machine, userId, deviceId) });
    }
  const users: UserPair[] = [];
  for (const userId of snapshot.queriedUsers) users.push({ userId, cc: ccUsers.get(userId)?.identity, oracle: await oracleIdentity(o.machine, userId) });
  return { devices, users };
}

const ccCrossSigned = (p: DevicePair) => p.cc?.status === 'cross-signed';
const ccVerified = (p: DevicePair) => p.cc?.verified === true;
const at = (p: { userId: string; deviceId?: string }) => `${p.userId}${p.deviceId ? `/${p.deviceId}` : ''}`;

/** The two required-always properties. */
function assertSound(c: Comparison, label: string): void {
  for (const p of c.devices) {
    assert.ok(p.cc, `${label}: Crosscheck should report every served device (${at(p)})`);
    if (ccCrossSigned(p)) assert.ok(p.oracle.crossSignedByOwner, `${label}: ${at(p)} is cross-signed for Crosscheck but not for rust-sdk`);
    if (ccVerified(p)) assert.ok(p.oracle.crossSigningTrusted, `${label}: ${at(p)} is verified for Crosscheck but not trusted by rust-sdk`);
  }
  for (const u of c.users) if (u.cc === 'verified') assert.ok(u.oracle.verified, `${label}: ${u.userId} is verified for Crosscheck but not for rust-sdk`);
}

/** Devices on which the two sides differ, in either predicate. */
const deviceDisagreements = (c: Comparison): DevicePair[] =>
  c.devices.filter((p) => ccCrossSigned(p) !== p.oracle.crossSignedByOwner || ccVerified(p) !== p.oracle.crossSigningTrusted);

/** Users on which the two sides differ about "verified" or "has cross-signing at all". */
const userDisagreements = (c: Comparison): UserPair[] =>
  c.users.filter((u) => (u.cc === 'verified') !== u.oracle.verified || (u.cc === 'no-cross-signing') === u.oracle.present);

/** Builds an honest account around a fresh machine, feeds both sides, compares. */
async function runHonest(opts: Omit<AccountOptions, 'externalOwnDevice'>): Promise<Comparison> {
  const o = await createOracle(OWN_USER, ORACLE_DEVICE);
  try {
    const { snapshot, secrets } = generateAccount({ ...opts, externalOwnDevice: o.deviceKeys });
    await feedKeysQuery(o.machine, snapshot.keysQuery, snapshot.queriedUsers);
    await anchor(o, secrets);
    return await compare(o, snapshot, await crosscheck(snapshot));
  } finally {
    o.machine.close();
  }
}

interface ScenarioRun {
  readonly comparison: Comparison;
  readonly snapshot: SnapshotJson;
  readonly target: { readonly userId?: string; readonly deviceId?: string };
}

/**
 * Builds `name` around a fresh machine. The machine first sees the honest account when the
 * scenario is about history (a verified identity that changed), as a real client would have.
 */
async function runScenario(name: ScenarioName): Promise<ScenarioRun> {
  const o = await createOracle(OWN_USER, ORACLE_DEVICE);
  try {
    const opts = { ...DEFAULT_SCENARIO_OPTIONS, externalOwnDevice: o.deviceKeys };
    const s = buildScenario(name, opts);
    if (name === 'other-user-reset-after-verification') {
      const before = buildScenario('honest', opts);
      await feedKeysQuery(o.machine, before.snapshot.keysQuery, before.snapshot.queriedUsers);
      await anchor(o, before.secrets);
      await refeedKeysQuery(o.machine, s.snapshot.keysQuery, s.snapshot.queriedUsers);
    } else {
      await feedKeysQuery(o.machine, s.snapshot.keysQuery, s.snapshot.queriedUsers);
      await anchor(o, s.secrets);
    }
    return { comparison: await compare(o, s.snapshot, await crosscheck(s.snapshot)), snapshot: s.snapshot, target: s.target };
  } finally {
    o.machine.close();
  }
}

const totals = { devices: 0, users: 0 };
const count = (c: Comparison) => {
  totals.devices += c.devices.length;
  totals.users += c.users.length;
};

describe('differential: audit() against matrix-rust-sdk OlmMachine', () => {
  before(initOracle);

  describe('honest accounts', () => {
    for (const opts of [
      { seed: 'differential-5', users: 5, devicesPerUser: 2 },
      { seed: 'differential-50', users: 50, devicesPerUser: 3 },
      { seed: 'differential-120', users: 120, devicesPerUser: 1, ownDevices: 4 },
    ]) {
      it(`agrees exactly, device by device (${opts.users} users × ${opts.devicesPerUser} devices, seed ${opts.seed})`, async () => {
        const t0 = performance.now();
        const c = await runHonest(opts);
        count(c);
        assertSound(c, opts.seed);
        assert.deepEqual(deviceDisagreements(c).map(at), [], 'honest: every device should get the same verdict from both');
        assert.deepEqual(userDisagreements(c).map(at), [], 'honest: every identity should get the same verdict from both');
        // Guard against a vacuous pass: both verdicts occur on both sides.
        assert.ok(c.devices.some((p) => p.oracle.crossSignedByOwner) && c.devices.some((p) => !p.oracle.crossSignedByOwner), 'both cross-signed and unsigned devices are compared');
        assert.ok(c.devices.some((p) => p.oracle.crossSigningTrusted) && c.devices.some((p) => p.oracle.crossSignedByOwner && !p.oracle.crossSigningTrusted), 'both trusted and merely owner-signed devices are compared');
        const own = c.devices.find((p) => p.userId === OWN_USER && p.deviceId === ORACLE_DEVICE);
        assert.ok(own?.oracle.crossSignedByOwner && own.cc?.status === 'cross-signed', "the machine's own device is cross-signed on both sides");
        console.log(`# differential ${opts.seed}: ${c.devices.length} devices, ${c.users.length} users compared in ${(performance.now() - t0).toFixed(0)} ms`);
      });
    }
  });

  describe('scenarios', () => {
    /** Scenarios whose /keys/query the honest account shares (backup and secret-storage changes) add nothing here. */
    const agreeing: ScenarioName[] = [
      'honest',
      'own-device-not-cross-signed',
      'own-device-signed-by-previous-self-signing-key',
      'own-identity-reset-stale-secret-storage',
      'tampered-self-signing-key-signature',
      'tampered-user-signing-key-signature',
      'backup-signed-only-by-unverified-device',
    ];
    for (const name of agreeing) {
      it(`${name}: agrees exactly`, async () => {
        const { comparison: c, target } = await runScenario(name);
        count(c);
        assertSound(c, name);
        assert.deepEqual(deviceDisagreements(c).map(at), [], `${name}: devices should get the same verdict from both`);
        assert.deepEqual(userDisagreements(c).map(at), [], `${name}: identities should get the same verdict from both`);
        if (target.deviceId) {
          const p = c.devices.find((x) => x.userId === target.userId && x.deviceId === target.deviceId);
          assert.ok(p, `${name}: the changed device is compared`);
          assert.equal(p.oracle.crossSignedByOwner, false, `${name}: rust-sdk also says the changed device is not cross-signed`);
        }
      });
    }

    it('tampered-device-self-signature: agrees; rust-sdk drops the device, Crosscheck reports it invalid', async () => {
      const { comparison: c, target } = await runScenario('tampered-device-self-signature');
      count(c);
      assertSound(c, 'tampered-device-self-signature');
      assert.deepEqual(deviceDisagreements(c).map(at), []);
      assert.deepEqual(userDisagreements(c).map(at), []);
      const p = c.devices.find((x) => x.userId === target.userId && x.deviceId === target.deviceId);
      // rust-sdk refuses to create a device whose self-signature fails (DeviceData::try_from);
      // Crosscheck keeps it in the report, marked invalid, so the user sees what the server sent.
      assert.equal(p?.oracle.present, false, 'rust-sdk does not keep a device with a broken self-signature');
      assert.equal(p?.cc?.status, 'invalid');
    });

    it('other-user-reset-after-verification: agrees on devices; "changed" is rust-sdk\'s verification violation', async () => {
      const { comparison: c, target } = await runScenario('other-user-reset-after-verification');
      count(c);
      assertSound(c, 'other-user-reset-after-verification');
      assert.deepEqual(deviceDisagreements(c).map(at), []);
      assert.deepEqual(userDisagreements(c).map(at), []);
      const u = c.users.find((x) => x.userId === target.userId);
      assert.ok(u?.oracle.present && !u.oracle.verified, 'rust-sdk no longer verifies the new identity');
      assert.ok(u.oracle.verificationViolation && u.oracle.previouslyVerified, 'rust-sdk flags a verification violation');
      assert.equal(u.cc, 'changed', 'Crosscheck says the identity changed');
      // Their devices are validly signed by their *new* self-signing key on both sides, and trusted on neither.
      for (const p of c.devices.filter((x) => x.userId === target.userId)) {
        assert.equal(p.oracle.crossSignedByOwner, true);
        assert.equal(p.oracle.crossSigningTrusted, false);
      }
    });

    it('keys-query-failure: users on the failed server are unknown to both', async () => {
      const { comparison: c, snapshot } = await runScenario('keys-query-failure');
      count(c);
      assertSound(c, 'keys-query-failure');
      assert.deepEqual(deviceDisagreements(c).map(at), []);
      const failed = Object.keys(snapshot.keysQuery.failures);
      const lost = c.users.filter((u) => failed.some((s) => u.userId.endsWith(`:${s}`)));
      assert.ok(lost.length > 0, 'some users are on the failed server');
      for (const u of lost) {
        assert.equal(u.cc, 'unknown', `${u.userId}: Crosscheck says unknown, never "no cross-signing"`);
        assert.equal(u.oracle.present, false, `${u.userId}: rust-sdk has no identity for them either`);
      }
      // Everyone else: as in the honest account.
      assert.deepEqual(userDisagreements({ devices: [], users: c.users.filter((u) => !lost.includes(u)) }).map(at), []);
    });

    it('device-id-is-cross-signing-key: Crosscheck is stricter (refuses the user), never laxer', async () => {
      const { comparison: c, target } = await runScenario('device-id-is-cross-signing-key');
      count(c);
      assertSound(c, 'device-id-is-cross-signing-key');
      // Deliberately stricter: the spec says clients must refuse a user with a device whose ID
      // equals one of their cross-signing keys (CVE-2022-39250; matrix-crypto.md §1.4). rust-sdk's
      // manager.rs has no such check, so it keeps verifying the user and trusting their other
      // devices; Crosscheck refuses the identity, so none of their devices is verified.
      const u = c.users.find((x) => x.userId === target.userId);
      assert.equal(u?.cc, 'refused');
      assert.equal(u?.oracle.verified, true, 'rust-sdk still verifies the user (if this changes, rust-sdk became strict too: update this test)');
      assert.deepEqual(userDisagreements(c).map(at), [target.userId], 'the refused user is the only identity they disagree on');
      const differing = deviceDisagreements(c);
      assert.ok(differing.length > 0, 'the stricter verdict shows on the target user’s devices');
      for (const p of differing) {
        assert.equal(p.userId, target.userId, `only the refused user's devices may differ (${at(p)})`);
        assert.equal(p.oracle.crossSigningTrusted, true);
        assert.equal(p.cc?.verified, false);
      }
      // The rogue device itself: self-signed by a server key, signed by nobody's SSK — both agree it is not cross-signed.
      const rogue = c.devices.find((x) => x.userId === target.userId && x.deviceId === target.deviceId);
      assert.equal(rogue?.oracle.crossSignedByOwner, false);
      assert.notEqual(rogue?.cc?.status, 'cross-signed');
    });

    it('master-key-with-two-keys: Crosscheck is stricter (refuses the malformed key), never laxer', async () => {
      const { comparison: c, target } = await runScenario('master-key-with-two-keys');
      count(c);
      assertSound(c, 'master-key-with-two-keys');
      // Deliberately stricter: the spec allows exactly one key in a cross-signing key's `keys`
      // (matrix-crypto.md §2.3). rust-sdk takes the first entry (common.rs get_first_key_and_id)
      // and, the genuine key sorting first here, keeps the identity and its MSK → SSK → device
      // chain; only our user-signing signature fails, as it no longer covers the object.
      // Crosscheck refuses the whole identity, so none of the user's devices is cross-signed.
      const u = c.users.find((x) => x.userId === target.userId);
      assert.equal(u?.cc, 'refused');
      assert.equal(u?.oracle.present, true, 'rust-sdk keeps the identity (if this changes, rust-sdk became strict too: update this test)');
      assert.equal(u?.oracle.verified, false, 'our signature no longer covers the key on either side');
      assert.deepEqual(userDisagreements(c).map(at), [], 'both say "not verified", and neither says "no cross-signing"');
      const differing = deviceDisagreements(c);
      const signedByOwner = c.devices.filter((p) => p.userId === target.userId && p.oracle.crossSignedByOwner);
      assert.ok(signedByOwner.length > 0, 'rust-sdk still calls some of their devices cross-signed');
      assert.deepEqual(differing.map(at), signedByOwner.map(at), 'they differ exactly on the devices rust-sdk still calls cross-signed');
      for (const p of differing) assert.notEqual(p.cc?.status, 'cross-signed');
    });
  });

  it('compared a meaningful number of devices (printed)', () => {
    console.log(`# differential total: ${totals.devices} device verdicts and ${totals.users} identity verdicts compared`);
    assert.ok(totals.devices > 200, `expected hundreds of device comparisons, got ${totals.devices}`);
  });
});
