/**
 * @module checks/otherUsers — the people we share encrypted rooms with: verified through our
 * user-signing key or not (spec: Alice's MSK → her USK → Bob's MSK → Bob's SSK → Bob's device),
 * identity changes after verification (security D6, CVE-2024-52813), and signatures of ours
 * on their key that do not verify.
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { Check } from './check.ts';
import { short } from './check.ts';

export const otherUsers: Check = {
  id: 'other-users',
  title: 'People you talk to are verified',
  run({ model }) {
    const out: Finding[] = [];
    for (const u of model.users) {
      if (u.isOwn) continue;
      if (u.master.kind === 'ok' && u.ourSignatureOnMaster !== 'valid' && u.ourSignatureOnMaster !== 'missing' && u.ourSignatureOnMaster !== 'n/a') {
        out.push(
          makeFinding({
            code: 'USER_SIGNATURE_INVALID',
            severity: 'warning',
            userId: u.userId,
            message: `Your signature on ${u.userId}'s identity does not verify (${u.ourSignatureOnMaster}), so your earlier verification of them cannot be relied on.`,
            hint: `Verify ${u.userId} again, in person or by comparing emoji.`,
            evidence: { signature: u.ourSignatureOnMaster },
          }),
        );
      }
      if (u.changedFrom && u.master.kind === 'ok') {
        const c = u.changedFrom;
        out.push(
          makeFinding({
            code: 'IDENTITY_CHANGED',
            severity: u.identity === 'verified' ? 'info' : 'warning',
            userId: u.userId,
            message:
              `${u.userId}'s identity changed: their master key is now ${short(u.master.key.publicKey)}, but ${c.source === 'pin' ? 'Crosscheck first saw' : 'you had verified'} ${short(c.previousMasterKey)}` +
              `${c.firstSeen ? ` (first seen ${c.firstSeen})` : ''}. This happens when someone resets their keys, or when someone else takes over their account.`,
            hint: u.identity === 'verified' ? 'You have already verified the new identity.' : `Check with ${u.userId} through another channel, then verify them again.`,
            evidence: { previousMasterKey: c.previousMasterKey, currentMasterKey: u.master.key.publicKey, source: c.source },
          }),
        );
      }
      if (u.identity === 'unverified') {
        out.push(
          makeFinding({
            code: 'USER_NOT_VERIFIED',
            severity: u.verificationLost ? 'warning' : 'info',
            userId: u.userId,
            message: u.verificationLost
              ? `You verified ${u.userId} before, but that verification no longer holds: your signature on their identity is gone or no longer valid (after a reset of your own identity, for example).`
              : model.own.identity === 'verified' || u.ourSignatureOnMaster !== 'valid'
                ? `You have not verified ${u.userId}.`
                : `You signed ${u.userId}'s identity, but your own identity is not confirmed, so that signature cannot be relied on yet.`,
            hint: `Verify ${u.userId} by comparing emoji or scanning a QR code, in person or on a call.`,
            evidence: { ourSignature: u.ourSignatureOnMaster },
          }),
        );
      }
      if (u.identity === 'verified') {
        const unsigned = u.devices.filter((d) => d.status !== 'cross-signed').map((d) => d.deviceId);
        if (unsigned.length > 0) {
          out.push(
            makeFinding({
              code: 'VERIFIED_USER_HAS_UNSIGNED_DEVICES',
              severity: 'warning',
              userId: u.userId,
              message: `You verified ${u.userId}, but ${unsigned.length} of their ${u.devices.length} sessions ${unsigned.length === 1 ? 'is' : 'are'} not signed by them (${unsigned.join(', ')}). Those sessions may not be theirs.`,
              hint: `Ask ${u.userId} to verify or sign out those sessions.`,
              evidence: { deviceIds: unsigned },
            }),
          );
        }
      }
    }
    return out;
  },
};
