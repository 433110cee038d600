/**
 * @module secretStorage/audit — the secret-storage (4S) audit and the recovery-key verdict
 * (spec secrets.md; matrix-crypto.md §4, §5, §9.14–9.16; security.md §4 rows F1–F10, G1).
 *
 * Two questions, kept apart:
 * 1. Is secret storage in order? A default key with a usable description, and every secret a new
 *    device needs (the three cross-signing keys, plus the backup key when there is a backup)
 *    encrypted for that default key (js-sdk `getSecretStorageStatus`).
 * 2. Is the key the user typed right? It is tried against every key description, default first.
 *    A description's check MAC confirms a key; a description without one (the spec says "assume
 *    valid") confirms nothing until a secret's own MAC verifies under the key (F2, F4).
 * Neither MAC is proof of identity: a secret only counts as `ok`/`proven` when the private key
 * inside derives the public key the homeserver publishes (stale 4S after a reset, §9.14; F5).
 *
 * The typed secret and everything derived from it are wiped before this returns, on every path;
 * findings carry key IDs and secret names only.
 */
import type { Result } from '../result.ts';
import { equalBytes, wipe } from '../bytes.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { isJsonObject, type JsonObject } from '../json/strictJson.ts';
import { ed25519PublicKeyFromSeed } from '../crypto/ed25519Policy.ts';
import { x25519PublicKey } from '../crypto/x25519.ts';
import type { Pbkdf2Sha512 } from '../crypto/pbkdf2.ts';
import { makeFinding, type FindingInput } from '../report/finding.ts';
import type { Finding, RecoveryKeyMalformedReason, RecoveryKeyReport, SecretStatus, SecretStorageReport } from '../report/types.ts';
import { decodeRecoveryKey, describeRecoveryKeyError } from '../recoveryKey/recoveryKey.ts';
import { KEY_DESCRIPTION_PREFIX, parseKeyDescription, type KeyDescription, type KeyDescriptionError } from './keyDescription.ts';
import { checkSecretStorageKey } from './keyCheck.ts';
import { derivePassphraseKey, type PassphraseParameterError } from './passphrase.ts';
import { decodeSecretKey, decryptSecret, encryptedEntry, parseEncryptedSecret } from './secret.ts';

export interface SecretStorageInput {
  /** `snapshot.accountData`; undefined = not captured. */
  readonly accountData: JsonObject | undefined;
  /** Unpadded base64 public keys from /keys/query and /room_keys/version. */
  readonly published: {
    readonly master?: string;
    readonly selfSigning?: string;
    readonly userSigning?: string;
    readonly backupPublicKey?: string;
    readonly backupActive: boolean;
  };
  /** What the user typed, as UTF-8 bytes. Wiped (filled with zeros) before the audit returns, on every path. */
  readonly secret?: { readonly kind: 'recovery-key' | 'passphrase'; readonly text: Uint8Array };
  /** PBKDF2 implementation for passphrases (WebCrypto in the extension); noble by default. */
  readonly pbkdf2?: Pbkdf2Sha512;
  readonly userId?: string;
}

export interface SecretStorageOutcome {
  readonly secretStorage: SecretStorageReport;
  readonly recoveryKey: RecoveryKeyReport;
  readonly findings: Finding[];
  /** True only when a secret the typed key decrypted derives the published public key. */
  readonly proven: { master: boolean; selfSigning: boolean; userSigning: boolean; backup: boolean };
  /** The backup private key if the typed key unlocked one that matches `published.backupPublicKey`; the CALLER wipes it. */
  backupPrivateKey?: Uint8Array;
}

const DEFAULT_KEY_TYPE = 'm.secret_storage.default_key';
const CROSS_SIGNING_SECRETS = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing'] as const;
const BACKUP_SECRET = 'm.megolm_backup.v1';
type SecretName = (typeof CROSS_SIGNING_SECRETS)[number] | typeof BACKUP_SECRET;
const ALL_SECRETS: readonly SecretName[] = [...CROSS_SIGNING_SECRETS, BACKUP_SECRET];

