/**
 * @module seed/scenario — builds the accounts the integration tests audit, with real clients
 * (matrix-js-sdk + Rust crypto) against the test Synapse, and records what each should look like
 * in DESIGN.md's words. The clients stay signed in, so the tests can ask matrix-js-sdk's CryptoApi
 * the same questions.
 *
 *   alice  ALICE1 (bootstraps everything), ALICE2 (cross-signed by ALICE1), ALICE3 (never signed);
 *          secret storage whose key comes from a passphrase (so both the recovery key and the
 *          passphrase open it); a key backup made by ALICE1.
 *   bob    verified by alice through interactive SAS (alice's user-signing key signs bob's master
 *          key; bob's signs alice's); secret storage with a random recovery key; no key backup.
 *   carol  verified by alice through SAS, then resets her identity on CAROL1 (new master, self-
 *          and user-signing keys). CAROL2 keeps only the signature of the old self-signing key.
 *   dave   cross-signing set up, never verified by alice.
 *   frank  no cross-signing at all.
 *   gina   only in an unencrypted room with alice: must not be queried.
 *   rooms  "main" (encrypted; everyone but gina; messages from six devices, all keys reach
 *          ALICE1 and so the backup); "history" (encrypted, history visible to new members: dave
 *          writes before alice joins — a session alice never gets, so never in her backup — and
 *          bob writes after); "plain" (unencrypted, alice and gina).
 */
import type { DeviceStatus, FindingCode, IdentityStatus } from '../../../src/core/report/types.ts';
import { type StartedSynapse } from '../harness/synapse.ts';
import { registerUser, login, clientApi, type Credentials } from '../harness/admin.ts';
import { type SeedClient, startSeedClient, stopSeedClient, passwordAuth, waitFor } from './clients.ts';
import { verifyBySas } from './verification.ts';
import { setClientLogFile } from './quietLogs.ts';
import { join } from 'node:path';

export interface ExpectedDevice {
  readonly status: DeviceStatus;
  readonly verified: boolean;
}

export interface ExpectedUser {
  /** With the viewer's recovery key typed (anchor: recovery-key). */
  readonly identity: IdentityStatus;
  /** Without any anchor (no key typed, no local store): only differs for the viewer's own identity. */
  readonly identityUnanchored: IdentityStatus;
  /** When the snapshot carries a pin on an earlier master key (from a previous Crosscheck audit). */
  readonly identityWithPin?: { readonly masterKey: string; readonly identity: IdentityStatus };
  readonly devices: Readonly<Record<string, ExpectedDevice>>;
  /** Why it looks like this, in words (for failure messages). */
  readonly story: string;
}

export interface ExpectedView {
  readonly viewer: string;
  readonly users: Readonly<Record<string, ExpectedUser>>;
  /** Users who must not be in the captured /keys/query at all. */
  readonly absentUsers: readonly string[];
  /** Findings that must be present (code + whom). */
  readonly findings: readonly { readonly code: FindingCode; readonly userId?: string; readonly deviceId?: string }[];
  readonly backup: { readonly status: 'trusted' | 'missing'; readonly version?: string };
  readonly secretStorage: 'ok';
}

export interface BackedUpSession {
  readonly roomId: string;
  readonly sessionId: string;
  readonly sender: string;
}

export interface Seeded {
  readonly hs: StartedSynapse;
  readonly alice: {
    readonly userId: string;
    readonly A1: SeedClient;
    readonly A2: SeedClient;
    readonly A3: SeedClient;
    readonly recoveryKey: string;
    readonly passphrase: string;
    readonly secretStorageKeyId: string;
    readonly backupVersion: string;
  };
  readonly bob: { readonly userId: string; readonly B1: SeedClient; readonly recoveryKey: string; readonly secretStorageKeyId: string };
  readonly carol: {
    readonly userId: string;
    readonly C1: SeedClient;
    readonly C2: SeedClient;
    readonly masterKeyBefore: string;
    readonly selfSigningKeyBefore: string;
    readonly masterKeyAfter: string;
    readonly selfSigningKeyAfter: string;
  };
  readonly dave: { readonly userId: string; readonly D1: SeedClient };
  readonly frank: { readonly userId: string; readonly F1: SeedClient };
  readonly gina: { readonly userId: string; readonly creds: Credentials };
  readonly rooms: { readonly main: string; readonly history: string; readonly plain: string };
  readonly sessions: { readonly inBackup: readonly BackedUpSession[]; readonly notInBackup: readonly BackedUpSession[] };
  /** What alice's and bob's audits should say. */
  readonly expected: { readonly alice: ExpectedView; readonly bob: ExpectedView };
  /** Seconds per seeding phase. */
  readonly timings: Readonly<Record<string, number>>;
  /** Stops every client (call before stopping Synapse). */
  stopClients(): void;
}

