/**
 * @module popup/view/identity — "Your identity": the three cross-signing keys with their
 * fingerprints, the state of each signature between them, and what the whole verdict rests on
 * (`report.anchor`, DESIGN.md "Trust, in one paragraph"). The report gives link states only through
 * findings, so they are read back from the findings about our own user.
 */
import type { Anchor, Finding, IdentityStatus, Report, UserReport } from '../../core/report/types.ts';
import { fingerprintGroups, type Tone } from './format.ts';
import { safeText } from './safeText.ts';

export interface StateLine {
  /** A few words ("Signed by your master key"). */
  readonly word: string;
  readonly tone: Tone;
  /** One sentence more, when the words need it. */
  readonly detail?: string;
}

export interface KeyRow {
  readonly name: 'Master key' | 'Self-signing key' | 'User-signing key';
  /** What the key is for, in one line. */
  readonly role: string;
  /** The public key in groups of four, absent when the server published none. */
  readonly fingerprint?: string[];
  readonly state: StateLine;
}

export interface AnchorView {
  readonly anchor: Anchor;
  /** "Your recovery key" */
  readonly word: string;
  readonly tone: Tone;
  readonly detail: string;
}

export interface IdentityView {
  readonly userId: string;
  readonly deviceId: string;
  readonly status: IdentityStatus | 'absent';
  readonly statusWord: string;
  readonly tone: Tone;
  readonly explanation: string;
  readonly anchor: AnchorView;
  readonly keys: KeyRow[];
}

/** What each anchor means, in words (security.md §5 "Verifier core": label which anchor was used). */
export function anchorView(anchor: Anchor): AnchorView {
  switch (anchor) {
    case 'recovery-key':
      return { anchor, word: 'Your recovery key', tone: 'ok', detail: 'The recovery key you checked unlocks your private master key, and it matches the master key your server shows. This is the strongest proof.' };
    case 'local-private-key':
      return { anchor, word: 'A private key this browser holds', tone: 'ok', detail: "Your client in this browser holds the private master key, and it matches the master key your server shows." };
    case 'own-device-signature':
      return { anchor, word: "This session's own signature", tone: 'ok', detail: 'This session signed your master key, and the session\'s keys are the ones this browser\'s client store holds. Checking your recovery key makes the proof stronger.' };
    case 'client-store-flag':
      return {
        anchor,
        word: 'Only a flag in this browser',
        tone: 'warning',
        detail: "Only a \"verified\" flag in this browser's client store vouches for your identity. The web page could have written that flag itself, so check your recovery key to be sure.",
      };
    case 'none':
      return {
        anchor,
        word: 'Nothing',
        tone: 'warning',
        detail: 'No recovery key was checked, this browser holds no private key, and this session has not signed your master key. Your server could have made up these keys; check your recovery key to prove they are yours.',
      };
  }
}

const STATUS: Record<IdentityStatus | 'absent', { word: string; tone: Tone; explanation: string }> = {
  verified: { word: 'Verified', tone: 'ok', explanation: 'Your keys are confirmed and every signature between them is valid.' },
  unverified: { word: 'Not verified', tone: 'warning', explanation: 'The signatures between your keys are valid, but nothing confirms the keys are yours.' },
  unanchored: { word: 'Not confirmed', tone: 'warning', explanation: 'The signatures between your keys are valid, but nothing outside your server confirms the keys are yours.' },
  changed: { word: 'Changed', tone: 'error', explanation: 'Your master key is not the one Crosscheck saw before. If you did not reset your keys, someone else may have.' },
  refused: { word: 'Refused', tone: 'error', explanation: 'The keys your server shows for you are invalid or a required signature is broken, so Crosscheck trusts none of them.' },
  'no-cross-signing': { word: 'Not set up', tone: 'error', explanation: 'Your account has no cross-signing keys, so your sessions cannot vouch for each other.' },
  unknown: { word: 'Unknown', tone: 'error', explanation: 'Your keys could not be fetched from your server.' },
  absent: { word: 'Not found', tone: 'error', explanation: "Your own keys were not in your server's answer." },
};

const NAMES = {
  master: 'Master key',
  self_signing: 'Self-signing key',
  user_signing: 'User-signing key',
} as const;

/** The link a signature finding is about, from its evidence (`link: "master → self-signing key"`). */
function linkOf(f: Finding): 'self_signing' | 'user_signing' | undefined {
  const link = f.evidence['link'];
  if (typeof link !== 'string') return undefined;
  if (link.endsWith('self-signing key')) return 'self_signing';
  if (link.endsWith('user-signing key')) return 'user_signing';
  return undefined;
}

function malformedUsage(findings: readonly Finding[], usage: keyof typeof NAMES): Finding | undefined {
  return findings.find((f) => f.code === 'CROSS_SIGNING_KEY_MALFORMED' && f.evidence['usage'] === usage);
}

