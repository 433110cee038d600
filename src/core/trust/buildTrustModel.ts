/**
 * @module trust/buildTrustModel — recomputes every cross-signing chain of a /keys/query response
 * (spec "Cross-signing"; matrix-crypto.md §2.4–§2.6) and decides identity and device states.
 *
 * Trust (DESIGN.md "Trust, in one paragraph"): a valid chain proves nothing by itself, because a
 * homeserver can sign a whole fabricated identity with keys it made (security.md D1). Our own
 * master key is trusted only through an anchor the server cannot forge; other users are verified
 * only through our user-signing key, whose chain from our anchored master must hold (D5).
 * Whenever something is uncertain, the weaker state wins.
 */
import { decodeBase64 } from '../encoding/base64.ts';
import { equalBytes } from '../bytes.ts';
import { type JsonObject, type JsonValue, isJsonObject } from '../json/strictJson.ts';
import { parseCrossSigningKey, type CrossSigningUsage } from '../crossSigning/crossSigningKey.ts';
import { parseDeviceKeys } from '../crossSigning/deviceKeys.ts';
import { SignatureBatch, type SigHandle } from '../crossSigning/signatureBatch.ts';
import { type BatchVerifier, checkPublicKey } from '../crypto/ed25519Policy.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { Anchor, DeviceStatus, IdentityStatus } from '../report/types.ts';
import type { DeviceModel, IdentityMemory, KeySlot, LinkState, TrustModel, UserModel } from './model.ts';

export interface TrustInputs {
  /** The recovery key unlocked a master-key seed that derives the published master key. */
  readonly masterProvenByRecoveryKey: boolean;
  /** Ed25519 batch verifier under the strict policy (noble by default). */
  readonly verifier?: BatchVerifier;
}

/** Signatures by keys other than the expected signer are checked at most this often per device (DoS bound). */
const MAX_STALE_CHECKS_PER_DEVICE = 4;

/** Server name of a user ID (everything after the first colon). */
export const serverOf = (userId: string): string => userId.slice(userId.indexOf(':') + 1);

function slot<U extends CrossSigningUsage>(map: JsonObject | undefined, userId: string, usage: U): KeySlot<U> {
  const raw = map?.[userId];
  if (raw === undefined) return { kind: 'absent' };
  const parsed = parseCrossSigningKey(raw, usage, userId);
  return parsed.ok ? { kind: 'ok', key: parsed.value } : { kind: 'malformed', problem: parsed.error };
}

function topMap(kq: JsonObject, name: string, problems: string[]): JsonObject | undefined {
  const v = kq[name];
  if (v === undefined) return undefined;
  if (isJsonObject(v)) return v;
  problems.push(`"${name}" is not an object`);
  return undefined;
}

/** Decodes a public key we were given as a string (local store, pins) for byte comparison. */
const keyBytes = (s: string | null | undefined): Uint8Array | undefined => {
  if (typeof s !== 'string') return undefined;
  const d = decodeBase64(s, { bytes: 32, padding: 'allow' });
  return d.ok ? d.value : undefined;
};
const sameKey = (a: string | null | undefined, b: Uint8Array): boolean => {
  const x = keyBytes(a);
  return x !== undefined && equalBytes(x, b);
};

interface PendingDevice {
  deviceId: string;
  parsed: ReturnType<typeof parseDeviceKeys>;
  self?: SigHandle;
  owner?: SigHandle;
  stale: { keyId: string; handle: SigHandle }[];
  idCollision: boolean;
  keyReuse: boolean;
  localMismatch?: { ed25519: boolean; curve25519: boolean };
  displayName?: string;
}

interface PendingUser {
  userId: string;
  isOwn: boolean;
  unknownReason?: 'server-failure' | 'not-in-response';
  master: KeySlot<'master'>;
  selfSigning: KeySlot<'self_signing'>;
  userSigning: KeySlot<'user_signing'>;
  m2s?: SigHandle;
  m2u?: SigHandle;
  ours?: SigHandle;
  byThisDevice?: SigHandle;
  devices: PendingDevice[];
}

