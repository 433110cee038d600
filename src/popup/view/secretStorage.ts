/**
 * @module popup/view/secretStorage — "Secret storage": the encrypted copy of your keys on the
 * server that your recovery key opens, and the state of each secret in it.
 */
import type { Report, SecretStatus, SecretStorageStatus } from '../../core/report/types.ts';
import { count, type Tone } from './format.ts';
import { safeText } from './safeText.ts';

export interface SecretRow {
  readonly name: string;
  /** What the secret is, in words ("Master private key"). */
  readonly label: string;
  readonly status: SecretStatus;
  readonly word: string;
  readonly tone: Tone;
}

export interface SecretStorageView {
  readonly status: SecretStorageStatus;
  readonly word: string;
  readonly tone: Tone;
  readonly explanation: string;
  readonly defaultKeyId?: string;
  /** "2 keys described" when more than one key exists. */
  readonly keysNote?: string;
  readonly secrets: SecretRow[];
}

const STATUS: Record<SecretStorageStatus, { word: string; tone: Tone; explanation: string }> = {
  ok: { word: 'Set up', tone: 'ok', explanation: 'Secret storage holds an encrypted copy of your keys, which your recovery key opens.' },
  incomplete: { word: 'Incomplete', tone: 'warning', explanation: 'Some of your keys are missing from secret storage or are out of date, so a new session could not recover everything with your recovery key.' },
  missing: { word: 'Not set up', tone: 'warning', explanation: 'Your account has no secret storage, so there is no recovery key that can restore your identity on a new session.' },
  'not-checked': { word: 'Not checked', tone: 'info', explanation: 'There was no data about secret storage to check.' },
};

/** The secrets a client keeps in secret storage, in words. */
export const SECRET_LABELS: Readonly<Record<string, string>> = {
  'm.cross_signing.master': 'Master private key',
  'm.cross_signing.self_signing': 'Self-signing private key',
  'm.cross_signing.user_signing': 'User-signing private key',
  'm.megolm_backup.v1': 'Key backup key',
};

export const SECRET_WORDS: Readonly<Record<SecretStatus, { word: string; tone: Tone }>> = {
  ok: { word: 'Stored and correct', tone: 'ok' },
  missing: { word: 'Not stored', tone: 'warning' },
  'not-encrypted-for-default-key': { word: 'Stored only under an older key', tone: 'warning' },
  'mac-mismatch': { word: 'Does not open (damaged, or another key)', tone: 'error' },
  corrupt: { word: 'Damaged', tone: 'error' },
  'does-not-match-public-key': { word: 'Out of date (not your current key)', tone: 'error' },
  'not-checked': { word: 'Stored; not opened (needs your recovery key)', tone: 'info' },
};

/**
 * The secret rows of a report (also used by the recovery-key screen).
 * @param secrets `report.secretStorage.secrets`
 */
export function secretRows(secrets: Readonly<Record<string, SecretStatus>>): SecretRow[] {
  return Object.entries(secrets).map(([name, status]) => ({
    name: safeText(name, 100),
    label: SECRET_LABELS[name] ?? safeText(name, 100),
    status,
    ...(SECRET_WORDS[status] ?? { word: safeText(String(status), 60), tone: 'info' as const }),
  }));
}

/**
 * The secret-storage section.
 * @param r the report
 */
export function secretStorageView(r: Report): SecretStorageView {
  const s = r.secretStorage;
  const st = STATUS[s.status];
  const keys = s.keys ?? [];
  return {
    status: s.status,
    word: st.word,
    tone: st.tone,
    explanation: st.explanation,
    ...(s.defaultKeyId !== undefined ? { defaultKeyId: safeText(s.defaultKeyId, 100) } : {}),
    ...(keys.length > 1 ? { keysNote: `${count(keys.length, 'secret-storage key')} described; clients use the default one only.` } : {}),
    secrets: secretRows(s.secrets),
  };
}