function masterState(own: UserReport, mine: readonly Finding[], anchor: AnchorView): StateLine {
  if (!own.masterKey) return { word: 'Missing', tone: 'error', detail: 'Your server shows no master key.' };
  if (malformedUsage(mine, 'master')) return { word: 'Invalid', tone: 'error', detail: 'The key as your server shows it is not a valid key.' };
  switch (own.identity) {
    case 'verified':
      return { word: anchor.tone === 'ok' ? 'Confirmed' : 'Weakly confirmed', tone: anchor.tone === 'ok' ? 'ok' : 'warning', detail: `Vouched for by: ${anchor.word.charAt(0).toLowerCase()}${anchor.word.slice(1)}.` };
    case 'unanchored':
    case 'unverified':
      return { word: 'Not confirmed', tone: 'warning', detail: 'Nothing outside your server vouches for this key.' };
    case 'changed':
      return { word: 'Changed', tone: 'error', detail: 'It differs from the master key Crosscheck saw for you before.' };
    case 'refused':
      return { word: 'Refused', tone: 'error', detail: 'Your identity as a whole was refused (see the problems below).' };
    case 'no-cross-signing':
    case 'unknown':
      return { word: 'Not checked', tone: 'info' };
  }
}

function subKeyState(key: string | undefined, usage: 'self_signing' | 'user_signing', own: UserReport, mine: readonly Finding[]): StateLine {
  const signs = usage === 'self_signing' ? 'SELF_SIGNING' : 'USER_SIGNING';
  if (!key) return { word: 'Missing', tone: 'error', detail: 'Your server shows no such key.' };
  if (malformedUsage(mine, usage)) return { word: 'Invalid', tone: 'error', detail: 'The key as your server shows it is not a valid key.' };
  if (!own.masterKey || malformedUsage(mine, 'master')) return { word: 'Not checked', tone: 'info', detail: 'There is no valid master key to check its signature with.' };
  if (mine.some((f) => f.code === `${signs}_KEY_NOT_SIGNED`)) return { word: 'Not signed by your master key', tone: 'error', detail: 'The chain of trust is broken at this link.' };
  if (mine.some((f) => f.code === `${signs}_KEY_BAD_SIGNATURE`)) return { word: 'Signature does not verify', tone: 'error', detail: 'The key or its signature was altered after signing.' };
  if (mine.some((f) => f.code === 'SIGNATURE_UNVERIFIABLE' && linkOf(f) === usage))
    return { word: 'Signature cannot be checked', tone: 'error', detail: 'The signature is not in a form that can be checked strictly, so it counts as broken.' };
  return { word: 'Signed by your master key', tone: 'ok' };
}

/**
 * The identity section.
 * @param r the report
 * @returns the view, with `status: 'absent'` when our own user is not in the report
 */
export function identityView(r: Report): IdentityView {
  const anchor = anchorView(r.anchor);
  const own = r.users.find((u) => u.userId === r.subject.userId);
  const base = { userId: safeText(r.subject.userId), deviceId: safeText(r.subject.deviceId), anchor };
  if (!own) return { ...base, status: 'absent', statusWord: STATUS.absent.word, tone: STATUS.absent.tone, explanation: STATUS.absent.explanation, keys: [] };
  const mine = r.findings.filter((f) => f.userId === own.userId);
  const st = STATUS[own.identity];
  let tone = st.tone;
  let explanation = st.explanation;
  if (own.identity === 'verified' && r.anchor === 'client-store-flag') {
    tone = 'warning';
    explanation = `${st.explanation} But only a flag the web page could have written says so.`;
  }
  const keys: KeyRow[] =
    own.identity === 'no-cross-signing' || own.identity === 'unknown'
      ? []
      : [
          {
            name: NAMES.master,
            role: 'The root of your identity. It signs your other two keys.',
            ...(own.masterKey ? { fingerprint: fingerprintGroups(own.masterKey) } : {}),
            state: masterState(own, mine, anchor),
          },
          {
            name: NAMES.self_signing,
            role: 'Signs your sessions, to say they are really yours.',
            ...(own.selfSigningKey ? { fingerprint: fingerprintGroups(own.selfSigningKey) } : {}),
            state: subKeyState(own.selfSigningKey, 'self_signing', own, mine),
          },
          {
            name: NAMES.user_signing,
            role: "Signs other people's master keys when you verify them.",
            ...(own.userSigningKey ? { fingerprint: fingerprintGroups(own.userSigningKey) } : {}),
            state: subKeyState(own.userSigningKey, 'user_signing', own, mine),
          },
        ];
  return { ...base, status: own.identity, statusWord: st.word, tone, explanation, keys };
}
