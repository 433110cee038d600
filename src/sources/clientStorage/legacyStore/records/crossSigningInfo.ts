/**
 * @module legacyStore/records/crossSigningInfo — what the legacy client knows of each user's
 * cross-signing identity: `device_data` `-`.crossSigningInfo[user] = CrossSigningInfo.toStorage()
 * `{keys: {master, self_signing, user_signing}, firstUse, crossSigningVerifiedBefore}` (js-sdk 36
 * src/crypto/CrossSigning.ts), and our own trusted public keys, `account` `crossSigningKeys`
 * (the same `keys` map; EncryptionSetup.ts persist "store own cross-sign pubkeys as trusted").
 *
 * `crossSigningVerifiedBefore` latches true once the user was verified (updateCrossSigningVerifiedBefore):
 * it is the legacy counterpart of the rust store's `previously_verified`.
 */
import { get, obj, singleEd25519Key } from './fields.ts';

export interface LegacyIdentity {
  readonly userId: string;
  readonly masterKey: string;
  readonly selfSigningKey: string | undefined;
  readonly userSigningKey: string | undefined;
  readonly previouslyVerified: boolean;
  readonly firstUse: boolean | undefined;
}

export interface CrossSigningKeysInfo {
  readonly master: string;
  readonly selfSigning: string | undefined;
  readonly userSigning: string | undefined;
}

/** A stored `keys` map (`{master, self_signing, user_signing}` of cross-signing key JSON), or undefined without a valid master key. */
export function parseCrossSigningKeys(v: unknown): CrossSigningKeysInfo | undefined {
  const keys = obj(v);
  const master = singleEd25519Key(get(keys, 'master'));
  if (!master) return undefined;
  return { master, selfSigning: singleEd25519Key(get(keys, 'self_signing')), userSigning: singleEd25519Key(get(keys, 'user_signing')) };
}

/** One user's `crossSigningInfo` entry. */
export function parseCrossSigningInfo(userId: string, v: unknown): LegacyIdentity | undefined {
  const o = obj(v);
  const keys = parseCrossSigningKeys(get(o, 'keys'));
  if (!o || !keys) return undefined;
  const before = get(o, 'crossSigningVerifiedBefore');
  const firstUse = get(o, 'firstUse');
  return {
    userId,
    masterKey: keys.master,
    selfSigningKey: keys.selfSigning,
    userSigningKey: keys.userSigning,
    previouslyVerified: before === true,
    firstUse: typeof firstUse === 'boolean' ? firstUse : undefined,
  };
}
