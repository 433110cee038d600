/**
 * @module popup/view/findings — every finding as the popup shows it: what is wrong (the core's
 * `message`), why it matters (a sentence per code, written here for someone who is not a
 * cryptographer), and what to do (the core's `hint`). Server-supplied text inside messages (user
 * IDs, display names) goes through {@link safeText}.
 */
import type { Finding, FindingCode, Severity } from '../../core/report/types.ts';
import { safeText } from './safeText.ts';
import { severityTone, type Tone } from './format.ts';

/**
 * Why each finding matters, in one plain sentence. A `Record` over every code, so adding a code to
 * the report contract without explaining it here fails the type check.
 */
export const WHY_IT_MATTERS: Readonly<Record<FindingCode, string>> = {
  MASTER_KEY_MISSING: 'Without a master key there is nothing to verify: anyone who controls the server could add a session and it would look the same as a real one.',
  SELF_SIGNING_KEY_MISSING: 'The self-signing key is what marks a session as belonging to its owner; without it no session can be shown as genuine.',
  USER_SIGNING_KEY_MISSING: 'The user-signing key records whom you have verified; without it your verifications of other people cannot be made or checked.',
  SELF_SIGNING_KEY_NOT_SIGNED: 'An unsigned self-signing key could have been made by anyone, so the sessions it signs prove nothing.',
  SELF_SIGNING_KEY_BAD_SIGNATURE: 'A signature that does not verify means the key was changed after it was signed, by mistake or on purpose; nothing that depends on it can be trusted.',
  USER_SIGNING_KEY_NOT_SIGNED: 'An unsigned user-signing key could have been made by anyone, so the verifications it records prove nothing.',
  USER_SIGNING_KEY_BAD_SIGNATURE: 'A signature that does not verify means the key was changed after it was signed; the verifications it records cannot be trusted.',
  CROSS_SIGNING_KEY_MALFORMED: 'Correct clients never publish such a key, so it points to a bug or to tampering; everything that depends on it is treated as untrusted.',
  OWN_IDENTITY_UNANCHORED: 'Your server could show you a whole set of keys it made up, all correctly signed; only something outside the server (your recovery key, or a key this browser holds) proves the keys are yours.',
  OWN_DEVICE_NOT_CROSS_SIGNED: 'Until this session is verified, your other sessions and the people you talk to cannot tell it apart from an impostor, and it may not receive the keys to read your messages.',
  DEVICE_NOT_CROSS_SIGNED: 'An unverified session can read the messages sent to you. If it is not yours, someone else may be reading them.',
  DEVICE_SIGNATURE_INVALID: 'A signature that does not verify means the session\'s keys were changed after they were signed; the session cannot be trusted.',
  DEVICE_SELF_SIGNATURE_INVALID: 'A session signs its own keys; if that signature is wrong, the keys were altered and messages encrypted to them could go to someone else.',
  DEVICE_KEYS_MALFORMED: 'Keys in a shape no correct client produces point to a bug or to tampering; Crosscheck treats the session as untrusted.',
  DEVICE_SIGNED_BY_STALE_KEY: 'A signature by a key that was replaced no longer vouches for anything, so the session now counts as unverified.',
  DEVICE_ID_IS_CROSS_SIGNING_KEY: 'A session named after a cross-signing key can confuse clients into treating it as that key, a known way to fake a verification.',
  DEVICE_SIGNING_KEY_CHANGED: 'A session\'s signing key never changes in normal use; a change means the session was replaced or someone is impersonating it.',
  OWN_DEVICE_KEYS_MISMATCH: 'The server shows different keys for this session than this browser holds, so other people may be encrypting your messages to keys that are not yours.',
  USER_NOT_VERIFIED: 'Without verification you cannot be sure the messages you send reach this person and nobody else.',
  VERIFIED_USER_HAS_UNSIGNED_DEVICES: 'Sessions their owner did not sign may belong to someone else, and messages you send this person are also encrypted to them.',
  IDENTITY_CHANGED: 'A new identity can be a new phone or a reset, but it is also exactly what an account takeover looks like; until you check, messages to this person may be read by someone else.',
  USER_SIGNATURE_INVALID: 'Your signature on this person\'s key does not verify, so your earlier verification of them no longer counts.',
  KEYS_QUERY_FAILURE: 'People whose keys could not be fetched are not checked at all; missing data is not a sign that they are safe.',
  RESPONSE_MALFORMED: 'Data in the server\'s answer was not in the expected shape, so the parts that depend on it could not be checked.',
  BACKUP_MISSING: 'Without a key backup, signing out of your last session (or losing your device) loses access to your message history.',
  BACKUP_ALGORITHM_UNSUPPORTED: 'Crosscheck cannot check a backup of this kind, so it cannot tell whether it is safe.',
  BACKUP_NOT_TRUSTED: 'Anyone who controls the server could have created this backup; message keys uploaded to it could then be read by them.',
  BACKUP_SIGNATURE_INVALID: 'A signature that does not verify means the backup\'s settings were changed after they were signed.',
  BACKUP_KEY_NOT_CACHED: 'This browser cannot read the backup by itself, so old messages may stay unreadable here until it gets the key.',
  BACKUP_KEY_MISMATCH: 'The backup uses a different key from the one you hold, so what is in it cannot be restored with your key.',
  BACKUP_SESSIONS_UNDECRYPTABLE: 'Message keys that cannot be decrypted cannot be restored; the messages they belong to stay unreadable.',
  SECRET_STORAGE_MISSING: 'Without secret storage there is no recovery key, so a new session cannot recover your identity or your message history.',
  SECRET_STORAGE_KEY_DESCRIPTION_MISSING: 'Clients cannot use secret storage when its key is not described, so your recovery key will not work in them.',
  SECRET_MISSING: 'A secret missing from secret storage cannot be recovered on a new session.',
  SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY: 'Clients open secret storage with your current recovery key only; a secret stored under an older key is out of their reach.',
  SECRET_DOES_NOT_MATCH_PUBLIC_KEY: 'A stored secret that does not match your published key is out of date: a session that recovers it would get the wrong key.',
  SECRET_CORRUPT: 'A damaged secret cannot be recovered, even with the right recovery key.',
  LOCAL_CROSS_SIGNING_KEYS_MISSING: 'Without these keys this browser cannot verify your other sessions or other people.',
  LOCAL_CROSS_SIGNING_KEYS_MISMATCH: 'The keys this browser holds are not the ones your account publishes, so signatures it makes will not count.',
  SIGNATURE_UNVERIFIABLE: 'Data that cannot be checked strictly is treated as broken, because a lenient check is what forged signatures rely on.',
  RECOVERY_KEY_WRONG: 'With a wrong recovery key you cannot recover your identity or your message history on a new session.',
  RECOVERY_KEY_MALFORMED: 'The text cannot be a recovery key, so it was not checked against your account.',
  RECOVERY_KEY_MATCHES_OTHER_KEY: 'Clients use your current secret-storage key only; an older key will not restore your identity there.',
  RECOVERY_KEY_UNCONFIRMED: 'The key may be right, but nothing in your account can prove it, so do not rely on it without a test.',
  SECRET_STORAGE_PASSPHRASE_PARAMETERS: 'Weak or unusual passphrase settings make your passphrase easier to guess, or impossible for some clients to use.',
  SECRET_STORAGE_KEY_UNCHECKABLE: 'Without a check value, a wrong key is only noticed when a secret fails to open.',
  BACKUP_SESSIONS_UNAUTHENTICATED: 'In this kind of backup anyone who knows the public key can add entries, so the server could slip in message keys of its own.',
  OWN_IDENTITY_ANCHORED_BY_CLIENT_STORE: 'The page itself could have written that flag, so it proves less than your recovery key or a private key held by this browser.',
  SESSIONS_NOT_BACKED_UP: 'Message keys that are only in this browser are lost with it: if its data is cleared before the client uploads them, those messages can never be decrypted again.',
};

