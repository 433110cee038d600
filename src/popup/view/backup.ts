/**
 * @module popup/view/backup — "Key backup": whether the server-side backup of message keys can be
 * trusted, who signed its settings (per signer, STYLE §9 item 9: a state, not a boolean), and how
 * many stored message keys could be opened.
 */
import type { BackupStatus, Report, SignerState } from '../../core/report/types.ts';
import { count, fingerprintGroups, type Tone } from './format.ts';
import { safeText } from './safeText.ts';

export interface SignerRow {
  /** "Your master key", "Your session ABCDEF (Element Web)", or the key ID. */
  readonly who: string;
  readonly word: string;
  readonly tone: Tone;
}

export interface BackupView {
  readonly status: BackupStatus;
  readonly word: string;
  readonly tone: Tone;
  readonly explanation: string;
  readonly facts: { readonly label: string; readonly value: string }[];
  readonly publicKey?: string[];
  readonly signers: SignerRow[];
}

const STATUS: Record<BackupStatus, { word: string; tone: Tone; explanation: string }> = {
  trusted: { word: 'Trusted', tone: 'ok', explanation: 'Your key backup is vouched for by your confirmed identity, a verified session of yours, or the key you checked.' },
  untrusted: { word: 'Not trusted', tone: 'warning', explanation: 'Nothing you trust vouches for this backup. Anyone who controls your server could have set it up; your client should not upload message keys to it.' },
  mismatch: { word: 'Wrong key', tone: 'error', explanation: "The backup's key does not match the key you hold, so you could not restore it." },
  missing: { word: 'No backup', tone: 'warning', explanation: 'Your account has no key backup. If you lose your sessions, you lose your message history.' },
  unsupported: { word: 'Unsupported', tone: 'warning', explanation: 'The backup uses a kind of encryption Crosscheck cannot check.' },
  unknown: { word: 'Not checked', tone: 'info', explanation: 'There was no data about the key backup to check.' },
};

const SIGNER: Record<SignerState, { word: string; tone: Tone }> = {
  'valid-trusted': { word: 'valid, from a key you trust', tone: 'ok' },
  'valid-untrusted': { word: 'valid, but from a key you do not trust', tone: 'warning' },
  invalid: { word: 'does not verify', tone: 'error' },
  malformed: { word: 'not a well-formed signature', tone: 'error' },
  missing: { word: 'missing', tone: 'warning' },
};

function signerName(r: Report, keyId: string): string {
  const id = keyId.startsWith('ed25519:') ? keyId.slice('ed25519:'.length) : keyId;
  const own = r.users.find((u) => u.userId === r.subject.userId);
  if (own?.masterKey === id) return 'Your master key';
  const device = own?.devices.find((d) => d.deviceId === id);
  if (device) return `Your session ${safeText(device.deviceId)}${device.displayName ? ` (${safeText(device.displayName, 60)})` : ''}${device.deviceId === r.subject.deviceId ? ', this one' : ''}`;
  return `Key ${safeText(id, 60)}`;
}

/**
 * The key-backup section.
 * @param r the report
 */
export function backupView(r: Report): BackupView {
  const b = r.backup;
  const st = STATUS[b.status];
  const facts: { label: string; value: string }[] = [];
  if (b.version !== undefined) facts.push({ label: 'Version', value: safeText(b.version, 40) });
  if (b.algorithm !== undefined) facts.push({ label: 'Kind', value: safeText(b.algorithm, 80) });
  if (b.sessions) {
    const s = b.sessions;
    const opened =
      s.decrypted === 0 && s.failed === 0 && s.total > 0
        ? 'none opened (no key to open them with)'
        : `${s.decrypted} opened${s.failed > 0 ? `, ${s.failed} could not be opened` : ''}`;
    facts.push({ label: 'Message keys stored', value: `${count(s.total, 'key')}; ${opened}` });
  }
  const signers = Object.entries(b.signatures ?? {}).map(([keyId, state]) => ({ who: signerName(r, keyId), ...SIGNER[state] }));
  return {
    status: b.status,
    word: st.word,
    tone: st.tone,
    explanation: st.explanation,
    facts,
    ...(b.publicKey ? { publicKey: fingerprintGroups(b.publicKey) } : {}),
    signers,
  };
}
