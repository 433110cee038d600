/**
 * @module audit — the one pure function everything rests on: snapshot in, report out
 * (DESIGN.md "The pipeline"). The CLI and the extension's Worker call exactly this.
 *
 * Order matters: the recovery key (if given) is tried first, because what it proves (the
 * published master key is really ours) is the strongest anchor for the trust graph; the backup
 * verdict then uses the graph (which own devices are verified) and the backup key it unlocked.
 * Key material lives only inside this call and is wiped before it returns.
 */
import { summarizeClientStore } from './report/clientStoreSummary.ts';
import { type Result, ok, err } from './result.ts';
import { wipe } from './bytes.ts';
import { type JsonValue, isJsonObject } from './json/strictJson.ts';
import { readSnapshot, type Snapshot, type SnapshotError } from './snapshot/snapshot.ts';
import { parseCrossSigningKey } from './crossSigning/crossSigningKey.ts';
import { buildTrustModel } from './trust/buildTrustModel.ts';
import { BACKUP_ALGORITHM_V1, evaluateBackup, type BackupModel } from './backup/backupTrust.ts';
import { countBackupSessions } from './backup/sessions.ts';
import { auditSecretStorage, type SecretStorageOutcome } from './secretStorage/audit.ts';
import type { Pbkdf2Sha512 } from './crypto/pbkdf2.ts';
import { type Ed25519Equation, policyVerifier } from './crypto/ed25519Policy.ts';
import { CHECKS } from './checks/registry.ts';
import type { AuditContext, SessionCounts } from './checks/check.ts';
import { sortFindings } from './report/finding.ts';
import type { BackupReport, Report, UserReport } from './report/types.ts';
import type { TrustModel } from './trust/model.ts';

export interface AuditOptions {
  /** The time the audit is made (passed in: core has no clock). */
  readonly now: Date;
  /** A recovery key or passphrase typed by the user, as UTF-8 bytes. Wiped before audit returns. */
  readonly secret?: { readonly kind: 'recovery-key' | 'passphrase'; readonly text: Uint8Array };
  /** PBKDF2 implementation (WebCrypto in the extension); noble by default. */
  readonly pbkdf2?: Pbkdf2Sha512;
  /** A native Ed25519 equation (WebCrypto) to speed up verification; the strict policy stays in core. */
  readonly ed25519?: Ed25519Equation;
}

/** Audits a parsed snapshot. Fails (as data) only when the snapshot itself is unusable. */
export async function audit(input: JsonValue, options: AuditOptions): Promise<Result<Report, SnapshotError>> {
  const parsed = readSnapshot(input);
  if (!parsed.ok) {
    options.secret?.text.fill(0);
    return err(parsed.error);
  }
  const snap = parsed.value;
  const published = publishedKeys(snap);
  const verifier = policyVerifier(options.ed25519);
  let secrets: SecretStorageOutcome | undefined;
  try {
    secrets = await auditSecretStorage({
      accountData: snap.accountData,
      published,
      ...(options.secret ? { secret: options.secret } : {}),
      ...(options.pbkdf2 ? { pbkdf2: options.pbkdf2 } : {}),
      userId: snap.userId,
    });
    const model = await buildTrustModel(snap, { masterProvenByRecoveryKey: secrets.proven.master, verifier });
    const backupSecret = secrets.secretStorage.secrets['m.megolm_backup.v1'];
    const recoveryKeyMatches =
      secrets.proven.backup || secrets.backupPrivateKey !== undefined ? true : backupSecret === 'does-not-match-public-key' ? false : undefined;
    const backup = await evaluateBackup(snap, model, { recoveryKeyMatches, verifier });
    let sessions: SessionCounts | undefined;
    if (snap.keyBackupSessions) {
      const key = backup.kind === 'present' && backup.status !== 'mismatch' ? secrets.backupPrivateKey : undefined;
      sessions = countBackupSessions(snap.keyBackupSessions, key);
    }
    const ctx: AuditContext = { snapshot: snap, model, backup, sessions, secretFindings: secrets.findings };
    const findings = sortFindings(CHECKS.flatMap((c) => c.run(ctx)));
    const clientStore = summarizeClientStore(snap, model, backup);
    return ok({
      format: 'crosscheck-report/1',
      subject: { userId: snap.userId, deviceId: snap.deviceId },
      generatedAt: options.now.toISOString(),
      anchor: model.anchor,
      users: model.users.map(userReport),
      backup: backupReport(backup, sessions),
      secretStorage: secrets.secretStorage,
      recoveryKey: secrets.recoveryKey,
      findings,
      notChecked: notChecked(snap, model, options),
      ...(clientStore ? { clientStore } : {}),
      ...(snap.capturedFrom === 'client-store' ? { capturedFrom: 'client-store' as const } : {}),
    });
  } finally {
    wipe(secrets?.backupPrivateKey, options.secret?.text);
  }
}

