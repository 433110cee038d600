/**
 * @module popup/view/recoveryKey — the answer to "is this my recovery key (or passphrase)?", said
 * precisely from `report.recoveryKey` (DESIGN.md statuses): malformed (why, and where), wrong, an
 * older key, unconfirmed, or correct — and then how many secrets it unlocks and whether the
 * current key backup opens. Nothing here ever sees the key: only the Worker's report.
 */
import type { RecoveryKeyMalformedReason, RecoveryKeyReport, RecoveryKeyStatus } from '../../core/report/types.ts';
import type { Tone } from './format.ts';
import { safeText } from './safeText.ts';

export type SecretKind = 'recovery-key' | 'passphrase';

export interface RecoveryKeyView {
  readonly status: RecoveryKeyStatus;
  readonly tone: Tone;
  /** One line: "Correct: this is your current recovery key." */
  readonly headline: string;
  /** Further facts, one sentence each. */
  readonly details: string[];
  /** For a malformed key: the 1-based character position (whitespace included) where it went wrong. */
  readonly position?: number;
}

const MALFORMED: Record<RecoveryKeyMalformedReason, string> = {
  'bad-character': 'It contains a character that never appears in a recovery key (they have no 0, O, I or l, and no punctuation).',
  'bad-length': 'It is too short or too long: a recovery key has 48 letters and digits, not counting spaces.',
  'bad-prefix': 'It does not start the way every recovery key does (with "Es").',
  'bad-parity': 'Its last character, a check digit, does not match the rest: a character is probably mistyped or two are swapped.',
};

function isMalformedReason(s: string | undefined): s is RecoveryKeyMalformedReason {
  return s === 'bad-character' || s === 'bad-length' || s === 'bad-prefix' || s === 'bad-parity';
}

/**
 * The recovery-key verdict in words.
 * @param rk `report.recoveryKey` from the Worker's report
 * @param kind whether the user typed a recovery key or a passphrase
 * @param defaultKeyId the secret-storage key your account uses now, when known
 */
export function recoveryKeyView(rk: RecoveryKeyReport, kind: SecretKind, defaultKeyId?: string): RecoveryKeyView {
  const what = kind === 'passphrase' ? 'passphrase' : 'recovery key';
  const unlocked = (): string[] => {
    const u = rk.unlocked;
    if (!u) return [];
    const where = rk.status === 'matches-other-key' ? 'stored under that older key' : 'in your secret storage';
    const secrets =
      u.of === 0 ? 'There are no secrets in secret storage for it to unlock.' : u.secrets === u.of ? `It unlocks all ${u.of} secrets ${where}.` : `It unlocks ${u.secrets} of the ${u.of} secrets ${where}; the others are missing or out of date (see below).`;
    return [secrets, u.backup ? 'It opens your current key backup.' : 'It does not open your current key backup.'];
  };
  switch (rk.status) {
    case 'correct': {
      const all = rk.unlocked ? rk.unlocked.secrets === rk.unlocked.of && rk.unlocked.backup : true;
      return {
        status: rk.status,
        tone: all ? 'ok' : 'warning',
        headline: `Correct: this is your current ${what}.`,
        details: [
          ...unlocked(),
          ...(rk.reason?.startsWith('confirmed by opening a secret') ? ['Your secret-storage key has no check value, so it was confirmed by opening a secret with it.'] : []),
        ],
      };
    }
    case 'wrong':
      return {
        status: rk.status,
        tone: 'error',
        headline: `Wrong: this ${what} does not open your secret storage${kind === 'recovery-key' ? ' or your key backup' : ''}.`,
        details: [`Check it for typos and try any other ${what}s you saved.`],
      };
    case 'malformed': {
      const reason = isMalformedReason(rk.reason) ? MALFORMED[rk.reason] : 'It is not in the recovery-key format.';
      return {
        status: rk.status,
        tone: 'error',
        headline: rk.position !== undefined ? `Not a recovery key: the problem is at character ${rk.position}.` : 'Not a valid recovery key, so it was not checked against your account.',
        details: [reason, 'Spaces and line breaks do not matter.'],
        ...(rk.position !== undefined ? { position: rk.position } : {}),
      };
    }
    case 'matches-other-key':
      if (rk.reason === 'backup-decryption-key')
        return {
          status: rk.status,
          tone: 'warning',
          headline: 'This is your key backup\'s own key, an older kind of recovery key.',
          details: ['It opens your current key backup, so it can restore message history, but it cannot restore your identity.'],
        };
      return {
        status: rk.status,
        tone: 'warning',
        headline: `This is an old ${what}.`,
        details: [
          `It opens the secret-storage key ${rk.keyId !== undefined ? `"${safeText(rk.keyId, 60)}"` : 'of an earlier setup'}${defaultKeyId !== undefined ? `, not "${safeText(defaultKeyId, 60)}", which your account uses now` : ', but your account has no default key'}. Clients will not accept it.`,
          ...unlocked(),
        ],
      };
    case 'unconfirmed':
      return rk.reason === 'no passphrase set up'
        ? {
            status: rk.status,
            tone: 'warning',
            headline: 'Your account has no passphrase set up, so a passphrase cannot be checked.',
            details: ['None of your secret-storage keys was made from a passphrase. Check your recovery key instead.'],
          }
        : {
            status: rk.status,
            tone: 'warning',
            headline: `Cannot be confirmed: nothing in your account can prove this ${what} right or wrong.`,
            details: ['Your secret-storage key has no check value and no secret is stored under it.'],
          };
    case 'not-checked':
      return { status: rk.status, tone: 'info', headline: `No ${what} was checked.`, details: [] };
  }
}

const WHITESPACE = /^\p{White_Space}$/u;

/**
 * The shape of what was typed, with no character of it: "•" for each character and " " for each
 * whitespace, counted in code points like the core's `position`. Made at the moment of checking so
 * a malformed key's error can point at the spot after the field is cleared.
 * @param typed the text as typed (the caller lets go of it at once)
 */
export function typedShape(typed: string): string {
  let out = '';
  for (const ch of typed) out += WHITESPACE.test(ch) ? ' ' : '•';
  return out;
}

/**
 * Where a 1-based position falls in the groups of what was typed ("group 12, character 4"), so a
 * person can find it in the key they wrote down. Undefined on whitespace or outside the text.
 */
export function groupOf(shape: string, position: number): { group: number; index: number } | undefined {
  const points = Array.from(shape);
  if (!Number.isSafeInteger(position) || position < 1 || position > points.length || points[position - 1] === ' ') return undefined;
  let group = 0;
  let index = 0;
  for (let i = 0; i < position; i++) {
    if (points[i] === ' ') index = 0;
    else {
      if (index === 0) group++;
      index++;
    }
  }
  return { group, index };
}

/**
 * Splits a shape at a 1-based position, to show the spot highlighted.
 * @returns before, at and after, or undefined when the position is outside the shape
 */
export function markPosition(shape: string, position: number): { before: string; at: string; after: string } | undefined {
  const points = Array.from(shape);
  if (!Number.isSafeInteger(position) || position < 1 || position > points.length) return undefined;
  return { before: points.slice(0, position - 1).join(''), at: points[position - 1] as string, after: points.slice(position).join('') };
}
