/**
 * Crosscheck against the real thing: a live Synapse, accounts built by matrix-js-sdk with its
 * Rust crypto (what Element Web runs), a live capture, and the audit — compared, question by
 * question, with what the signed-in client's CryptoApi says about the same account.
 *
 * Where Crosscheck is deliberately stricter or sees less (no local history in a server-only
 * capture), the test says why at that spot.
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceIn, findingsOf, loadAudit, startSeeded, stopSeeded, userIn, utf8 } from './live.ts';
import type { Seeded } from './seed/scenario.ts';
import { captureSnapshot, type CapturedSnapshot } from '../../src/sources/homeserver/index.ts';
import type { Report } from '../../src/core/report/types.ts';
import type { JsonValue } from '../../src/core/json/strictJson.ts';
import { decodeRecoveryKey, encodeRecoveryKey, deriveRecoveryKeyFromPassphrase } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { SecretStorageKeyDescriptionAesV1 } from 'matrix-js-sdk/lib/secret-storage.js';
import type { SeedClient } from './seed/clients.ts';

let seeded: Seeded;
let audit: Awaited<ReturnType<typeof loadAudit>>;
const snaps: Record<string, CapturedSnapshot> = {};
const reports: Record<string, Report> = {};
const WRONG_KEY = encodeRecoveryKey(randomBytes(32)) as string;

async function capture(c: SeedClient, includeBackupSessions = true): Promise<CapturedSnapshot> {
  const progress: string[] = [];
  const r = await captureSnapshot({ homeserver: seeded.hs.baseUrl, accessToken: c.accessToken, now: () => new Date(), includeBackupSessions, onProgress: (m) => progress.push(m) });
  assert.ok(r.ok, !r.ok ? `capture as ${c.userId}/${c.deviceId} failed: ${r.error.message}` : '');
  assert.ok(progress.every((m) => !m.includes(c.accessToken)), 'the token appeared in a progress line');
  return r.value;
}

async function run(snap: CapturedSnapshot, secret?: { kind: 'recovery-key' | 'passphrase'; text: string }, extra: Record<string, JsonValue> = {}): Promise<Report> {
  const input = { ...snap, ...extra } as unknown as JsonValue;
  const r = await audit(input, { now: new Date(), ...(secret ? { secret: { kind: secret.kind, text: utf8(secret.text) } } : {}) });
  assert.ok(r.ok, !r.ok ? `audit failed: ${r.error.message}` : '');
  return r.value;
}

before(async () => {
  audit = await loadAudit();
  seeded = await startSeeded('agrees-with-matrix-js-sdk');
  const { alice, bob, carol } = seeded;
  snaps['alice'] = await capture(alice.A1);
  snaps['bob'] = await capture(bob.B1);
  snaps['alice3'] = await capture(alice.A3, false);
  snaps['alice2'] = await capture(alice.A2);
  reports['alice'] = await run(snaps['alice'], { kind: 'recovery-key', text: alice.recoveryKey });
  reports['aliceNoAnchor'] = await run(snaps['alice']);
  reports['alicePassphrase'] = await run(snaps['alice'], { kind: 'passphrase', text: alice.passphrase });
  reports['aliceWrongKey'] = await run(snaps['alice'], { kind: 'recovery-key', text: WRONG_KEY });
  reports['alicePinned'] = await run(snaps['alice'], { kind: 'recovery-key', text: alice.recoveryKey }, {
    pins: { [carol.userId]: { masterKey: carol.masterKeyBefore, firstSeen: '2026-01-01T00:00:00Z' } },
  });
  reports['bob'] = await run(snaps['bob'], { kind: 'recovery-key', text: bob.recoveryKey });
  reports['alice3'] = await run(snaps['alice3'], { kind: 'recovery-key', text: alice.recoveryKey });
  reports['alice2NoAnchor'] = await run(snaps['alice2']);
});

after(async () => {
  await stopSeeded(seeded);
});

const R = (name: string): Report => {
  const r = reports[name];
  if (!r) throw new Error(`no report ${name} (set-up failed?)`);
  return r;
};

describe('the live capture', () => {
  test('is a snapshot of the signed-in account, with everyone alice shares an encrypted room with', () => {
    const s = snaps['alice'] as CapturedSnapshot;
    const { alice, bob, carol, dave, frank, gina } = seeded;
    assert.equal(s.userId, alice.userId);
    assert.equal(s.deviceId, 'ALICE1');
    assert.equal(s.homeserver, seeded.hs.baseUrl);
    const queried = Object.keys(s.keysQuery['device_keys'] as object).sort();
    assert.deepEqual(queried, [alice.userId, bob.userId, carol.userId, dave.userId, frank.userId].sort());
    assert.ok(!queried.includes(gina.userId), 'gina shares only an unencrypted room with alice');
    assert.ok(Object.keys(s.keysQuery['user_signing_keys'] as object).includes(alice.userId));
    assert.equal((s.keyBackup as { version?: string }).version, alice.backupVersion);
    for (const t of ['m.secret_storage.default_key', `m.secret_storage.key.${alice.secretStorageKeyId}`, 'm.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing', 'm.megolm_backup.v1'])
      assert.ok(s.accountData && t in s.accountData, `account data ${t}`);
    // Bob has no backup: the server says M_NOT_FOUND, the snapshot says null.
    assert.equal((snaps['bob'] as CapturedSnapshot).keyBackup, null);
  });

  test('holds exactly the backed-up sessions: the ones alice received, not the one she never got', () => {
    const rooms = ((snaps['alice'] as CapturedSnapshot).keyBackupSessions?.['rooms'] ?? {}) as Record<string, { sessions: Record<string, unknown> }>;
    const captured = Object.entries(rooms).flatMap(([roomId, r]) => Object.keys(r.sessions).map((sid) => `${roomId} ${sid}`)).sort();
    assert.deepEqual(captured, seeded.sessions.inBackup.map((s) => `${s.roomId} ${s.sessionId}`).sort());
    for (const s of seeded.sessions.notInBackup) assert.ok(!captured.includes(`${s.roomId} ${s.sessionId}`), `${s.sender}'s session must not be in the backup`);
    const b = R('alice').backup;
    assert.deepEqual(b.sessions, { total: seeded.sessions.inBackup.length, decrypted: seeded.sessions.inBackup.length, failed: 0 });
  });
});

describe('devices: Crosscheck agrees with getDeviceVerificationStatus', () => {
  for (const viewer of ['alice', 'bob'] as const) {
    test(`${viewer}'s view: every device of every user`, async () => {
      const client = viewer === 'alice' ? seeded.alice.A1 : seeded.bob.B1;
      const report = R(viewer);
      const expected = seeded.expected[viewer];
      for (const [userId, exp] of Object.entries(expected.users)) {
        const u = userIn(report, userId);
        // Same device list as the client knows.
        const known = (await client.crypto.getUserDeviceInfo([userId], true)).get(userId);
        assert.deepEqual(u.devices.map((d) => d.deviceId).sort(), [...(known?.keys() ?? [])].sort(), `${userId}: device list`);
        for (const d of u.devices) {
          const js = await client.crypto.getDeviceVerificationStatus(userId, d.deviceId);
          assert.ok(js, `matrix-js-sdk does not know ${userId}/${d.deviceId}`);
          const why = `${viewer} looking at ${userId}/${d.deviceId} (${exp.story})`;
          assert.equal(d.status === 'cross-signed', js.signedByOwner, `signedByOwner: ${why}`);
          assert.equal(d.verified, js.crossSigningVerified, `crossSigningVerified: ${why}`);
          assert.deepEqual({ status: d.status, verified: d.verified }, exp.devices[d.deviceId], `seeded expectation: ${why}`);
        }
      }
    });
  }

  test('a device signed only by a stale self-signing key: both say not signed by owner; Crosscheck also says why', async () => {
    const { carol, alice } = seeded;
    const js = await alice.A1.crypto.getDeviceVerificationStatus(carol.userId, 'CAROL2');
    assert.equal(js?.signedByOwner, false);
    const d = deviceIn(userIn(R('alice'), carol.userId), 'CAROL2');
    assert.equal(d.status, 'not-cross-signed');
    // matrix-js-sdk has no notion of a stale signature; Crosscheck names the old key.
    const f = R('alice').findings.find((x) => x.code === 'DEVICE_SIGNED_BY_STALE_KEY' && x.deviceId === 'CAROL2');
    assert.ok(f, findingsOf(R('alice')).join('\n'));
    assert.ok(JSON.stringify(f.evidence).includes(carol.selfSigningKeyBefore), 'the stale key is the old self-signing key');
  });
});

describe('users: Crosscheck agrees with getUserVerificationStatus', () => {
  for (const viewer of ['alice', 'bob'] as const) {
    test(`${viewer}'s view, audited with ${viewer}'s recovery key`, async () => {
      const client = viewer === 'alice' ? seeded.alice.A1 : seeded.bob.B1;
      const report = R(viewer);
      assert.equal(report.anchor, 'recovery-key');
      for (const [userId, exp] of Object.entries(seeded.expected[viewer].users)) {
        const u = userIn(report, userId);
        const js = await client.crypto.getUserVerificationStatus(userId);
        const why = `${viewer} looking at ${userId} (${exp.story})`;
        assert.equal(u.identity === 'verified', js.isCrossSigningVerified(), `isCrossSigningVerified: ${why}`);
        assert.equal(u.identity, exp.identity, `seeded expectation: ${why}`);
        if (js.wasCrossSigningVerified() && !js.isCrossSigningVerified()) {
          // Carol: matrix-js-sdk remembers (in its local store) that alice verified carol's old
          // identity. A server-only capture has no such memory, so Crosscheck can only say
          // "unverified" — it says "changed" once it has a pin from an earlier audit (next test).
          assert.equal(u.identity, 'unverified', why);
        } else {
          assert.notEqual(u.identity, 'changed', why);
        }
      }
    });
  }

  test('wasCrossSigningVerified: with the earlier master key pinned, Crosscheck says "changed"', async () => {
    const { carol, alice } = seeded;
    const js = await alice.A1.crypto.getUserVerificationStatus(carol.userId);
    assert.equal(js.wasCrossSigningVerified(), true);
    assert.equal(js.isCrossSigningVerified(), false);
    assert.equal(js.needsUserApproval, true);
    const u = userIn(R('alicePinned'), carol.userId);
    assert.equal(u.identity, seeded.expected.alice.users[carol.userId]?.identityWithPin?.identity);
    assert.equal(u.masterKey, carol.masterKeyAfter);
    assert.ok(R('alicePinned').findings.some((f) => f.code === 'IDENTITY_CHANGED' && f.userId === carol.userId), findingsOf(R('alicePinned')).join('\n'));
    // Users whose pin matches stay as they were.
    for (const other of [seeded.bob.userId, seeded.dave.userId]) assert.notEqual(userIn(R('alicePinned'), other).identity, 'changed');
  });

  test('without an anchor the own identity is "unanchored", where matrix-js-sdk says verified', async () => {
    // Deliberately stricter: ALICE1's client trusts alice's identity because it holds the private
    // cross-signing keys it generated. A server-only capture has nothing local or typed that vouches
    // for the published master key (the homeserver could have made the whole chain), so Crosscheck
    // says "unanchored" and, for the same reason, verifies nobody through alice's user-signing key.
    const { alice } = seeded;
    assert.equal((await alice.A1.crypto.getUserVerificationStatus(alice.userId)).isCrossSigningVerified(), true);
    const r = R('aliceNoAnchor');
    assert.equal(r.anchor, 'none');
    for (const [userId, exp] of Object.entries(seeded.expected.alice.users)) {
      const u = userIn(r, userId);
      assert.equal(u.identity, exp.identityUnanchored, `${userId} without an anchor`);
      for (const d of u.devices) {
        const js = await alice.A1.crypto.getDeviceVerificationStatus(userId, d.deviceId);
        // Cross-signed-by-owner needs no anchor, so it still agrees…
        assert.equal(d.status === 'cross-signed', js?.signedByOwner, `${userId}/${d.deviceId}`);
        // …but "verified" does, so Crosscheck verifies no device.
        assert.equal(d.verified, false, `${userId}/${d.deviceId}`);
      }
    }
    assert.ok(r.findings.some((f) => f.code === 'OWN_IDENTITY_UNANCHORED'), findingsOf(r).join('\n'));
  });

  test('a client with no anchor of its own (ALICE2) agrees with Crosscheck without an anchor', async () => {
    // ALICE2 was cross-signed by ALICE1 but holds no private cross-signing key and never verified
    // its own identity, so matrix-js-sdk on ALICE2 trusts nothing through the chain — exactly the
    // position of a Crosscheck audit with no recovery key.
    const { alice } = seeded;
    const r = R('alice2NoAnchor');
    assert.equal(r.subject.deviceId, 'ALICE2');
    const A2 = alice.A2.crypto;
    assert.equal((await A2.getUserVerificationStatus(alice.userId)).isCrossSigningVerified(), false);
    assert.equal(userIn(r, alice.userId).identity, 'unanchored');
    for (const u of r.users) {
      assert.equal((await A2.getUserVerificationStatus(u.userId)).isCrossSigningVerified(), u.identity === 'verified', u.userId);
      for (const d of u.devices) {
        const js = await A2.getDeviceVerificationStatus(u.userId, d.deviceId);
        assert.equal(js?.signedByOwner, d.status === 'cross-signed', `${u.userId}/${d.deviceId}`);
        assert.equal(js?.crossSigningVerified, d.verified, `${u.userId}/${d.deviceId}`);
      }
    }
    // Backup trust: neither trusts the backup without an anchor.
    // Disagreement found: ALICE2's getKeyBackupInfo() answers from a cache filled when ALICE2
    // first synced, before ALICE1 made the backup, so it says "no backup" (null) although the
    // server has one; checkKeyBackupAndEnable() refreshes it. Crosscheck reads the server every time.
    // (Seen null in every run so far; either answer is accepted, the refreshed one is compared.)
    const cached = await A2.getKeyBackupInfo();
    assert.ok(cached === null || cached.version === alice.backupVersion);
    await A2.checkKeyBackupAndEnable();
    const info = await A2.getKeyBackupInfo();
    assert.equal(info?.version, alice.backupVersion);
    assert.ok(info);
    assert.deepEqual(await A2.isKeyBackupTrusted(info), { trusted: false, matchesDecryptionKey: false });
    assert.equal(r.backup.status, 'untrusted');
    assert.ok(r.findings.some((f) => f.code === 'BACKUP_NOT_TRUSTED'), findingsOf(r).join('\n'));
    assert.deepEqual((await A2.getCrossSigningStatus()).privateKeysCachedLocally, { masterKey: false, selfSigningKey: false, userSigningKey: false });
  });

  test('devices alice verified interactively: matrix-js-sdk trusts them locally, Crosscheck goes by cross-signing only', async () => {
    // The SAS exchange also marked BOB1 and CAROL1 as verified *devices* in ALICE1's local store
    // (localVerified). That flag lives only in the client; the server has no record of it, so
    // Crosscheck's `verified` is matrix-js-sdk's crossSigningVerified, not isVerified(). For
    // CAROL1 after carol's reset the two differ: isVerified() stays true on ALICE1.
    const { alice, carol, bob } = seeded;
    const carol1 = await alice.A1.crypto.getDeviceVerificationStatus(carol.userId, 'CAROL1');
    assert.deepEqual({ local: carol1?.localVerified, cs: carol1?.crossSigningVerified, isVerified: carol1?.isVerified() }, { local: true, cs: false, isVerified: true });
    assert.equal(deviceIn(userIn(R('alice'), carol.userId), 'CAROL1').verified, false);
    const bob1 = await alice.A1.crypto.getDeviceVerificationStatus(bob.userId, 'BOB1');
    assert.equal(bob1?.isVerified(), true);
    assert.equal(deviceIn(userIn(R('alice'), bob.userId), 'BOB1').verified, true);
  });

  test('own identity from a device that is not cross-signed: Crosscheck flags this session', async () => {
    const { alice } = seeded;
    const js = await alice.A3.crypto.getDeviceVerificationStatus(alice.userId, 'ALICE3');
    assert.equal(js?.signedByOwner, false);
    const r = R('alice3');
    assert.equal(r.subject.deviceId, 'ALICE3');
    assert.ok(r.findings.some((f) => f.code === 'OWN_DEVICE_NOT_CROSS_SIGNED' && f.deviceId === 'ALICE3'), findingsOf(r).join('\n'));
  });

  test('the findings the scenarios promise', () => {
    for (const viewer of ['alice', 'bob'] as const) {
      const got = R(viewer).findings;
      for (const want of seeded.expected[viewer].findings) {
        assert.ok(
          got.some((f) => f.code === want.code && (want.userId === undefined || f.userId === want.userId) && (want.deviceId === undefined || f.deviceId === want.deviceId)),
          `${viewer}: expected ${JSON.stringify(want)} among\n${findingsOf(R(viewer)).join('\n')}`,
        );
      }
    }
  });
});

describe('cross-signing, key backup and secret storage', () => {
  test('getCrossSigningStatus: public keys published, private keys in secret storage', async () => {
    for (const viewer of ['alice', 'bob'] as const) {
      const client = viewer === 'alice' ? seeded.alice.A1 : seeded.bob.B1;
      const js = await client.crypto.getCrossSigningStatus();
      const own = userIn(R(viewer), client.userId);
      assert.equal(js.publicKeysOnDevice, own.masterKey !== undefined && own.selfSigningKey !== undefined && own.userSigningKey !== undefined, viewer);
      const secrets = R(viewer).secretStorage.secrets;
      const inStorage = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing'].every((s) => secrets[s] === 'ok');
      assert.equal(js.privateKeysInSecretStorage, inStorage, `${viewer}: ${JSON.stringify(secrets)}`);
      assert.equal(R(viewer).secretStorage.status, seeded.expected[viewer].secretStorage);
      // privateKeysCachedLocally is about the client's own store, which a server capture does not read.
      assert.deepEqual(js.privateKeysCachedLocally, { masterKey: true, selfSigningKey: true, userSigningKey: true });
      // The published keys are the ones the client holds.
      assert.equal(own.masterKey, await client.crypto.getCrossSigningKeyId('master' as never));
    }
  });

  test('isKeyBackupTrusted: alice’s backup is trusted by both', async () => {
    const { alice } = seeded;
    const info = await alice.A1.crypto.getKeyBackupInfo();
    assert.ok(info);
    assert.equal(info.version, alice.backupVersion);
    const js = await alice.A1.crypto.isKeyBackupTrusted(info);
    assert.equal(js.trusted, true);
    assert.equal(js.matchesDecryptionKey, true);
    const b = R('alice').backup;
    assert.equal(b.status, 'trusted');
    assert.equal(b.status === 'trusted', js.trusted);
    assert.equal(b.version, alice.backupVersion);
    assert.equal(b.publicKey, (info.auth_data as { public_key: string }).public_key);
    assert.equal(await alice.A1.crypto.getActiveSessionBackupVersion(), b.version);
  });

  test('no backup: matrix-js-sdk finds none, Crosscheck says "missing"', async () => {
    assert.equal(await seeded.bob.B1.crypto.getKeyBackupInfo(), null);
    assert.equal(R('bob').backup.status, 'missing');
  });

  test('secret storage key check: the right recovery key, the passphrase, and a wrong key', async () => {
    const { alice } = seeded;
    const ss = alice.A1.client.secretStorage;
    const tuple = await ss.getKey(alice.secretStorageKeyId);
    assert.ok(tuple);
    const info = tuple[1] as SecretStorageKeyDescriptionAesV1;
    const right = await ss.checkKey(decodeRecoveryKey(alice.recoveryKey), info);
    const wrong = await ss.checkKey(decodeRecoveryKey(WRONG_KEY), info);
    assert.ok(info.passphrase, 'alice’s key was made from a passphrase');
    const fromPassphrase = await ss.checkKey(await deriveRecoveryKeyFromPassphrase(alice.passphrase, info.passphrase.salt, info.passphrase.iterations, info.passphrase.bits), info);
    assert.deepEqual({ right, fromPassphrase, wrong }, { right: true, fromPassphrase: true, wrong: false });

    assert.equal(R('alice').recoveryKey.status, 'correct');
    assert.equal(R('alicePassphrase').recoveryKey.status, 'correct');
    assert.equal(R('aliceWrongKey').recoveryKey.status, 'wrong');
    assert.ok(R('aliceWrongKey').findings.some((f) => f.code === 'RECOVERY_KEY_WRONG'), findingsOf(R('aliceWrongKey')).join('\n'));
    // With the right key every secret opens and matches the published keys.
    for (const [name, status] of Object.entries(R('alice').secretStorage.secrets)) assert.equal(status, 'ok', name);
    assert.equal(R('alice').secretStorage.defaultKeyId, alice.secretStorageKeyId);
  });

  test('bob’s secret storage: a random recovery key (no passphrase) is right; alice’s is wrong for it', async () => {
    const { bob, alice } = seeded;
    const tuple = await bob.B1.client.secretStorage.getKey(bob.secretStorageKeyId);
    assert.ok(tuple);
    const info = tuple[1] as SecretStorageKeyDescriptionAesV1;
    assert.equal(info.passphrase, undefined);
    assert.equal(await bob.B1.client.secretStorage.checkKey(decodeRecoveryKey(bob.recoveryKey), info), true);
    assert.equal(await bob.B1.client.secretStorage.checkKey(decodeRecoveryKey(alice.recoveryKey), info), false);
    assert.equal(R('bob').recoveryKey.status, 'correct');
    const crossed = await run(snaps['bob'] as CapturedSnapshot, { kind: 'recovery-key', text: alice.recoveryKey });
    assert.equal(crossed.recoveryKey.status, 'wrong');
  });
});

describe('the command line against the seeded account', () => {
  const cli = async (argv: string[], token: string) => {
    const { run } = await import('../../src/cli/main.ts');
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      readStdin: async () => new Uint8Array(),
      env: { CROSSCHECK_ACCESS_TOKEN: token },
      now: () => new Date(),
    });
    return { code, stdout, stderr };
  };

  test('crosscheck audit --homeserver prints the unverified session, the stale key and the trusted backup', async () => {
    const { alice } = seeded;
    const dir = mkdtempSync(join(tmpdir(), 'crosscheck-cli-'));
    try {
      const keyFile = join(dir, 'recovery-key');
      writeFileSync(keyFile, alice.recoveryKey, { mode: 0o600 });
      const text = await cli(['audit', '--homeserver', seeded.hs.baseUrl, '--recovery-key-file', keyFile], alice.A1.accessToken);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /DEVICE_NOT_CROSS_SIGNED: .*ALICE3/);
      assert.match(text.stdout, /DEVICE_SIGNED_BY_STALE_KEY: .*CAROL2/);
      assert.match(text.stdout, /Key backup: trusted/);
      assert.match(text.stdout, /Recovery key: correct/);
      assert.match(text.stderr, /keys\/query/, 'progress on stderr');
      for (const out of [text.stdout, text.stderr]) assert.ok(!out.includes(alice.A1.accessToken), 'token printed');
      // "changed" needs memory of the earlier key (a pin or the client store); a server-only
      // capture has neither, so the command line shows carol as not verified — see the pinned test.
      const json = await cli(['audit', '--homeserver', seeded.hs.baseUrl, '--recovery-key-file', keyFile, '--json'], alice.A1.accessToken);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as Report;
      assert.equal(userIn(report, seeded.carol.userId).identity, 'unverified');
      assert.equal(report.backup.status, 'trusted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('crosscheck audit --homeserver --pins reports carol\'s changed identity from a pin made before her reset', async () => {
    const { alice, carol } = seeded;
    const dir = mkdtempSync(join(tmpdir(), 'crosscheck-cli-'));
    try {
      const pins = join(dir, 'pins.json');
      // What an earlier `--pins` run (before carol's reset) would have written: her old master key, pinned.
      const row = { schemaVersion: 1, userId: carol.userId, masterKey: carol.masterKeyBefore, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-01T00:00:00Z', accepted: true };
      writeFileSync(pins, JSON.stringify({ format: 'crosscheck-pins/1', pins: [row] }));
      const text = await cli(['audit', '--homeserver', seeded.hs.baseUrl, '--pins', pins], alice.A1.accessToken);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`IDENTITY_CHANGED: ${carol.userId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'s identity changed`));
      assert.match(text.stdout, /DEVICE_NOT_CROSS_SIGNED: .*ALICE3/);
      assert.match(text.stdout, /DEVICE_SIGNED_BY_STALE_KEY: .*CAROL2/);
      assert.match(text.stdout, /Key backup: (trusted|untrusted)/);
      // The file now also holds carol's new key, recorded but not accepted.
      const saved = JSON.parse(readFileSync(pins, 'utf8')) as { pins: { userId: string; accepted: boolean }[] };
      assert.deepEqual(saved.pins.filter((p) => p.userId === carol.userId).map((p) => p.accepted).sort(), [false, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('crosscheck capture writes a snapshot and never the token; a bad token is one line and exit 2', async () => {
    const { alice } = seeded;
    const cap = await cli(['capture', '--homeserver', seeded.hs.baseUrl], alice.A1.accessToken);
    assert.equal(cap.code, 0, cap.stderr);
    const snap = JSON.parse(cap.stdout) as { format: string; userId: string };
    assert.equal(snap.format, 'crosscheck-snapshot/1');
    assert.equal(snap.userId, alice.userId);
    assert.ok(!cap.stdout.includes(alice.A1.accessToken) && !cap.stderr.includes(alice.A1.accessToken));
    const bad = await cli(['audit', '--homeserver', seeded.hs.baseUrl], 'syt_not_a_real_token');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /access token was rejected/);
    assert.equal(bad.stderr.trim().split('\n').filter((l) => !l.startsWith('crosscheck: signed in')).length, 1);
  });
});
