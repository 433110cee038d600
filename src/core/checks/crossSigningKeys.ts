/**
 * @module checks/crossSigningKeys — the three cross-signing keys of each user and the links
 * between them (matrix-crypto §2.3, §2.6): missing keys, malformed keys, and master → self-signing
 * / master → user-signing signatures that are absent or do not verify.
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding, FindingCode, Severity } from '../report/types.ts';
import { describeKeyProblem } from '../crossSigning/crossSigningKey.ts';
import type { KeySlot, LinkState, UserModel } from '../trust/model.ts';
import type { Check } from './check.ts';

const NAMES = { master: 'master key', self_signing: 'self-signing key', user_signing: 'user-signing key' } as const;

export const crossSigningKeys: Check = {
  id: 'cross-signing-keys',
  title: 'Cross-signing keys are present and signed',
  run({ model }) {
    const out: Finding[] = [];
    for (const u of model.users) {
      if (u.unknownReason === 'server-failure') continue;
      out.push(...forUser(u));
    }
    return out;
  },
};

function forUser(u: UserModel): Finding[] {
  const out: Finding[] = [];
  const who = u.isOwn ? 'Your' : `${u.userId}'s`;
  const sev = (own: Severity, other: Severity): Severity => (u.isOwn ? own : other);

  if (u.master.kind === 'absent') {
    if (u.unknownReason) return out;
    out.push(
      makeFinding({
        code: 'MASTER_KEY_MISSING',
        severity: sev('error', 'info'),
        userId: u.userId,
        message: u.isOwn
          ? 'Your account has no cross-signing identity, so none of your sessions can vouch for the others.'
          : `${u.userId} has not set up cross-signing, so their sessions cannot be verified.`,
        hint: u.isOwn
          ? 'Set up cross-signing ("Set up Secure Backup" / "Verify this session" in Element) from a session you trust.'
          : 'Ask them to set up cross-signing in their client; until then, compare session keys in person.',
      }),
    );
    return out;
  }
  malformed(out, u, 'master', u.master, who);
  malformed(out, u, 'self_signing', u.selfSigning, who);
  if (u.isOwn) malformed(out, u, 'user_signing', u.userSigning, who);
  if (u.master.kind !== 'ok') return out;

  if (u.selfSigning.kind === 'absent') {
    out.push(
      makeFinding({
        code: 'SELF_SIGNING_KEY_MISSING',
        severity: sev('error', 'warning'),
        userId: u.userId,
        message: `${who} identity has a master key but no self-signing key, so no session can be cross-signed.`,
        hint: u.isOwn ? 'Reset cross-signing from a trusted session to publish a complete identity.' : 'Their identity is incomplete; ask them to reset cross-signing.',
      }),
    );
  } else if (u.selfSigning.kind === 'ok') {
    link(out, u, u.masterToSelfSigning, 'SELF_SIGNING_KEY_NOT_SIGNED', 'SELF_SIGNING_KEY_BAD_SIGNATURE', 'self-signing key', who, sev('error', 'warning'));
  }
  if (u.isOwn) {
    if (u.userSigning.kind === 'absent') {
      out.push(
        makeFinding({
          code: 'USER_SIGNING_KEY_MISSING',
          severity: 'error',
          userId: u.userId,
          message: 'Your identity has no user-signing key, so you cannot verify other people, and earlier verifications of others cannot be checked.',
          hint: 'Reset cross-signing from a trusted session to publish a complete identity.',
        }),
      );
    } else if (u.userSigning.kind === 'ok') {
      link(out, u, u.masterToUserSigning, 'USER_SIGNING_KEY_NOT_SIGNED', 'USER_SIGNING_KEY_BAD_SIGNATURE', 'user-signing key', who, 'error');
    }
  }
  return out;
}

function malformed(out: Finding[], u: UserModel, usage: keyof typeof NAMES, s: KeySlot<keyof typeof NAMES>, who: string): void {
  if (s.kind !== 'malformed') return;
  out.push(
    makeFinding({
      code: 'CROSS_SIGNING_KEY_MALFORMED',
      severity: u.isOwn ? 'error' : 'warning',
      userId: u.userId,
      message: `${who} ${NAMES[usage]} as served by the server is not valid: ${describeKeyProblem(s.problem)}. Crosscheck refuses to trust anything that depends on it.`,
      hint: u.isOwn
        ? 'A correct client never publishes such a key; if you did not just reset your identity, your homeserver may be tampering with it. Reset cross-signing from a trusted session.'
        : 'Do not trust this person\'s sessions until their identity is valid again; tell them, and compare keys in person if it matters.',
      evidence: { usage, problem: s.problem },
    }),
  );
}

function link(out: Finding[], u: UserModel, state: LinkState, notSigned: FindingCode, bad: FindingCode, what: string, who: string, severity: Severity): void {
  if (state === 'valid' || state === 'n/a') return;
  if (state === 'missing') {
    out.push(
      makeFinding({
        code: notSigned,
        severity,
        userId: u.userId,
        message: `${who} ${what} is not signed by ${u.isOwn ? 'your' : 'their'} master key, so the chain of trust is broken at that link.`,
        hint: u.isOwn ? 'Reset cross-signing from a trusted session so the keys are signed again.' : 'Their identity is broken; ask them to reset cross-signing.',
        evidence: { signature: state },
      }),
    );
    return;
  }
  out.push(
    makeFinding({
      code: state === 'unverifiable' || state === 'malformed' ? 'SIGNATURE_UNVERIFIABLE' : bad,
      severity,
      userId: u.userId,
      message:
        state === 'unverifiable' || state === 'malformed'
          ? `The master key's signature on ${who.toLowerCase()} ${what} cannot be checked (${state === 'malformed' ? 'it is not a well-formed signature' : 'the signed data holds values signatures cannot cover'}), so it counts as broken.`
          : `The master key's signature on ${who.toLowerCase()} ${what} does not verify: the key or its signature was altered.`,
      hint: u.isOwn
        ? 'If you did not change your keys just now, your homeserver may be serving altered keys. Reset cross-signing from a trusted session.'
        : 'Treat this person as unverified until their keys are consistent again.',
      evidence: { link: `master → ${what}`, signature: state },
    }),
  );
}
