/**
 * @module checks/devices — every session (device) of every user: its self-signature (a), its
 * signature by the owner's current self-signing key (d), signatures by stale keys, device IDs
 * that collide with cross-signing keys (spec MUST refuse; CVE-2022-39250), keys reused across
 * roles (security E2), and our own device's keys against the local store (D7).
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import { describeDeviceProblem } from '../crossSigning/deviceKeys.ts';
import type { DeviceModel, UserModel } from '../trust/model.ts';
import type { Check } from './check.ts';

export const devices: Check = {
  id: 'devices',
  title: 'Every session is signed by its owner',
  run({ model }) {
    const out: Finding[] = [];
    for (const u of model.users) {
      for (const id of u.collidingDeviceIds) {
        out.push(
          makeFinding({
            code: 'DEVICE_ID_IS_CROSS_SIGNING_KEY',
            severity: 'error',
            userId: u.userId,
            deviceId: id,
            message: `${u.isOwn ? 'Your account has' : `${u.userId} has`} a session whose ID is the same as one of ${u.isOwn ? 'your' : 'their'} cross-signing keys. This is a known attack pattern; Crosscheck refuses to trust ${u.isOwn ? 'your' : 'this'} identity while it exists.`,
            hint: u.isOwn
              ? 'Sign out that session and reset cross-signing from a session you trust; tell your homeserver administrator.'
              : 'Do not trust this person\'s sessions; tell them, and compare keys in person.',
            evidence: { deviceId: id },
          }),
        );
      }
      for (const d of u.devices) out.push(...forDevice(u, d, model.ownDeviceId));
    }
    return out;
  },
};

function forDevice(u: UserModel, d: DeviceModel, ownDeviceId: string): Finding[] {
  const out: Finding[] = [];
  const isThis = u.isOwn && d.deviceId === ownDeviceId;
  const name = isThis ? 'This session' : `${u.isOwn ? 'Your session' : `${u.userId}'s session`} ${d.deviceId}${d.displayName ? ` ("${d.displayName}")` : ''}`;
  const base = { userId: u.userId, deviceId: d.deviceId } as const;
  const sev = u.isOwn ? ('error' as const) : ('warning' as const);

  if (!d.parsed.ok) {
    out.push(
      makeFinding({
        code: 'DEVICE_KEYS_MALFORMED',
        severity: sev,
        ...base,
        message: `${name} cannot be used: ${describeDeviceProblem(d.parsed.error)}.`,
        hint: 'Clients ignore such a session. If it keeps appearing, sign it out (if yours) or report it to the homeserver administrator.',
        evidence: { problem: d.parsed.error },
      }),
    );
    return out;
  }
  if (d.localMismatch) {
    out.push(
      makeFinding({
        code: 'OWN_DEVICE_KEYS_MISMATCH',
        severity: 'error',
        ...base,
        message: `The server lists different keys for this session than this browser holds (${[d.localMismatch.ed25519 ? 'signing key' : '', d.localMismatch.curve25519 ? 'encryption key' : ''].filter(Boolean).join(' and ')}). Messages sent to "this session" would go to someone else's keys.`,
        hint: 'Sign out of this session and sign in again; report it to your homeserver administrator.',
        evidence: d.localMismatch,
      }),
    );
  }
  if (d.keyReuse) {
    out.push(
      makeFinding({
        code: 'DEVICE_KEYS_MALFORMED',
        severity: sev,
        ...base,
        message: `${name} uses one of its owner's cross-signing keys as its own signing key. No correct client does this, so the session is refused.`,
        hint: 'Treat this session as untrusted and report it.',
        evidence: { problem: 'device key equals a cross-signing key' },
      }),
    );
  }
  if (d.selfSignature !== 'valid') {
    out.push(
      makeFinding({
        code: 'DEVICE_SELF_SIGNATURE_INVALID',
        severity: sev,
        ...base,
        message: `${name}'s keys are not correctly signed by the session itself (${d.selfSignature}), so they may have been altered. Clients ignore such a session.`,
        hint: u.isOwn ? 'Sign out this session; if it is the one you are using, sign in again.' : `Tell ${u.userId}; do not trust this session.`,
        evidence: { signature: d.selfSignature },
      }),
    );
    return out;
  }
  const crossSigInvalid = d.ownerSignature !== 'n/a' && d.ownerSignature !== 'missing' && d.ownerSignature !== 'valid';
  if (crossSigInvalid) {
    out.push(
      makeFinding({
        code: 'DEVICE_SIGNATURE_INVALID',
        severity: sev,
        ...base,
        message: `${name} carries a signature from ${u.isOwn ? 'your' : 'their'} self-signing key that does not verify (${d.ownerSignature}). The session or the signature was altered.`,
        hint: u.isOwn ? 'Verify this session again from a trusted one; if it is not yours, sign it out.' : 'Do not trust this session; tell its owner.',
        evidence: { signature: d.ownerSignature },
      }),
    );
  }
  if (d.status === 'not-cross-signed' && d.staleSigners.length > 0) {
    out.push(
      makeFinding({
        code: 'DEVICE_SIGNED_BY_STALE_KEY',
        severity: u.isOwn ? 'warning' : 'info',
        ...base,
        message: `${name} was verified with an older self-signing key (${d.staleSigners.join(', ')}), not the current one, so the verification no longer counts. This happens after a cross-signing reset.`,
        hint: u.isOwn ? 'Verify this session again (or sign it out if you no longer use it).' : `${u.userId} needs to verify this session again.`,
        evidence: { staleKeyIds: d.staleSigners },
      }),
    );
  }
  // A stale-key signature already says why the device is not cross-signed; one finding is enough.
  if (d.status === 'not-cross-signed' && !crossSigInvalid && d.staleSigners.length === 0) {
    if (isThis) {
      out.push(
        makeFinding({
          code: 'OWN_DEVICE_NOT_CROSS_SIGNED',
          severity: 'error',
          ...base,
          message: 'This session is not verified: your self-signing key has not signed it. Others may refuse to share message keys with it, and it cannot prove it is yours.',
          hint: 'Verify this session from another of your sessions, or with your recovery key.',
        }),
      );
    } else if (u.identity !== 'refused' && u.identity !== 'no-cross-signing' && u.identity !== 'unknown') {
      out.push(
        makeFinding({
          code: 'DEVICE_NOT_CROSS_SIGNED',
          severity: u.isOwn ? 'warning' : 'info',
          ...base,
          message: u.isOwn
            ? `${name} is not verified. If it is yours, verify it; if you do not recognise it, someone may be signed in to your account.`
            : `${name} is not signed by its owner, so it cannot be trusted to be theirs.`,
          hint: u.isOwn ? 'Verify it from a trusted session, or sign it out in your security settings.' : `Ask ${u.userId} to verify this session, or to sign it out.`,
        }),
      );
    }
  }
  return out;
}