const PASSWORD = 'correct horse battery staple';
export const ALICE_PASSPHRASE = 'a long passphrase alice chose for her secret storage';

function publicKeyOf(key: { keys?: Record<string, string> } | undefined): string {
  const v = key?.keys ? Object.values(key.keys)[0] : undefined;
  if (!v) throw new Error('cross-signing key without a public key');
  return v;
}

export async function seedScenario(hs: StartedSynapse, opts: { log?: (line: string) => void } = {}): Promise<Seeded> {
  const log = opts.log ?? (() => {});
  setClientLogFile(join(hs.logDir, 'clients.log'));
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark) / 1000;
    mark = now;
    log(`seed: ${name} ${timings[name]} s`);
  };
  const all: SeedClient[] = [];
  const start = async (userId: string, deviceId: string) => {
    const c = await startSeedClient(hs.baseUrl, userId, PASSWORD, deviceId);
    all.push(c);
    return c;
  };
  const stopClients = () => {
    for (const c of all) stopSeedClient(c);
  };

  try {
    // 1. Accounts and devices.
    const [alice, bob, carol, dave, frank, gina] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'frank', 'gina'].map((u) => registerUser(hs, u, PASSWORD))) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const [A1, A2, A3, B1, C1, C2, D1, F1] = await Promise.all([
      start(alice, 'ALICE1'),
      start(alice, 'ALICE2'),
      start(alice, 'ALICE3'),
      start(bob, 'BOB1'),
      start(carol, 'CAROL1'),
      start(carol, 'CAROL2'),
      start(dave, 'DAVE1'),
      start(frank, 'FRANK1'),
    ]);
    const ginaCreds = await login(hs.baseUrl, gina, PASSWORD, 'GINA1');
    // Every device has published its keys before anyone cross-signs anything.
    for (const c of all) {
      await waitFor(`${c.userId}/${c.deviceId} to upload device keys`, async () => {
        const r = (await clientApi(hs.baseUrl, c.accessToken)('POST', '/keys/query', { device_keys: { [c.userId]: [c.deviceId] } })) as {
          device_keys?: Record<string, Record<string, unknown>>;
        };
        return r.device_keys?.[c.userId]?.[c.deviceId] !== undefined;
      });
    }
    phase('accounts, 8 devices signed in with Rust crypto');

    // 2. Cross-signing, secret storage, key backup.
    const aliceKey = await A1.crypto.createRecoveryKeyFromPassphrase(ALICE_PASSPHRASE);
    const bobKey = await B1.crypto.createRecoveryKeyFromPassphrase();
    await Promise.all([
      (async () => {
        await A1.crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(A1) });
        await A1.crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => aliceKey, setupNewKeyBackup: true });
      })(),
      (async () => {
        await B1.crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(B1) });
        await B1.crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => bobKey, setupNewKeyBackup: false });
      })(),
      C1.crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(C1) }),
      D1.crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(D1) }),
    ]);
    const aliceKeyId = [...A1.secretStorageKeys.keys()][0];
    const bobKeyId = [...B1.secretStorageKeys.keys()][0];
    if (!aliceKeyId || !bobKeyId || !aliceKey.encodedPrivateKey || !bobKey.encodedPrivateKey) throw new Error('secret storage keys were not created');
    const backupInfo = await waitFor('alice’s key backup to be active', async () => ((await A1.crypto.getActiveSessionBackupVersion()) ? A1.crypto.getKeyBackupInfo() : null));
    if (!backupInfo.version) throw new Error('key backup has no version');
    // ALICE1 signs ALICE2 (once it has seen it); CAROL1 signs CAROL2. ALICE3 stays unsigned.
    await waitFor('ALICE1 to see ALICE2', async () => (await A1.crypto.getUserDeviceInfo([alice])).get(alice)?.has('ALICE2'));
    await A1.crypto.crossSignDevice('ALICE2');
    await waitFor('CAROL1 to see CAROL2', async () => (await C1.crypto.getUserDeviceInfo([carol])).get(carol)?.has('CAROL2'));
    await C1.crypto.crossSignDevice('CAROL2');
    phase('cross-signing, secret storage, key backup');

    // 3. Rooms.
    const encryption = { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } };
    const main = (await A1.client.createRoom({ name: 'main', preset: 'private_chat' as never, invite: [bob, carol, dave, frank], initial_state: [encryption] })).room_id;
    const plain = (await A1.client.createRoom({ name: 'plain', preset: 'private_chat' as never, invite: [gina] })).room_id;
    await Promise.all([B1, C1, D1, F1].map((c) => c.client.joinRoom(main)));
    await clientApi(hs.baseUrl, ginaCreds.accessToken)('POST', `/join/${encodeURIComponent(plain)}`, {});
    phase('rooms');

    // 4. Interactive SAS verification: alice ⇄ bob, alice ⇄ carol.
    await verifyBySas(A1, B1);
    await verifyBySas(A1, C1);
    const aliceView = clientApi(hs.baseUrl, A1.accessToken);
    const aliceUsk = await A1.crypto.getCrossSigningKeyId('user_signing' as never);
    if (!aliceUsk) throw new Error('alice has no user-signing key');
    const query = async (api: ReturnType<typeof clientApi>, users: string[]) =>
      (await api('POST', '/keys/query', { device_keys: Object.fromEntries(users.map((u) => [u, []])) })) as {
        master_keys?: Record<string, { keys?: Record<string, string>; signatures?: Record<string, Record<string, string>> }>;
        self_signing_keys?: Record<string, { keys?: Record<string, string> }>;
        device_keys?: Record<string, Record<string, { signatures?: Record<string, Record<string, string>> }>>;
      };
    await waitFor('alice’s signatures on bob’s and carol’s master keys to reach the server', async () => {
      const r = await query(aliceView, [bob, carol]);
      return [bob, carol].every((u) => r.master_keys?.[u]?.signatures?.[alice]?.[`ed25519:${aliceUsk}`] !== undefined);
    });
    phase('SAS verifications');

    // 5. Messages in "main" from six devices (carol before her reset).
    const sent: BackedUpSession[] = [];
    const send = async (c: SeedClient, roomId: string, text: string) => {
      // The Rust side learns of the room's encryption a moment after the room appears.
      await waitFor(`${c.deviceId} to see ${roomId} as encrypted`, async () => c.client.getRoom(roomId) !== null && (await c.crypto.isEncryptionEnabledInRoom(roomId)));
      const { event_id } = await c.client.sendTextMessage(roomId, text);
      const ev = (await clientApi(hs.baseUrl, c.accessToken)('GET', `/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(event_id)}`)) as {
        type: string;
        content: { session_id?: string };
      };
      if (ev.type !== 'm.room.encrypted' || !ev.content.session_id) throw new Error(`${c.deviceId}'s message in ${roomId} was not encrypted`);
      return { roomId, sessionId: ev.content.session_id, sender: `${c.userId}/${c.deviceId}` };
    };
    for (const c of [A1, A3, B1, C1, D1, F1]) sent.push(await send(c, main, `hello from ${c.deviceId}`));
    phase('messages in the main room');

    // 6. Carol resets her identity on CAROL1. CAROL2 keeps the old self-signing key's signature.
    const before = await query(aliceView, [carol]);
    const masterKeyBefore = publicKeyOf(before.master_keys?.[carol]);
    const selfSigningKeyBefore = publicKeyOf(before.self_signing_keys?.[carol]);
    await C1.crypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: passwordAuth(C1) });
    const after = await waitFor('carol’s new master key on the server', async () => {
      const r = await query(aliceView, [carol]);
      return publicKeyOf(r.master_keys?.[carol]) !== masterKeyBefore ? r : undefined;
    });
    const masterKeyAfter = publicKeyOf(after.master_keys?.[carol]);
    const selfSigningKeyAfter = publicKeyOf(after.self_signing_keys?.[carol]);
    await waitFor('alice’s client to notice carol’s new identity', async () => {
      const s = await A1.crypto.getUserVerificationStatus(carol);
      return !s.isCrossSigningVerified() && s.wasCrossSigningVerified();
    });
    await waitFor('CAROL1 to be signed by the new self-signing key', async () => {
      const r = await query(aliceView, [carol]);
      return r.device_keys?.[carol]?.['CAROL1']?.signatures?.[carol]?.[`ed25519:${selfSigningKeyAfter}`] !== undefined;
    });
    sent.push(await send(C1, main, 'carol again, after resetting her identity'));
    phase('carol’s identity reset');

    // 7. "history": dave writes before alice joins (that session never reaches alice), bob after.
    const history = (
      await B1.client.createRoom({
        name: 'history',
        preset: 'private_chat' as never,
        invite: [dave],
        initial_state: [encryption, { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'shared' } }],
      })
    ).room_id;
    await D1.client.joinRoom(history);
    await waitFor('BOB1 to see dave in the history room', () => B1.client.getRoom(history)?.getMember(dave)?.membership === 'join');
    const beforeAlice = await send(D1, history, 'dave, before alice was invited');
    await B1.client.invite(history, alice);
    await A1.client.joinRoom(history);
    await waitFor('BOB1 to see alice in the history room', () => B1.client.getRoom(history)?.getMember(alice)?.membership === 'join');
    sent.push(await send(B1, history, 'bob, after alice joined'));
    phase('history room');

    // 8. Everything ALICE1 received is in the backup; dave's early session is not.
    const version = backupInfo.version;
    // One session per sending device and room (a device reuses its outbound session).
    const inBackup = sent.filter((s, i) => sent.findIndex((t) => t.roomId === s.roomId && t.sessionId === s.sessionId) === i);
    await waitFor(
      'every session alice received to be in her key backup',
      async () => {
        const r = (await aliceView('GET', `/room_keys/keys?version=${encodeURIComponent(version)}`)) as { rooms: Record<string, { sessions: Record<string, unknown> }> };
        return inBackup.every((s) => r.rooms[s.roomId]?.sessions[s.sessionId] !== undefined);
      },
      45_000,
    );
    const final = (await aliceView('GET', `/room_keys/keys?version=${encodeURIComponent(version)}`)) as { rooms: Record<string, { sessions: Record<string, unknown> }> };
    if (final.rooms[history]?.sessions[beforeAlice.sessionId] !== undefined) throw new Error('dave’s pre-invite session reached alice’s backup; the scenario is not what it claims');
    const backedUpCount = Object.values(final.rooms).reduce((n, r) => n + Object.keys(r.sessions).length, 0);
    if (backedUpCount !== inBackup.length) throw new Error(`alice's backup holds ${backedUpCount} sessions, expected exactly ${inBackup.length}`);
    phase('key backup caught up');

    const expected = expectations({ alice, bob, carol, dave, frank, gina, masterKeyBefore, backupVersion: version });
    return {
      hs,
      alice: { userId: alice, A1, A2, A3, recoveryKey: aliceKey.encodedPrivateKey, passphrase: ALICE_PASSPHRASE, secretStorageKeyId: aliceKeyId, backupVersion: version },
      bob: { userId: bob, B1, recoveryKey: bobKey.encodedPrivateKey, secretStorageKeyId: bobKeyId },
      carol: { userId: carol, C1, C2, masterKeyBefore, selfSigningKeyBefore, masterKeyAfter, selfSigningKeyAfter },
      dave: { userId: dave, D1 },
      frank: { userId: frank, F1 },
      gina: { userId: gina, creds: ginaCreds },
      rooms: { main, history, plain },
      sessions: { inBackup, notInBackup: [beforeAlice] },
      expected,
      timings,
      stopClients,
    };
  } catch (e) {
    stopClients();
    throw e;
  }
}

