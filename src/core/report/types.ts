/**
 * @module report/types — the report contract (DESIGN.md "Report"): what `crosscheck audit --json`
 * prints and what the popup renders. Plain JSON: no Map, no class instances, no bytes.
 * Status words and finding codes are exact strings; extend, never rename.
 */

export type Anchor = 'recovery-key' | 'local-private-key' | 'own-device-signature' | 'client-store-flag' | 'none';

export type IdentityStatus = 'verified' | 'unverified' | 'unanchored' | 'changed' | 'refused' | 'no-cross-signing' | 'unknown';
export type DeviceStatus = 'cross-signed' | 'not-cross-signed' | 'invalid';
export type BackupStatus = 'trusted' | 'untrusted' | 'missing' | 'unsupported' | 'mismatch' | 'unknown';
export type SecretStatus = 'ok' | 'missing' | 'not-encrypted-for-default-key' | 'mac-mismatch' | 'corrupt' | 'does-not-match-public-key' | 'not-checked';
/** Secret storage as a whole: `ok` (default key and every needed secret present for it), `incomplete`, `missing`, `not-checked` (no data). */
export type SecretStorageStatus = 'ok' | 'incomplete' | 'missing' | 'not-checked';
export type RecoveryKeyStatus = 'correct' | 'wrong' | 'malformed' | 'unconfirmed' | 'matches-other-key' | 'not-checked';
export type RecoveryKeyMalformedReason = 'bad-character' | 'bad-length' | 'bad-prefix' | 'bad-parity';
export type Severity = 'error' | 'warning' | 'info';

export const FINDING_CODES = [
  'MASTER_KEY_MISSING',
  'SELF_SIGNING_KEY_MISSING',
  'USER_SIGNING_KEY_MISSING',
  'SELF_SIGNING_KEY_NOT_SIGNED',
  'SELF_SIGNING_KEY_BAD_SIGNATURE',
  'USER_SIGNING_KEY_NOT_SIGNED',
  'USER_SIGNING_KEY_BAD_SIGNATURE',
  'CROSS_SIGNING_KEY_MALFORMED',
  'OWN_IDENTITY_UNANCHORED',
  'OWN_DEVICE_NOT_CROSS_SIGNED',
  'DEVICE_NOT_CROSS_SIGNED',
  'DEVICE_SIGNATURE_INVALID',
  'DEVICE_SELF_SIGNATURE_INVALID',
  'DEVICE_KEYS_MALFORMED',
  'DEVICE_SIGNED_BY_STALE_KEY',
  'DEVICE_ID_IS_CROSS_SIGNING_KEY',
  'DEVICE_SIGNING_KEY_CHANGED',
  'OWN_DEVICE_KEYS_MISMATCH',
  'USER_NOT_VERIFIED',
  'VERIFIED_USER_HAS_UNSIGNED_DEVICES',
  'IDENTITY_CHANGED',
  'USER_SIGNATURE_INVALID',
  'KEYS_QUERY_FAILURE',
  'RESPONSE_MALFORMED',
  'BACKUP_MISSING',
  'BACKUP_ALGORITHM_UNSUPPORTED',
  'BACKUP_NOT_TRUSTED',
  'BACKUP_SIGNATURE_INVALID',
  'BACKUP_KEY_NOT_CACHED',
  'BACKUP_KEY_MISMATCH',
  'BACKUP_SESSIONS_UNDECRYPTABLE',
  'SECRET_STORAGE_MISSING',
  'SECRET_STORAGE_KEY_DESCRIPTION_MISSING',
  'SECRET_MISSING',
  'SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY',
  'SECRET_DOES_NOT_MATCH_PUBLIC_KEY',
  'SECRET_CORRUPT',
  'LOCAL_CROSS_SIGNING_KEYS_MISSING',
  'LOCAL_CROSS_SIGNING_KEYS_MISMATCH',
  // Extensions (DESIGN.md allows adding codes):
  /** A signature or key uses an encoding or key the strict policy refuses (small-order key, non-canonical base64, float in a signed object). */
  'SIGNATURE_UNVERIFIABLE',
  /** The recovery key or passphrase does not unlock secret storage. */
  'RECOVERY_KEY_WRONG',
  /** The recovery key text is not a well-formed recovery key. */
  'RECOVERY_KEY_MALFORMED',
  /** The key unlocks an older secret-storage key, not the current default one. */
  'RECOVERY_KEY_MATCHES_OTHER_KEY',
  /** Nothing in the account could confirm the key (no check MAC and no secret under it). */
  'RECOVERY_KEY_UNCONFIRMED',
  /** Passphrase parameters in the key description are unsafe or unsupported. */
  'SECRET_STORAGE_PASSPHRASE_PARAMETERS',
  /** A key-description check field (`iv`/`mac`) is missing, so the key can only be confirmed by a secret. */
  'SECRET_STORAGE_KEY_UNCHECKABLE',
  /** Backup session entries decrypt, but (v1) their content is unauthenticated. */
  'BACKUP_SESSIONS_UNAUTHENTICATED',
  /** Own identity is anchored only by a flag in the page-writable client store. */
  'OWN_IDENTITY_ANCHORED_BY_CLIENT_STORE',
  /** Message keys this browser holds that its client has not uploaded to the key backup (count per room). */
  'SESSIONS_NOT_BACKED_UP',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** One thing worth telling the user, with what it rests on. */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly userId?: string;
  readonly deviceId?: string;
  /** Plain-language sentence: what is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
  /** Machine-readable facts behind the finding (key IDs, signature states). Public data only. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface DeviceReport {
  readonly deviceId: string;
  readonly status: DeviceStatus;
  /** True only for `cross-signed` devices whose owner's identity is `verified`. */
  readonly verified: boolean;
  /** Server-supplied name (from `unsigned` or `/devices`): never signed, display only. */
  readonly displayName?: string;
  readonly ed25519?: string;
  readonly curve25519?: string;
}

