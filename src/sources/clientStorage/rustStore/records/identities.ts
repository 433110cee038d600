/**
 * @module rustStore/records/identities — what this client knows and decided about each user's
 * cross-signing identity (client-storage.md §3.6; matrix-sdk-crypto `identities/user.rs`).
 *
 * A value is `{"Own": OwnUserIdentityData}` or `{"Other": OtherUserIdentityData}`:
 * - Own: `{user_id, master_key, self_signing_key, user_signing_key, verified}` where `verified`
 *   is `"NeverVerified"`, `"VerificationViolation"` (alias `"PreviouslyVerifiedButNoLonger"`),
 *   `"Verified"`, or, in old stores, a boolean;
 * - Other: serializer versions — v0 (no `version`): `{user_id, master_key, self_signing_key}`;
 *   `"1"` adds `pinned_master_key`; `"2"` adds `previously_verified`. A v0 identity is pinned to
 *   its master key (the library's own migration), and was never marked previously verified.
 * Whether another user is verified *now* is not stored (the library computes it from our
 * user-signing key's signature), so it is not reported here; Crosscheck checks that signature
 * itself from the server's data.
 */
import type { JsonB, JsonBObject } from '../jsonBytes.ts';
import { type Parsed, obj, parsed, problem, singleEd25519Key, str } from './fields.ts';

/** Our own identity's local verification state (STYLE §9 item 9). */
export type OwnVerifiedState = 'never-verified' | 'verification-violation' | 'verified';

export type StoredIdentity =
  | {
      readonly kind: 'own';
      readonly userId: string;
      readonly masterKey: string;
      readonly selfSigningKey: string;
      readonly userSigningKey: string;
      readonly verified: OwnVerifiedState;
      /** The signed cross-signing key objects as stored (public; for an offline audit). */
      readonly signed: { readonly master: JsonBObject; readonly selfSigning: JsonBObject; readonly userSigning: JsonBObject };
    }
  | {
      readonly kind: 'other';
      readonly userId: string;
      readonly masterKey: string;
      readonly selfSigningKey: string;
      /** The master key the user last accepted (TOFU pin); equals `masterKey` unless it changed since. */
      readonly pinnedMasterKey: string;
      /** Undefined for identities stored before the library tracked it (serializer v0/v1). */
      readonly previouslyVerified: boolean | undefined;
      /** The serializer version ("0" when absent). */
      readonly version: string;
      /** The signed cross-signing key objects as stored (public; for an offline audit). */
      readonly signed: { readonly master: JsonBObject; readonly selfSigning: JsonBObject };
    };

function ownState(v: JsonB | undefined): OwnVerifiedState | undefined {
  switch (v) {
    case true:
    case 'Verified':
      return 'verified';
    case false:
    case 'NeverVerified':
      return 'never-verified';
    case 'VerificationViolation':
    case 'PreviouslyVerifiedButNoLonger':
      return 'verification-violation';
    default:
      return undefined;
  }
}

/** Reads a decrypted `identities` value. */
export function parseIdentity(json: JsonB): Parsed<StoredIdentity> {
  const root = obj(json);
  if (!root || Object.keys(root).length !== 1) return problem('unexpected-shape', 'identity');
  const own = obj(root['Own']);
  if (own) {
    const userId = str(own['user_id']);
    const masterKey = singleEd25519Key(own['master_key']);
    const selfSigningKey = singleEd25519Key(own['self_signing_key']);
    const userSigningKey = singleEd25519Key(own['user_signing_key']);
    const verified = ownState(own['verified']);
    const signed = { master: obj(own['master_key']), selfSigning: obj(own['self_signing_key']), userSigning: obj(own['user_signing_key']) };
    if (!userId || !masterKey || !selfSigningKey || !userSigningKey || !verified || !signed.master || !signed.selfSigning || !signed.userSigning) return problem('unexpected-shape', 'identity.Own');
    return parsed({ kind: 'own', userId, masterKey, selfSigningKey, userSigningKey, verified, signed: { master: signed.master, selfSigning: signed.selfSigning, userSigning: signed.userSigning } });
  }
  const other = obj(root['Other']);
  if (!other) return problem('unexpected-shape', 'identity');
  const version = other['version'] === undefined || other['version'] === null ? '0' : str(other['version']);
  const userId = str(other['user_id']);
  const masterKey = singleEd25519Key(other['master_key']);
  const selfSigningKey = singleEd25519Key(other['self_signing_key']);
  if (!version || !userId || !masterKey || !selfSigningKey) return problem('unexpected-shape', 'identity.Other');
  let pinnedMasterKey = masterKey;
  let previouslyVerified: boolean | undefined;
  switch (version) {
    case '0':
      break;
    case '1':
    case '2': {
      const pinned = singleEd25519Key(other['pinned_master_key']);
      if (!pinned) return problem('unexpected-shape', 'identity.Other.pinned_master_key');
      pinnedMasterKey = pinned;
      if (version === '2') {
        const pv = other['previously_verified'];
        if (typeof pv !== 'boolean') return problem('unexpected-shape', 'identity.Other.previously_verified');
        previouslyVerified = pv;
      }
      break;
    }
    default:
      // A newer serializer: its meaning is unknown, so nothing is read from it.
      return problem('unexpected-shape', `identity.Other.version ${version}`);
  }
  const master = obj(other['master_key']);
  const selfSigning = obj(other['self_signing_key']);
  if (!master || !selfSigning) return problem('unexpected-shape', 'identity.Other');
  return parsed({ kind: 'other', userId, masterKey, selfSigningKey, pinnedMasterKey, previouslyVerified, version, signed: { master, selfSigning } });
}