/** What the audits should say, in DESIGN.md's words. */
function expectations(ids: { alice: string; bob: string; carol: string; dave: string; frank: string; gina: string; masterKeyBefore: string; backupVersion: string }): Seeded['expected'] {
  const { alice, bob, carol, dave, frank, gina } = ids;
  const cs = (verified: boolean): ExpectedDevice => ({ status: 'cross-signed', verified });
  const notCs: ExpectedDevice = { status: 'not-cross-signed', verified: false };
  const aliceUsers: Record<string, ExpectedUser> = {
    [alice]: {
      identity: 'verified',
      identityUnanchored: 'unanchored',
      devices: { ALICE1: cs(true), ALICE2: cs(true), ALICE3: notCs },
      story: 'own account: ALICE1 bootstrapped cross-signing and signed ALICE2; ALICE3 was never signed',
    },
    [bob]: { identity: 'verified', identityUnanchored: 'unverified', devices: { BOB1: cs(true) }, story: 'verified by alice through interactive SAS' },
    [carol]: {
      identity: 'unverified',
      identityUnanchored: 'unverified',
      identityWithPin: { masterKey: ids.masterKeyBefore, identity: 'changed' },
      devices: { CAROL1: cs(false), CAROL2: notCs },
      story: 'verified by alice through SAS, then reset her identity; CAROL2 is signed only by the old self-signing key',
    },
    [dave]: { identity: 'unverified', identityUnanchored: 'unverified', devices: { DAVE1: cs(false) }, story: 'cross-signing set up, never verified by alice' },
    [frank]: { identity: 'no-cross-signing', identityUnanchored: 'no-cross-signing', devices: { FRANK1: notCs }, story: 'never set up cross-signing' },
  };
  const bobUsers: Record<string, ExpectedUser> = {
    [bob]: { identity: 'verified', identityUnanchored: 'unanchored', devices: { BOB1: cs(true) }, story: 'own account, bootstrapped on BOB1' },
    [alice]: {
      identity: 'verified',
      identityUnanchored: 'unverified',
      devices: { ALICE1: cs(true), ALICE2: cs(true), ALICE3: notCs },
      story: 'bob verified alice in the same SAS exchange',
    },
    [carol]: { identity: 'unverified', identityUnanchored: 'unverified', devices: { CAROL1: cs(false), CAROL2: notCs }, story: 'bob never verified carol' },
    [dave]: { identity: 'unverified', identityUnanchored: 'unverified', devices: { DAVE1: cs(false) }, story: 'bob never verified dave' },
    [frank]: { identity: 'no-cross-signing', identityUnanchored: 'no-cross-signing', devices: { FRANK1: notCs }, story: 'never set up cross-signing' },
  };
  return {
    alice: {
      viewer: alice,
      users: aliceUsers,
      absentUsers: [gina],
      findings: [
        // OWN_DEVICE_* is for the session doing the capture; another own session gets this:
        { code: 'DEVICE_NOT_CROSS_SIGNED', userId: alice, deviceId: 'ALICE3' },
        { code: 'DEVICE_SIGNED_BY_STALE_KEY', userId: carol, deviceId: 'CAROL2' },
        { code: 'USER_NOT_VERIFIED', userId: dave },
      ],
      backup: { status: 'trusted', version: ids.backupVersion },
      secretStorage: 'ok',
    },
    bob: {
      viewer: bob,
      users: bobUsers,
      absentUsers: [gina],
      findings: [{ code: 'BACKUP_MISSING' }],
      backup: { status: 'missing' },
      secretStorage: 'ok',
    },
  };
}
