/**
 * @module checks/ownIdentity — what vouches for our own master key (DESIGN.md "Trust"; security
 * D1, D4): without an anchor the chain is only "internally consistent", and an anchor that is
 * just a flag in the page-writable client store is labelled as such.
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { Check } from './check.ts';
import { short } from './check.ts';

export const ownIdentity: Check = {
  id: 'own-identity',
  title: 'Your identity is anchored to something the server cannot forge',
  run({ model }) {
    const out: Finding[] = [];
    const own = model.own;
    if (own.master.kind !== 'ok') return out;
    if (own.identity === 'unanchored' || (own.identity === 'changed' && model.anchor === 'none')) {
      out.push(
        makeFinding({
          code: 'OWN_IDENTITY_UNANCHORED',
          severity: 'warning',
          userId: own.userId,
          message:
            'Your cross-signing keys are consistent with each other, but nothing Crosscheck can check proves they are yours: a homeserver could have made them. Your sessions and contacts are therefore shown as not verified.',
          hint: 'Check your recovery key (or passphrase) in Crosscheck: if it unlocks the master key the server shows, your identity is confirmed.',
          evidence: { masterKey: own.master.key.publicKey },
        }),
      );
    }
    if (model.anchor === 'client-store-flag') {
      out.push(
        makeFinding({
          code: 'OWN_IDENTITY_ANCHORED_BY_CLIENT_STORE',
          severity: 'info',
          userId: own.userId,
          message: "Your identity counts as verified only because this browser's client store says so. A script on the client's web page could have written that.",
          hint: 'For a stronger answer, check your recovery key in Crosscheck.',
        }),
      );
    }
    if (own.changedFrom) {
      const c = own.changedFrom;
      out.push(
        makeFinding({
          code: 'IDENTITY_CHANGED',
          severity: own.identity === 'verified' ? 'info' : 'error',
          userId: own.userId,
          message:
            `Your master key is now ${short(own.master.key.publicKey)}, but ${c.source === 'local-private-key' ? "this browser's client holds the private key of" : c.source === 'pin' ? 'Crosscheck first saw' : 'your client had verified'} ${short(c.previousMasterKey)}` +
            `${c.firstSeen ? ` (first seen ${c.firstSeen})` : ''}. ` +
            (own.identity === 'verified' ? 'Your recovery key confirms the new one, so this was a reset you can trust.' : 'If you did not reset your identity yourself, someone else may have.'),
          hint:
            own.identity === 'verified'
              ? 'Nothing to do if you reset your keys on purpose.'
              : 'If you did not reset it, change your password, sign out unknown sessions and reset cross-signing from a session you trust.',
          evidence: { previousMasterKey: c.previousMasterKey, currentMasterKey: own.master.key.publicKey, source: c.source },
        }),
      );
    }
    return out;
  },
};
