/**
 * @module trust/model — the evaluated trust graph: every key, every link (signature) and every
 * device with its state. Built by buildTrustModel; read by the checks (findings) and the report.
 * States only — no messages here.
 */
import type { Result } from '../result.ts';
import type { CrossSigningKey, CrossSigningKeyProblem } from '../crossSigning/crossSigningKey.ts';
import type { DeviceKeys, DeviceKeysProblem } from '../crossSigning/deviceKeys.ts';
import type { SigState } from '../crossSigning/signatureBatch.ts';
import type { Anchor, DeviceStatus, IdentityStatus } from '../report/types.ts';

/** A cross-signing key slot: not served, served and valid, or served and refused. */
export type KeySlot<U extends 'master' | 'self_signing' | 'user_signing'> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly key: CrossSigningKey<U> }
  | { readonly kind: 'malformed'; readonly problem: CrossSigningKeyProblem };

/** A link that does not apply (e.g. no key to check it with) is `n/a`. */
export type LinkState = SigState | 'n/a';

export interface DeviceModel {
  readonly deviceId: string;
  readonly parsed: Result<DeviceKeys, DeviceKeysProblem>;
  /** (a) the device's signature over its own keys. */
  readonly selfSignature: LinkState;
  /** (d) the owner's current self-signing key over the device. */
  readonly ownerSignature: LinkState;
  /** Valid signatures by ed25519 keys that are neither the device nor the current self-signing key (an older self-signing key, typically). */
  readonly staleSigners: readonly string[];
  /** The device ID equals one of the owner's cross-signing public keys (CVE-2022-39250 pattern). */
  readonly idCollision: boolean;
  /** The device's ed25519 key equals one of the owner's cross-signing keys (role reuse). */
  readonly keyReuse: boolean;
  /** Own device only: the server's keys differ from the keys this browser's client store holds. */
  readonly localMismatch?: { readonly ed25519: boolean; readonly curve25519: boolean };
  /** From `unsigned` or `/devices`: server-supplied, display only. */
  readonly displayName?: string;
  readonly status: DeviceStatus;
  readonly verified: boolean;
}

export interface IdentityMemory {
  /** Where the earlier key came from. */
  readonly source: 'pin' | 'previously-verified' | 'local-private-key';
  readonly previousMasterKey: string;
  readonly firstSeen?: string;
}

export interface UserModel {
  readonly userId: string;
  readonly isOwn: boolean;
  /** The server listed no device list for this user, or the user's server is in `failures`. */
  readonly unknownReason?: 'server-failure' | 'not-in-response';
  readonly master: KeySlot<'master'>;
  readonly selfSigning: KeySlot<'self_signing'>;
  /** Own user only (servers show nobody else's). */
  readonly userSigning: KeySlot<'user_signing'>;
  /** (b) master → self-signing. */
  readonly masterToSelfSigning: LinkState;
  /** (c) master → user-signing (own user). */
  readonly masterToUserSigning: LinkState;
  /** (e) our user-signing key → this user's master key (other users). */
  readonly ourSignatureOnMaster: LinkState;
  /** Own user: (f) this device's key, as the local store knows it, over the master key. */
  readonly masterSignedByThisDevice: LinkState;
  /** Devices whose ID equals a cross-signing key: the whole user is refused (spec MUST). */
  readonly collidingDeviceIds: readonly string[];
  /** The chain master → self-signing (and for us, master → user-signing) holds. */
  readonly chainIntact: boolean;
  /** An earlier master key we remember that differs from the current one. */
  readonly changedFrom?: IdentityMemory;
  /** We verified them before (per the client store) and no longer do, with the same key. */
  readonly verificationLost: boolean;
  readonly identity: IdentityStatus;
  readonly devices: readonly DeviceModel[];
}

export interface TrustModel {
  readonly ownUserId: string;
  readonly ownDeviceId: string;
  readonly anchor: Anchor;
  readonly own: UserModel;
  /** Everyone, own user first. */
  readonly users: readonly UserModel[];
  /** `failures` from /keys/query: server name → opaque error. */
  readonly failures: Readonly<Record<string, unknown>>;
  /** Structural problems with the response as a whole (wrong types of top-level maps). */
  readonly responseProblems: readonly string[];
  /** Own device IDs whose signatures count for trust (verified, or this device as the local store knows it). */
  readonly trustedOwnDeviceKeys: ReadonlyMap<string, Uint8Array>;
  /** How many signatures were verified. */
  readonly signaturesChecked: number;
}