/** Builds the trust model of a snapshot. Never throws on hostile input. */
export async function buildTrustModel(snap: Snapshot, inputs: TrustInputs): Promise<TrustModel> {
  const kq = snap.keysQuery;
  const responseProblems: string[] = [];
  const deviceKeysMap = topMap(kq, 'device_keys', responseProblems);
  const masters = topMap(kq, 'master_keys', responseProblems);
  const selfs = topMap(kq, 'self_signing_keys', responseProblems);
  const usks = topMap(kq, 'user_signing_keys', responseProblems);
  const failuresRaw = topMap(kq, 'failures', responseProblems);
  const failures: Record<string, unknown> = Object.create(null);
  for (const [server, e] of Object.entries(failuresRaw ?? {})) failures[server] = e;

  // Every user the response (or the capture's request list) mentions; own user first.
  const userIds = new Set<string>([snap.userId]);
  for (const m of [deviceKeysMap, masters, selfs]) for (const u of Object.keys(m ?? {})) userIds.add(u);
  for (const u of snap.queriedUsers ?? []) userIds.add(u);

  const batch = new SignatureBatch(inputs.verifier);
  const displayNames = ownDisplayNames(snap.devices);
  const localDeviceKey = keyBytes(snap.local?.deviceKeys?.ed25519);

  // Our own user-signing key, needed for everyone else's (e) link.
  const ownUsk = slot(usks, snap.userId, 'user_signing');

  const pendings: PendingUser[] = [];
  for (const userId of userIds) {
    const isOwn = userId === snap.userId;
    const master = slot(masters, userId, 'master');
    const selfSigning = slot(selfs, userId, 'self_signing');
    const userSigning: KeySlot<'user_signing'> = isOwn ? ownUsk : { kind: 'absent' };
    const p: PendingUser = { userId, isOwn, master, selfSigning, userSigning, devices: [] };
    const devicesRaw = deviceKeysMap?.[userId];
    if (failures[serverOf(userId)] !== undefined && devicesRaw === undefined && master.kind === 'absent') p.unknownReason = 'server-failure';
    else if (devicesRaw === undefined) p.unknownReason = 'not-in-response';

    if (master.kind === 'ok') {
      const mk = master.key;
      if (selfSigning.kind === 'ok') p.m2s = batch.request(selfSigning.key.raw, userId, mk.keyId, mk.bytes);
      if (isOwn && userSigning.kind === 'ok') p.m2u = batch.request(userSigning.key.raw, userId, mk.keyId, mk.bytes);
      if (!isOwn && ownUsk.kind === 'ok') p.ours = batch.request(mk.raw, snap.userId, ownUsk.key.keyId, ownUsk.key.bytes);
      if (isOwn && localDeviceKey) p.byThisDevice = batch.request(mk.raw, userId, `ed25519:${snap.deviceId}`, localDeviceKey);
    }

    const crossKeys = [master, selfSigning, userSigning].flatMap((s) => (s.kind === 'ok' ? [s.key] : []));
    const crossKeyStrings = new Set(crossKeys.map((k) => k.publicKey));
    if (isJsonObject(devicesRaw)) {
      for (const [deviceId, raw] of Object.entries(devicesRaw)) {
        p.devices.push(pendingDevice(batch, snap, userId, deviceId, raw, selfSigning, crossKeys, crossKeyStrings, displayNames, isOwn));
      }
    } else if (devicesRaw !== undefined) {
      responseProblems.push(`"device_keys" of ${userId} is not an object`);
    }
    pendings.push(p);
  }

  await batch.run();
  const st = (h: SigHandle | undefined): LinkState => (h === undefined ? 'n/a' : batch.state(h));

  // Own identity first: everyone else's verification hangs off it.
  const ownPending = pendings[0] as PendingUser;
  const ownLinks = links(ownPending, st);
  const ownChain = chainIntact(ownPending, ownLinks, true);
  const anchor = chooseAnchor(snap, ownPending, ownLinks, inputs);
  const own = finishUser(snap, ownPending, ownLinks, ownChain, anchor, undefined, st);
  const ownVerified = own.identity === 'verified';

  const users: UserModel[] = [own];
  for (const p of pendings.slice(1)) {
    const l = links(p, st);
    users.push(finishUser(snap, p, l, chainIntact(p, l, false), anchor, { ownVerified }, st));
  }

  // Own devices whose signature on the backup would count: verified ones, and this device as the
  // local store knows it (its key is the one thing the server cannot have substituted).
  const trustedOwnDeviceKeys = new Map<string, Uint8Array>();
  for (const d of own.devices) if (d.verified && d.parsed.ok) trustedOwnDeviceKeys.set(d.deviceId, d.parsed.value.ed25519Bytes);
  if (localDeviceKey) trustedOwnDeviceKeys.set(snap.deviceId, localDeviceKey);

  return {
    ownUserId: snap.userId,
    ownDeviceId: snap.deviceId,
    anchor,
    own,
    users,
    failures,
    responseProblems,
    trustedOwnDeviceKeys,
    signaturesChecked: batch.size,
  };
}

function ownDisplayNames(devices: JsonObject | undefined): Map<string, string> {
  const names = new Map<string, string>();
  const list = devices?.['devices'];
  if (!Array.isArray(list)) return names;
  for (const d of list) {
    if (isJsonObject(d) && typeof d['device_id'] === 'string' && typeof d['display_name'] === 'string') names.set(d['device_id'], d['display_name']);
  }
  return names;
}