export interface FindingView {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly tone: Tone;
  /** "Problem", "Warning", "Note". */
  readonly severityWord: string;
  /** Whom or what it is about ("@bob:example.org, session ABCDEF"), made safe; absent for the account as a whole. */
  readonly about?: string;
  readonly message: string;
  readonly why: string;
  readonly hint: string;
}

const SEVERITY_WORD: Record<Severity, string> = { error: 'Problem', warning: 'Warning', info: 'Note' };

/** Longest finding sentence shown (core sentences are short; this only bounds embedded server text). */
const MAX_SENTENCE = 1200;

/**
 * One finding, ready to show.
 * @param f the finding from the report
 * @param subjectUserId our own user ID: not repeated in `about` (the whole report is about us)
 */
export function findingView(f: Finding, subjectUserId?: string): FindingView {
  const who = f.userId !== undefined && f.userId !== subjectUserId ? safeText(f.userId) : undefined;
  const about = [who, f.deviceId !== undefined ? `session ${safeText(f.deviceId)}` : undefined].filter((x) => x !== undefined).join(', ');
  return {
    code: f.code,
    severity: f.severity,
    tone: severityTone(f.severity),
    severityWord: SEVERITY_WORD[f.severity],
    ...(about ? { about } : {}),
    message: safeText(f.message, MAX_SENTENCE),
    why: WHY_IT_MATTERS[f.code] ?? '',
    hint: safeText(f.hint, MAX_SENTENCE),
  };
}

/** Findings that say the same thing about different subjects, shown once with every message. */
export interface FindingGroup {
  readonly first: FindingView;
  /** Every message in the group, in order (one when the finding stands alone). */
  readonly messages: string[];
}

/**
 * Groups findings with the same code, severity and hint (e.g. four secrets stored only under an
 * older key), so why it matters and what to do are read once. Order is kept (by first member).
 */
export function groupFindings(views: readonly FindingView[]): FindingGroup[] {
  const groups: { first: FindingView; messages: string[] }[] = [];
  for (const v of views) {
    const g = groups.find((x) => x.first.code === v.code && x.first.severity === v.severity && x.first.hint === v.hint);
    if (g) g.messages.push(v.message);
    else groups.push({ first: v, messages: [v.message] });
  }
  return groups;
}

/** Counts by severity. */
export function findingCounts(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}