const SECRET_LABEL: Record<SecretName, string> = {
  'm.cross_signing.master': 'master cross-signing key',
  'm.cross_signing.self_signing': 'self-signing key',
  'm.cross_signing.user_signing': 'user-signing key',
  'm.megolm_backup.v1': 'message backup key',
};
const PROVEN_FIELD = {
  'm.cross_signing.master': 'master',
  'm.cross_signing.self_signing': 'selfSigning',
  'm.cross_signing.user_signing': 'userSigning',
  'm.megolm_backup.v1': 'backup',
} as const satisfies Record<SecretName, keyof SecretStorageOutcome['proven']>;

/**
 * Audits secret storage and, when the user typed one, checks the recovery key or passphrase.
 * Never throws for bad account data; wipes `input.secret.text` before returning.
 */
export async function auditSecretStorage(input: SecretStorageInput): Promise<SecretStorageOutcome> {
  const work = new Wiper();
  try {
    return await audit(input, work);
  } finally {
    input.secret?.text.fill(0);
    work.wipeAll();
  }
}

/** Collects every secret buffer made during the audit so one `finally` can wipe them all. */
class Wiper {
  private readonly buffers: Uint8Array[] = [];
  keep<T extends Uint8Array>(b: T): T {
    this.buffers.push(b);
    return b;
  }
  wipeAll(): void {
    wipe(...this.buffers);
    this.buffers.length = 0;
  }
}

/** What the account data says, before any key is tried. */
interface Layout {
  readonly defaultKeyId: string | undefined;
  readonly defaultKeyProblem: 'absent' | 'malformed' | undefined;
  /** Every `m.secret_storage.key.*`, default first, then by ID. */
  readonly descriptions: readonly { keyId: string; parsed: Result<KeyDescription, KeyDescriptionError> }[];
  readonly needed: readonly SecretName[];
}

/** What decrypting one secret under one key gave. */
type Unlock =
  | { readonly kind: 'absent' }
  | { readonly kind: 'failed'; readonly status: 'mac-mismatch' | 'corrupt' }
  | { readonly kind: 'decrypted'; readonly status: 'ok' | 'does-not-match-public-key' | 'not-checked'; readonly privateKey: Uint8Array };

/** A candidate key against one description. */
type KeyVerdict = 'match' | 'mismatch' | 'unconfirmed';

async function audit(input: SecretStorageInput, work: Wiper): Promise<SecretStorageOutcome> {
  const findings: Finding[] = [];
  const add = (f: Omit<FindingInput, 'userId'>) => findings.push(makeFinding({ ...f, ...(input.userId !== undefined ? { userId: input.userId } : {}) }));
  const needed: SecretName[] = [...CROSS_SIGNING_SECRETS, ...(input.published.backupActive ? [BACKUP_SECRET as SecretName] : [])];
  const published = publishedKeyBytes(input.published);
  const accountData = input.accountData;
  const proven = { master: false, selfSigning: false, userSigning: false, backup: false };

  // ---- 1. Secret storage as stored, without any key ----
  const secrets: Record<string, SecretStatus> = {};
  let layout: Layout | undefined;
  if (accountData === undefined) {
    for (const n of needed) secrets[n] = 'not-checked';
  } else {
    layout = readLayout(accountData, needed);
    storageFindings(accountData, layout, secrets, add);
  }

  // ---- 2. The typed key ----
  let recoveryKey: RecoveryKeyReport = { status: 'not-checked' };
  let backupPrivateKey: Uint8Array | undefined;
  if (input.secret) {
    const verdict = await checkTypedSecret(input, accountData, layout, published, work, add);
    recoveryKey = verdict.report;
    if (verdict.unlocks) {
      const isDefault = layout !== undefined && verdict.keyId === layout.defaultKeyId;
      for (const n of needed) {
        const u = verdict.unlocks.get(n);
        if (!u) continue;
        if (u.kind === 'decrypted' && u.status === 'ok') {
          proven[PROVEN_FIELD[n]] = true;
          if (n === BACKUP_SECRET) backupPrivateKey = u.privateKey.slice();
        }
        // Secret statuses describe storage under the *default* key; another key's copies only feed
        // `proven`. An entry already reported as stored badly keeps that status and finding.
        if (isDefault && u.kind !== 'absent' && secrets[n] === 'not-checked') {
          secrets[n] = u.status;
          secretResultFinding(n, layout!.defaultKeyId!, u, add);
        }
      }
    }
    if (verdict.rawBackupKey) {
      proven.backup = true;
      backupPrivateKey ??= verdict.rawBackupKey.slice();
    }
  }

  // ---- 3. Overall status ----
  const secretStorage: SecretStorageReport = {
    status: storageStatus(layout, secrets),
    ...(layout?.defaultKeyId !== undefined ? { defaultKeyId: layout.defaultKeyId } : {}),
    ...(layout ? { keys: layout.descriptions.map((d) => d.keyId) } : {}),
    secrets,
  };
  return { secretStorage, recoveryKey, findings, proven, ...(backupPrivateKey ? { backupPrivateKey } : {}) };
}