function pendingDevice(
  batch: SignatureBatch,
  snap: Snapshot,
  userId: string,
  deviceId: string,
  raw: JsonValue,
  selfSigning: KeySlot<'self_signing'>,
  crossKeys: { publicKey: string; bytes: Uint8Array }[],
  crossKeyStrings: Set<string>,
  displayNames: Map<string, string>,
  isOwn: boolean,
): PendingDevice {
  const parsed = parseDeviceKeys(raw, userId, deviceId);
  const d: PendingDevice = { deviceId, parsed, stale: [], idCollision: crossKeyStrings.has(deviceId), keyReuse: false };
  const serverName = isOwn ? displayNames.get(deviceId) : undefined;
  if (!parsed.ok) {
    if (serverName !== undefined) d.displayName = serverName;
    return d;
  }
  const dev = parsed.value;
  d.displayName = serverName ?? dev.displayName;
  if (d.displayName === undefined) delete d.displayName;
  d.keyReuse = crossKeys.some((k) => equalBytes(k.bytes, dev.ed25519Bytes));
  d.self = batch.request(dev.raw, userId, `ed25519:${deviceId}`, dev.ed25519Bytes);
  if (selfSigning.kind === 'ok') d.owner = batch.request(dev.raw, userId, selfSigning.key.keyId, selfSigning.key.bytes);
  // Signatures under other ed25519 key IDs: the ID carries the public key, so we can tell a
  // signature by an older self-signing key (a stale chain) from noise.
  const skip = new Set([`ed25519:${deviceId}`, selfSigning.kind === 'ok' ? selfSigning.key.keyId : '']);
  const sigs = dev.raw['signatures'];
  const mine = isJsonObject(sigs) ? sigs[userId] : undefined;
  if (isJsonObject(mine)) {
    for (const keyId of Object.keys(mine)) {
      if (skip.has(keyId) || !keyId.startsWith('ed25519:') || d.stale.length >= MAX_STALE_CHECKS_PER_DEVICE) continue;
      const pub = decodeBase64(keyId.slice('ed25519:'.length), { bytes: 32 });
      if (!pub.ok || !checkPublicKey(pub.value).ok) continue;
      d.stale.push({ keyId, handle: batch.request(dev.raw, userId, keyId, pub.value) });
    }
  }
  if (isOwn && deviceId === snap.deviceId && snap.local?.deviceKeys) {
    const lk = snap.local.deviceKeys;
    const edMismatch = lk.ed25519 !== undefined && !sameKey(lk.ed25519, dev.ed25519Bytes);
    const cv = keyBytes(dev.curve25519);
    const cvMismatch = lk.curve25519 !== undefined && !(cv !== undefined && sameKey(lk.curve25519, cv));
    if (edMismatch || cvMismatch) d.localMismatch = { ed25519: edMismatch, curve25519: cvMismatch };
  }
  return d;
}

interface Links {
  m2s: LinkState;
  m2u: LinkState;
  ours: LinkState;
  byThisDevice: LinkState;
}

const links = (p: PendingUser, st: (h: SigHandle | undefined) => LinkState): Links => ({
  m2s: st(p.m2s),
  m2u: st(p.m2u),
  ours: st(p.ours),
  byThisDevice: st(p.byThisDevice),
});

function chainIntact(p: PendingUser, l: Links, isOwn: boolean): boolean {
  if (p.master.kind !== 'ok' || p.selfSigning.kind !== 'ok' || l.m2s !== 'valid') return false;
  // Our own identity also needs its user-signing key (matrix-crypto §2.3; rust drops it otherwise).
  if (isOwn && (p.userSigning.kind !== 'ok' || l.m2u !== 'valid')) return false;
  return true;
}

/** Picks the strongest anchor that vouches for *the published* master key (DESIGN.md "Trust"). */
function chooseAnchor(snap: Snapshot, p: PendingUser, l: Links, inputs: TrustInputs): Anchor {
  if (p.master.kind !== 'ok') return 'none';
  const mk = p.master.key;
  if (inputs.masterProvenByRecoveryKey) return 'recovery-key';
  if (sameKey(snap.local?.crossSigning?.master, mk.bytes)) return 'local-private-key';
  if (l.byThisDevice === 'valid') return 'own-device-signature';
  const flag = snap.local?.identities[snap.userId];
  if (flag?.verified === true && sameKey(flag.masterKey, mk.bytes)) return 'client-store-flag';
  return 'none';
}