export interface UserReport {
  readonly userId: string;
  readonly identity: IdentityStatus;
  readonly masterKey?: string;
  readonly selfSigningKey?: string;
  readonly userSigningKey?: string;
  readonly devices: DeviceReport[];
}

export interface BackupReport {
  readonly status: BackupStatus;
  readonly version?: string;
  readonly algorithm?: string;
  readonly publicKey?: string;
  /** Per-signer signature states on `auth_data`, keyed by key ID (`ed25519:<device or key>`). */
  readonly signatures?: Readonly<Record<string, SignerState>>;
  readonly sessions?: { readonly total: number; readonly decrypted: number; readonly failed: number };
}

/** State of one signature, per signer (STYLE.md §9: a state, not a boolean). */
export type SignerState = 'missing' | 'malformed' | 'invalid' | 'valid-untrusted' | 'valid-trusted';

export interface SecretStorageReport {
  readonly status: SecretStorageStatus;
  readonly defaultKeyId?: string;
  /** Every key description found, by key ID. */
  readonly keys?: readonly string[];
  readonly secrets: Readonly<Record<string, SecretStatus>>;
}

export interface RecoveryKeyReport {
  readonly status: RecoveryKeyStatus;
  /** For `malformed`: the reason word; otherwise a short phrase. */
  readonly reason?: string;
  /** For `malformed`: where (1-based character position in the text as typed). */
  readonly position?: number;
  /** Which key description the key matched (for `correct` and `matches-other-key`). */
  readonly keyId?: string;
  /** How many of the checked secrets it unlocked, and whether the current backup opens. */
  readonly unlocked?: { readonly secrets: number; readonly of: number; readonly backup: boolean };
}

export interface Report {
  readonly format: 'crosscheck-report/1';
  readonly subject: { readonly userId: string; readonly deviceId: string };
  readonly generatedAt: string;
  readonly anchor: Anchor;
  readonly users: UserReport[];
  readonly backup: BackupReport;
  readonly secretStorage: SecretStorageReport;
  readonly recoveryKey: RecoveryKeyReport;
  readonly findings: Finding[];
  /** Checks that could not run for lack of data, in words ("key backup: no data in the snapshot"). */
  readonly notChecked: string[];
  /**
   * Present when facts came from this browser's client store (the snapshot's `local` part): which
   * store. Verdicts that rest on it are "per this browser's client store" (security.md D4).
   */
  readonly clientStore?: ClientStoreSummary;
  /** Extension: present when the keys came from the client's own stores (an offline audit), not the homeserver. */
  readonly capturedFrom?: 'client-store';
}

/**
 * Extension (issue 5): what this browser's client store holds against what is published
 * (computed in ./clientStoreSummary.ts). `matches` / `differs` (another key than the one
 * published) / `not-cached` / `not-published` (nothing to compare with) / `unknown`.
 */
export type StoreKeyMatch = 'matches' | 'differs' | 'not-cached' | 'not-published' | 'unknown';

export interface ClientStoreSummary {
  /** Which store, e.g. "element-web rust-crypto store v107". */
  readonly client: string;
  /** This session's keys in the store against the keys the server publishes for it. */
  readonly thisSession: Exclude<StoreKeyMatch, 'not-cached'>;
  /** The private cross-signing keys the client caches, by the public keys they derive. */
  readonly crossSigning: { readonly master: StoreKeyMatch; readonly selfSigning: StoreKeyMatch; readonly userSigning: StoreKeyMatch };
  readonly backupKey: StoreKeyMatch;
  /** The backup version the cached key is for, when the store says. */
  readonly backupKeyVersion?: string;
  /** Message keys (Megolm sessions) the client holds, and how many it has not backed up. */
  readonly sessions?: { readonly rooms: number; readonly total: number; readonly notBackedUp: number };
  /** Room keys a sender withheld from this client. */
  readonly withheld?: number;
  /** Identities the client holds for other users, and how many changed since it pinned them. */
  readonly identities: { readonly held: number; readonly changed: number };
}