function publishedKeyBytes(p: SecretStorageInput['published']): Record<SecretName, Uint8Array | undefined> {
  const dec = (s: string | undefined) => {
    if (s === undefined) return undefined;
    const r = decodeBase64(s, { bytes: 32 });
    return r.ok ? r.value : undefined;
  };
  return {
    'm.cross_signing.master': dec(p.master),
    'm.cross_signing.self_signing': dec(p.selfSigning),
    'm.cross_signing.user_signing': dec(p.userSigning),
    'm.megolm_backup.v1': dec(p.backupPublicKey),
  };
}

function readLayout(accountData: JsonObject, needed: readonly SecretName[]): Layout {
  const def = accountData[DEFAULT_KEY_TYPE];
  let defaultKeyId: string | undefined;
  let defaultKeyProblem: Layout['defaultKeyProblem'];
  if (def === undefined || (isJsonObject(def) && Object.keys(def).length === 0)) defaultKeyProblem = 'absent';
  else if (isJsonObject(def) && typeof def['key'] === 'string') defaultKeyId = def['key'];
  else defaultKeyProblem = 'malformed';

  const ids = Object.keys(accountData)
    .filter((t) => t.startsWith(KEY_DESCRIPTION_PREFIX))
    .map((t) => t.slice(KEY_DESCRIPTION_PREFIX.length))
    .sort((a, b) => (a === defaultKeyId ? -1 : b === defaultKeyId ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const descriptions = ids.map((keyId) => ({ keyId, parsed: parseKeyDescription(keyId, accountData[KEY_DESCRIPTION_PREFIX + keyId]) }));
  return { defaultKeyId, defaultKeyProblem, descriptions, needed };
}

/** Findings and per-secret statuses that need no key. */
function storageFindings(accountData: JsonObject, layout: Layout, secrets: Record<string, SecretStatus>, add: (f: Omit<FindingInput, 'userId'>) => void): void {
  const { defaultKeyId } = layout;
  if (defaultKeyId === undefined) {
    add({
      code: 'SECRET_STORAGE_MISSING',
      severity: 'warning',
      message:
        layout.defaultKeyProblem === 'malformed'
          ? 'Your account’s secret storage setting is damaged, so no device can use it to recover your encryption keys.'
          : 'Your account has no secret storage, so a new device or browser cannot recover your identity or your message backup key from the server.',
      hint: 'Set up recovery in your Matrix client (in Element: Settings → Security & Privacy → Secure Backup) and keep the recovery key somewhere safe.',
      evidence: { defaultKey: layout.defaultKeyProblem ?? 'absent', keyIds: layout.descriptions.map((d) => d.keyId) },
    });
  } else {
    const desc = layout.descriptions.find((d) => d.keyId === defaultKeyId);
    if (!desc) {
      add({
        code: 'SECRET_STORAGE_KEY_DESCRIPTION_MISSING',
        severity: 'error',
        message: `Your secret storage names the key "${defaultKeyId}" as its default, but that key's description is missing, so no client can check a recovery key against it.`,
        hint: 'Reset your recovery key in your Matrix client; this writes a fresh key description and re-encrypts your secrets.',
        evidence: { keyId: defaultKeyId, problem: 'absent' },
      });
    } else if (!desc.parsed.ok) {
      const e = desc.parsed.error;
      add({
        code: 'SECRET_STORAGE_KEY_DESCRIPTION_MISSING',
        severity: 'error',
        message:
          e.code === 'unsupported-algorithm'
            ? `Your default secret-storage key "${defaultKeyId}" uses an old or unknown format (${e.algorithm}) that current clients cannot use.`
            : `The description of your default secret-storage key "${defaultKeyId}" is damaged (${e.message}), so a recovery key cannot be checked against it.`,
        hint: 'Reset your recovery key in your Matrix client; this writes a fresh key description and re-encrypts your secrets.',
        evidence: { keyId: defaultKeyId, problem: e.code, ...(e.code === 'malformed' ? { field: e.field } : { algorithm: e.algorithm }) },
      });
    } else {
      if (!desc.parsed.value.check) {
        add({
          code: 'SECRET_STORAGE_KEY_UNCHECKABLE',
          severity: 'warning',
          message: `Your default secret-storage key "${defaultKeyId}" has no check value, so a recovery key can only be confirmed by actually opening a secret with it. The server could have replaced this key without anyone noticing.`,
          hint: 'If your client did not create this key, reset your recovery key. Otherwise check your recovery key here: it is confirmed if it opens your secrets.',
          evidence: { keyId: defaultKeyId },
        });
      }
      passphraseFinding(defaultKeyId, desc.parsed.value.passphrase, add);
    }
  }

  for (const name of layout.needed) {
    const content = accountData[name];
    const encrypted = isJsonObject(content) ? content['encrypted'] : undefined;
    const keyIds = isJsonObject(encrypted) ? Object.keys(encrypted) : [];
    const label = SECRET_LABEL[name];
    if (keyIds.length === 0) {
      // `{}` is how js-sdk deletes a secret: missing, not corrupt.
      secrets[name] = 'missing';
      if (defaultKeyId !== undefined) {
        add({
          code: 'SECRET_MISSING',
          severity: 'warning',
          message: `Your ${label} is not in secret storage, so a new device cannot get it with your recovery key.`,
          hint: name === BACKUP_SECRET ? 'Reconnect this device to key backup in your client so it stores the backup key again.' : 'Open a client that has your cross-signing keys and let it store them in secret storage again (or reset cross-signing).',
          evidence: { secret: name },
        });
      }
      continue;
    }
    if (defaultKeyId === undefined || !keyIds.includes(defaultKeyId)) {
      secrets[name] = 'not-encrypted-for-default-key';
      if (defaultKeyId !== undefined) {
        add({
          code: 'SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY',
          severity: 'warning',
          message: `Your ${label} is stored, but not under your current recovery key "${defaultKeyId}", so that key cannot open it.`,
          hint: 'Reset your recovery key in a client that has this secret, so it is encrypted again for the current key.',
          evidence: { secret: name, defaultKeyId, encryptedFor: keyIds },
        });
      }
      continue;
    }
    const parsed = parseEncryptedSecret(encryptedEntry(content, defaultKeyId));
    if (!parsed.ok) {
      secrets[name] = 'corrupt';
      add(corruptFinding(name, defaultKeyId, `stored-${parsed.error.field}-malformed`));
      continue;
    }
    secrets[name] = 'not-checked';
  }
}

function passphraseFinding(keyId: string, p: KeyDescription['passphrase'], add: (f: Omit<FindingInput, 'userId'>) => void): void {
  if (!p) return;
  if (p.ok) {
    if (!p.value.weak) return;
    add({
      code: 'SECRET_STORAGE_PASSPHRASE_PARAMETERS',
      severity: 'warning',
      message: `The passphrase for secret-storage key "${keyId}" is stretched with only ${p.value.iterations} rounds, which makes it much easier to guess than clients normally allow (500 000 rounds).`,
      hint: 'Reset your recovery passphrase in your Matrix client; it will use safe settings.',
      evidence: { keyId, problem: 'weak', iterations: p.value.iterations },
    });
    return;
  }
  const e: PassphraseParameterError = p.error;
  add({
    code: 'SECRET_STORAGE_PASSPHRASE_PARAMETERS',
    severity: 'error',
    message: `The passphrase settings of secret-storage key "${keyId}" cannot be used: ${e.message}`,
    hint: 'Use your recovery key instead of the passphrase, or reset your recovery passphrase in your Matrix client.',
    evidence: { keyId, problem: e.code, ...(e.code === 'iterations-too-high' ? { iterations: e.iterations, limit: e.limit } : {}) },
  });
}

function corruptFinding(name: SecretName, keyId: string, reason: string): Omit<FindingInput, 'userId'> {
  return {
    code: 'SECRET_CORRUPT',
    severity: 'error',
    message:
      reason === 'mac-mismatch'
        ? `Your ${SECRET_LABEL[name]} in secret storage cannot be opened with your recovery key even though the key is right: it was damaged or replaced.`
        : `Your ${SECRET_LABEL[name]} in secret storage is damaged and cannot be used.`,
    hint: name === BACKUP_SECRET ? 'Reconnect this device to key backup, or reset key backup, so a good copy is stored.' : 'From a client that still has your cross-signing keys, store them again; otherwise reset cross-signing.',
    evidence: { secret: name, keyId, reason },
  };
}

function secretResultFinding(name: SecretName, keyId: string, u: Exclude<Unlock, { kind: 'absent' }>, add: (f: Omit<FindingInput, 'userId'>) => void): void {
  if (u.kind === 'failed') {
    add(corruptFinding(name, keyId, u.status === 'mac-mismatch' ? 'mac-mismatch' : 'not-a-key'));
    return;
  }
  if (u.status === 'does-not-match-public-key') {
    add({
      code: 'SECRET_DOES_NOT_MATCH_PUBLIC_KEY',
      severity: 'error',
      message:
        name === BACKUP_SECRET
          ? 'The message backup key in your secret storage belongs to an older backup, not the one on the server now, so it cannot decrypt your current backup.'
          : `The ${SECRET_LABEL[name]} in your secret storage is an old one: it does not match the key your account publishes now (this happens after a reset, or if the stored copy was tampered with).`,
      hint:
        name === BACKUP_SECRET
          ? 'In a client connected to the current backup, reconnect key backup so it stores the right key, or reset key backup.'
          : 'From a client that has your current cross-signing keys, store them in secret storage again; otherwise reset cross-signing.',
      evidence: { secret: name, keyId },
    });
  }
}

function storageStatus(layout: Layout | undefined, secrets: Record<string, SecretStatus>): SecretStorageReport['status'] {
  if (!layout) return 'not-checked';
  if (layout.defaultKeyId === undefined) return 'missing';
  const desc = layout.descriptions.find((d) => d.keyId === layout.defaultKeyId);
  if (!desc?.parsed.ok) return 'incomplete';
  for (const n of layout.needed) {
    const s = secrets[n];
    if (s !== 'ok' && s !== 'not-checked') return 'incomplete';
  }
  return 'ok';
}

// ---- the typed key ----

interface TypedVerdict {
  readonly report: RecoveryKeyReport;
  /** Which description matched (for `unlocks`). */
  readonly keyId?: string;
  /** Secrets decrypted under the matched description's key. */
  readonly unlocks?: Map<SecretName, Unlock>;
  /** The typed key itself when it is the raw backup decryption key. */
  readonly rawBackupKey?: Uint8Array;
}

async function checkTypedSecret(
  input: SecretStorageInput,
  accountData: JsonObject | undefined,
  layout: Layout | undefined,
  published: Record<SecretName, Uint8Array | undefined>,
  work: Wiper,
  add: (f: Omit<FindingInput, 'userId'>) => void,
): Promise<TypedVerdict> {
  const secret = input.secret!;
  const descriptions = layout?.descriptions ?? [];
  const usable = descriptions.flatMap((d) => (d.parsed.ok ? [d.parsed.value] : []));

  // Candidate key per description: one decoded recovery key for all, or one PBKDF2 per passphrase description.
  const candidates = new Map<string, Uint8Array>();
  let recoveryKeyBytes: Uint8Array | undefined;
  if (secret.kind === 'recovery-key') {
    // JS strings cannot be wiped; this one lives only until the next collection.
    const decoded = decodeRecoveryKey(new TextDecoder().decode(secret.text));
    if (!decoded.ok) {
      const e = decoded.error;
      const reason: RecoveryKeyMalformedReason = e.code === 'empty' ? 'bad-length' : e.code;
      add({
        code: 'RECOVERY_KEY_MALFORMED',
        severity: 'error',
        message: `That is not a valid recovery key: ${describeRecoveryKeyError(e)}.`,
        hint: 'Type the key again exactly as saved (spaces do not matter). A recovery key is 48 characters and starts with "Es".',
        evidence: { reason, ...(e.position !== undefined ? { position: e.position } : {}) },
      });
      return { report: { status: 'malformed', reason, ...(e.position !== undefined ? { position: e.position } : {}) } };
    }
    recoveryKeyBytes = work.keep(decoded.value);
    for (const d of usable) candidates.set(d.keyId, recoveryKeyBytes);
  } else {
    for (const d of usable) {
      if (!d.passphrase) continue;
      if (d.keyId !== layout?.defaultKeyId) passphraseFinding(d.keyId, d.passphrase, add); // the default's was reported already
      if (!d.passphrase.ok) continue;
      candidates.set(d.keyId, work.keep(await derivePassphraseKey(secret.text, d.passphrase.value, input.pbkdf2)));
    }
  }

  // Try every description, default first.
  let checkedSomething = false;
  let matched: KeyDescription | undefined;
  let confirmedBySecret = false;
  const tried: string[] = [];
  for (const d of usable) {
    const key = candidates.get(d.keyId);
    if (!key) continue;
    tried.push(d.keyId);
    const v = verdictFor(key, d, accountData, work);
    if (v.verdict !== 'unconfirmed') checkedSomething = true;
    if (v.verdict === 'match') {
      matched = d;
      confirmedBySecret = v.bySecret;
      break;
    }
  }

  // The legacy raw backup key shares the recovery-key encoding (matrix-crypto.md §4, §9.3).
  let rawBackupKey: Uint8Array | undefined;
  const backupPub = published[BACKUP_SECRET];
  if (recoveryKeyBytes && backupPub) {
    checkedSomething = true;
    const derived = work.keep(x25519PublicKey(recoveryKeyBytes));
    if (equalBytes(derived, backupPub)) rawBackupKey = recoveryKeyBytes;
  }

  const defaultKeyId = layout?.defaultKeyId;
  if (matched) {
    const unlocks = unlockAll(candidates.get(matched.keyId)!, matched.keyId, accountData, layout!.needed, published, work);
    const isOk = (u: Unlock | undefined) => u?.kind === 'decrypted' && u.status === 'ok';
    const okCount = [...unlocks.values()].filter(isOk).length;
    const unlocked = { secrets: okCount, of: layout!.needed.length, backup: isOk(unlocks.get(BACKUP_SECRET)) || rawBackupKey !== undefined };
    const what = secret.kind === 'passphrase' ? 'passphrase' : 'recovery key';
    if (matched.keyId === defaultKeyId) {
      return {
        report: { status: 'correct', reason: confirmedBySecret ? 'confirmed by opening a secret (the key has no check value)' : 'matches your secret-storage key', keyId: matched.keyId, unlocked },
        keyId: matched.keyId,
        unlocks,
        ...(rawBackupKey ? { rawBackupKey } : {}),
      };
    }
    add({
      code: 'RECOVERY_KEY_MATCHES_OTHER_KEY',
      severity: 'warning',
      message:
        defaultKeyId === undefined
          ? `This ${what} opens the secret-storage key "${matched.keyId}", but your account has no default secret-storage key, so clients will not use it.`
          : `This ${what} is an older one: it opens the secret-storage key "${matched.keyId}", not "${defaultKeyId}", which your account uses now.`,
      hint: 'Look for a newer recovery key (the last one your client showed you). If you have none, reset your recovery key from a signed-in, verified device.',
      evidence: { keyId: matched.keyId, ...(defaultKeyId !== undefined ? { defaultKeyId } : {}), unlocked },
    });
    return {
      report: { status: 'matches-other-key', reason: 'an older secret-storage key', keyId: matched.keyId, unlocked },
      keyId: matched.keyId,
      unlocks,
      ...(rawBackupKey ? { rawBackupKey } : {}),
    };
  }

  if (rawBackupKey) {
    add({
      code: 'RECOVERY_KEY_MATCHES_OTHER_KEY',
      severity: 'warning',
      message: 'This is the decryption key of your current message backup (an older kind of recovery key), not a secret-storage key. It can restore message history but not your identity.',
      hint: 'To recover your identity too, use your secret-storage recovery key, or set up recovery in your client (it can store this backup key for you).',
      evidence: { kind: 'backup-decryption-key' },
    });
    const of = layout?.needed.length ?? CROSS_SIGNING_SECRETS.length + (input.published.backupActive ? 1 : 0);
    return { report: { status: 'matches-other-key', reason: 'backup-decryption-key', unlocked: { secrets: 0, of, backup: true } }, rawBackupKey };
  }

  if (checkedSomething) {
    add({
      code: 'RECOVERY_KEY_WRONG',
      severity: 'error',
      message: secret.kind === 'passphrase' ? 'That passphrase does not open your secret storage.' : 'That recovery key does not open your secret storage (nor your message backup).',
      hint: 'Check it for typos and try any other keys you saved. If none works, reset your recovery key from a signed-in, verified device.',
      evidence: { triedKeyIds: tried },
    });
    return { report: { status: 'wrong', reason: 'does not match any secret-storage key' } };
  }

  const noPassphrase = secret.kind === 'passphrase' && usable.every((d) => !d.passphrase?.ok);
  add({
    code: 'RECOVERY_KEY_UNCONFIRMED',
    severity: 'warning',
    message: noPassphrase
      ? 'None of your secret-storage keys was set up with a usable passphrase, so a passphrase cannot be checked.'
      : 'Nothing in your account can confirm this key: the secret-storage key has no check value and no secret is stored under it.',
    hint: noPassphrase ? 'Use your recovery key instead.' : 'If you want to be sure, reset your recovery key from a signed-in, verified device; the new one will be checkable.',
    evidence: { triedKeyIds: tried },
  });
  return { report: { status: 'unconfirmed', reason: noPassphrase ? 'no passphrase set up' : 'nothing to check it against' } };
}

/**
 * Does `key` belong to description `d`? By the check MAC when there is one; otherwise by any
 * secret stored under `d` whose own MAC verifies (F2). Without either: unconfirmed.
 */
function verdictFor(key: Uint8Array, d: KeyDescription, accountData: JsonObject | undefined, work: Wiper): { verdict: KeyVerdict; bySecret: boolean } {
  const check = checkSecretStorageKey(key, d.check);
  if (check !== 'unverifiable') return { verdict: check, bySecret: false };
  if (!accountData) return { verdict: 'unconfirmed', bySecret: false };
  let sawMismatch = false;
  for (const name of ALL_SECRETS) {
    const entry = encryptedEntry(accountData[name], d.keyId);
    if (entry === undefined) continue;
    const r = decryptSecret(key, name, entry);
    if (r.ok) {
      work.keep(r.value.plaintext);
      return { verdict: 'match', bySecret: true };
    }
    if (r.error.code === 'mac-mismatch') sawMismatch = true;
  }
  return { verdict: sawMismatch ? 'mismatch' : 'unconfirmed', bySecret: false };
}

/** Decrypts each needed secret stored under `keyId` and proves it against the published key. */
function unlockAll(
  key: Uint8Array,
  keyId: string,
  accountData: JsonObject | undefined,
  needed: readonly SecretName[],
  published: Record<SecretName, Uint8Array | undefined>,
  work: Wiper,
): Map<SecretName, Unlock> {
  const out = new Map<SecretName, Unlock>();
  for (const name of needed) out.set(name, unlockOne(key, keyId, name, accountData, published[name], work));
  return out;
}

function unlockOne(key: Uint8Array, keyId: string, name: SecretName, accountData: JsonObject | undefined, publishedKey: Uint8Array | undefined, work: Wiper): Unlock {
  const entry = accountData ? encryptedEntry(accountData[name], keyId) : undefined;
  if (entry === undefined) return { kind: 'absent' };
  const r = decryptSecret(key, name, entry);
  if (!r.ok) return { kind: 'failed', status: r.error.code === 'mac-mismatch' ? 'mac-mismatch' : 'corrupt' };
  work.keep(r.value.plaintext);
  const priv = decodeSecretKey(r.value.plaintext);
  if (!priv.ok) return { kind: 'failed', status: 'corrupt' };
  work.keep(priv.value);
  const derived = name === BACKUP_SECRET ? x25519PublicKey(priv.value) : ed25519PublicKeyFromSeed(priv.value);
  // A decrypted key with nothing published to compare against proves nothing: not-checked, not ok.
  const status = publishedKey === undefined ? 'not-checked' : equalBytes(derived, publishedKey) ? 'ok' : 'does-not-match-public-key';
  return { kind: 'decrypted', status, privateKey: priv.value };
}

/** The secret names the audit looks at, in report order. */
export const AUDITED_SECRETS: readonly SecretName[] = ALL_SECRETS;
export type { SecretName };