/** What we remember of this user's master key that the server now contradicts. */
function memoryOf(snap: Snapshot, userId: string, current: Uint8Array, isOwn: boolean): IdentityMemory | undefined {
  const pin = snap.pins[userId];
  if (pin && !sameKey(pin.masterKey, current)) return { source: 'pin', previousMasterKey: pin.masterKey, ...(pin.firstSeen ? { firstSeen: pin.firstSeen } : {}) };
  const local = snap.local?.identities[userId];
  if (local?.masterKey !== undefined && (local.verified === true || local.previouslyVerified === true) && !sameKey(local.masterKey, current))
    return { source: 'previously-verified', previousMasterKey: local.masterKey };
  // The client's own pin (rust-sdk keeps the key it last accepted): a different key now is a
  // change the client itself would flag ("pin violation").
  if (local?.pinnedMasterKey !== undefined && !sameKey(local.pinnedMasterKey, current))
    return { source: local.previouslyVerified === true ? 'previously-verified' : 'pin', previousMasterKey: local.pinnedMasterKey };
  if (isOwn) {
    const cached = snap.local?.crossSigning?.master;
    if (typeof cached === 'string' && !sameKey(cached, current)) return { source: 'local-private-key', previousMasterKey: cached };
  }
  return undefined;
}

function finishUser(
  snap: Snapshot,
  p: PendingUser,
  l: Links,
  intact: boolean,
  anchor: Anchor,
  other: { ownVerified: boolean } | undefined,
  st: (h: SigHandle | undefined) => LinkState,
): UserModel {
  const collidingDeviceIds = p.devices.filter((d) => d.idCollision).map((d) => d.deviceId);
  const changedFrom = p.master.kind === 'ok' ? memoryOf(snap, p.userId, p.master.key.bytes, p.isOwn) : undefined;

  let identity: IdentityStatus;
  if (p.unknownReason === 'server-failure') identity = 'unknown';
  else if (p.master.kind === 'absent') identity = p.unknownReason ? 'unknown' : 'no-cross-signing';
  else if (p.master.kind === 'malformed' || p.selfSigning.kind === 'malformed' || (p.isOwn && p.userSigning.kind === 'malformed') || collidingDeviceIds.length > 0)
    identity = 'refused';
  else if (!intact) identity = 'refused';
  else if (p.isOwn) identity = anchor !== 'none' ? 'verified' : changedFrom ? 'changed' : 'unanchored';
  else if (other?.ownVerified && l.ours === 'valid') identity = 'verified';
  else identity = changedFrom ? 'changed' : 'unverified';
  // A user whose device list we never got is not "verified with 0 devices" (security E4).
  if (p.unknownReason === 'not-in-response' && identity === 'verified') identity = 'unknown';

  const local = snap.local?.identities[p.userId];
  const verificationLost =
    !p.isOwn && identity === 'unverified' && (local?.previouslyVerified === true || local?.verified === true) && changedFrom === undefined;

  const ownerIdentityVerified = identity === 'verified';
  const devices: DeviceModel[] = p.devices.map((d) => finishDevice(d, st, intact && identity !== 'refused', ownerIdentityVerified));
  return {
    userId: p.userId,
    isOwn: p.isOwn,
    ...(p.unknownReason ? { unknownReason: p.unknownReason } : {}),
    master: p.master,
    selfSigning: p.selfSigning,
    userSigning: p.userSigning,
    masterToSelfSigning: l.m2s,
    masterToUserSigning: l.m2u,
    ourSignatureOnMaster: l.ours,
    masterSignedByThisDevice: l.byThisDevice,
    collidingDeviceIds,
    chainIntact: intact,
    ...(changedFrom ? { changedFrom } : {}),
    verificationLost,
    identity,
    devices,
  };
}

function finishDevice(d: PendingDevice, st: (h: SigHandle | undefined) => LinkState, chainUsable: boolean, ownerVerified: boolean): DeviceModel {
  const selfSignature = st(d.self);
  const ownerSignature = st(d.owner);
  const staleSigners = d.stale.filter((s) => st(s.handle) === 'valid').map((s) => s.keyId);
  let status: DeviceStatus;
  if (!d.parsed.ok || selfSignature !== 'valid' || d.keyReuse || d.localMismatch) status = 'invalid';
  // A cross-signature that is present but not valid is a broken chain, not a missing one.
  else if (ownerSignature !== 'n/a' && ownerSignature !== 'missing' && ownerSignature !== 'valid') status = 'invalid';
  else if (ownerSignature === 'valid' && chainUsable && !d.idCollision) status = 'cross-signed';
  else status = 'not-cross-signed';
  return {
    deviceId: d.deviceId,
    parsed: d.parsed,
    selfSignature,
    ownerSignature,
    staleSigners,
    idCollision: d.idCollision,
    keyReuse: d.keyReuse,
    ...(d.localMismatch ? { localMismatch: d.localMismatch } : {}),
    ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
    status,
    verified: status === 'cross-signed' && ownerVerified,
  };
}