/** Our own published public keys, as the secret-storage audit compares decrypted secrets to them. */
function publishedKeys(snap: Snapshot) {
  const kq = snap.keysQuery;
  const pick = (map: string, usage: 'master' | 'self_signing' | 'user_signing') => {
    const m = kq[map];
    if (!isJsonObject(m)) return undefined;
    const k = parseCrossSigningKey(m[snap.userId], usage, snap.userId);
    return k.ok ? k.value.publicKey : undefined;
  };
  const kb = snap.keyBackup;
  const auth = kb && kb['algorithm'] === BACKUP_ALGORITHM_V1 ? kb['auth_data'] : undefined;
  const backupPublicKey = isJsonObject(auth) && typeof auth['public_key'] === 'string' ? auth['public_key'] : undefined;
  const master = pick('master_keys', 'master');
  const selfSigning = pick('self_signing_keys', 'self_signing');
  const userSigning = pick('user_signing_keys', 'user_signing');
  return {
    ...(master ? { master } : {}),
    ...(selfSigning ? { selfSigning } : {}),
    ...(userSigning ? { userSigning } : {}),
    ...(backupPublicKey ? { backupPublicKey } : {}),
    backupActive: isJsonObject(kb),
  };
}

function userReport(u: TrustModel['users'][number]): UserReport {
  return {
    userId: u.userId,
    identity: u.identity,
    ...(u.master.kind === 'ok' ? { masterKey: u.master.key.publicKey } : {}),
    ...(u.selfSigning.kind === 'ok' ? { selfSigningKey: u.selfSigning.key.publicKey } : {}),
    ...(u.userSigning.kind === 'ok' ? { userSigningKey: u.userSigning.key.publicKey } : {}),
    devices: u.devices.map((d) => ({
      deviceId: d.deviceId,
      status: d.status,
      verified: d.verified,
      ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
      ...(d.parsed.ok ? { ed25519: d.parsed.value.ed25519, curve25519: d.parsed.value.curve25519 } : {}),
    })),
  };
}

function backupReport(b: BackupModel, sessions: SessionCounts | undefined): BackupReport {
  const s = sessions ? { sessions: { total: sessions.total, decrypted: sessions.decrypted, failed: sessions.failed } } : {};
  switch (b.kind) {
    case 'not-captured':
      return { status: 'unknown', ...s };
    case 'none':
      return { status: 'missing' };
    case 'malformed':
      return { status: 'unknown', ...s };
    case 'unsupported':
      return { status: 'unsupported', algorithm: b.algorithm, ...(b.version ? { version: b.version } : {}), ...s };
    case 'present':
      return { status: b.status, version: b.version, algorithm: b.algorithm, publicKey: b.publicKey, signatures: b.signatures, ...s };
  }
}

function notChecked(snap: Snapshot, model: TrustModel, options: AuditOptions): string[] {
  const out: string[] = [];
  if (snap.capturedFrom === 'client-store')
    out.push("whether the homeserver still serves these keys: this audit used the keys this browser's client store last saw, without asking the server");
  for (const gap of snap.coverageGaps ?? []) out.push(gap);
  if (snap.keyBackup === undefined) out.push('key backup: the snapshot has no /room_keys/version data');
  if (snap.keyBackup && !snap.keyBackupSessions) out.push('backed-up message keys: the snapshot has no /room_keys/keys data');
  if (snap.accountData === undefined) out.push('secret storage: the snapshot has no account data');
  if (!options.secret) out.push('recovery key: none was given, so secrets could not be decrypted');
  if (!snap.local)
    out.push(
      snap.localUnavailable
        ? `this browser's client store: ${snap.localUnavailable}`
        : "this browser's client store: not read, so this session's own keys, cached private keys and earlier verifications were not compared",
    );
  if (!snap.devices) out.push('session names and non-encrypting sessions: the snapshot has no /devices data');
  if (model.anchor === 'none' && model.own.master.kind === 'ok') out.push('whether your identity is really yours: no anchor (recovery key, cached private key or local device signature)');
  return out;
}
