/**
 * @module backup/backupTrust — is the server's current key backup one we should trust?
 * (spec "Server-side key backups"; matrix-crypto.md §3.1–§3.2).
 *
 * Two independent axes, as rust-sdk and js-sdk report them:
 * - signature trust: a valid signature over `auth_data` (minus `signatures`/`unsigned`) by our
 *   master key while our identity is verified, or by one of our own devices that is verified
 *   (or is this device, as the local client store knows its key). A valid signature by anyone
 *   else is `valid-untrusted` (security G2: a server-injected device can sign anything);
 * - key match: a private key from a trusted source (the recovery key typed by the user, via
 *   secret storage) derives exactly `auth_data.public_key`.
 * A mismatch on either key source is reported as `mismatch` whatever the signatures say (G1, G6).
 */
import { decodeBase64 } from '../encoding/base64.ts';
import { equalBytes } from '../bytes.ts';
import { type JsonObject, isJsonObject } from '../json/strictJson.ts';
import { SignatureBatch, type SigState } from '../crossSigning/signatureBatch.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { BackupStatus, SignerState } from '../report/types.ts';
import type { BatchVerifier } from '../crypto/ed25519Policy.ts';
import type { TrustModel } from '../trust/model.ts';

export const BACKUP_ALGORITHM_V1 = 'm.megolm_backup.v1.curve25519-aes-sha2';

export type BackupModel =
  | { readonly kind: 'not-captured' }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly why: string }
  | { readonly kind: 'unsupported'; readonly algorithm: string; readonly version?: string }
  | {
      readonly kind: 'present';
      readonly version: string;
      readonly algorithm: string;
      readonly publicKey: string;
      readonly publicKeyBytes: Uint8Array;
      readonly signatures: Readonly<Record<string, SignerState>>;
      /** The key typed by the user (through secret storage) derives the published key: true/false, or undefined when not tried. */
      readonly recoveryKeyMatches: boolean | undefined;
      /** This browser's cached backup key: 'match' | 'mismatch' | 'not-cached' | 'unknown' (no local data). */
      readonly localKey: 'match' | 'mismatch' | 'not-cached' | 'unknown';
      readonly status: BackupStatus;
    };

export interface BackupTrustInputs {
  /** From the secret-storage audit: true = the 4S backup secret (or the typed key) derives the published key; false = it derives another key; undefined = not tried. */
  readonly recoveryKeyMatches: boolean | undefined;
  /** Ed25519 batch verifier under the strict policy (noble by default). */
  readonly verifier?: BatchVerifier;
}

export async function evaluateBackup(snap: Snapshot, model: TrustModel, inputs: BackupTrustInputs): Promise<BackupModel> {
  const kb = snap.keyBackup;
  if (kb === undefined) return { kind: 'not-captured' };
  if (kb === null) return { kind: 'none' };
  const algorithm = kb['algorithm'];
  const version = kb['version'];
  const auth = kb['auth_data'];
  if (typeof algorithm !== 'string') return { kind: 'malformed', why: 'the backup version has no "algorithm" string' };
  if (typeof version !== 'string') return { kind: 'malformed', why: 'the backup version has no "version" string (it is an opaque string, not a number)' };
  if (algorithm !== BACKUP_ALGORITHM_V1) return { kind: 'unsupported', algorithm, version };
  if (!isJsonObject(auth)) return { kind: 'malformed', why: 'the backup version has no "auth_data" object' };
  const pk = decodeBase64(auth['public_key'], { bytes: 32 });
  if (!pk.ok) return { kind: 'malformed', why: '"auth_data.public_key" is not 32 bytes of unpadded base64' };

  const signatures = await signerStates(auth, model, inputs.verifier);
  const local = snap.local;
  let localKey: 'match' | 'mismatch' | 'not-cached' | 'unknown' = 'unknown';
  if (local && local.backupKey === null) localKey = 'not-cached';
  else if (local?.backupKey?.publicKey !== undefined) {
    const l = decodeBase64(local.backupKey.publicKey, { bytes: 32, padding: 'allow' });
    const sameVersion = local.backupKey.version === undefined || local.backupKey.version === version;
    localKey = l.ok && equalBytes(l.value, pk.value) && sameVersion ? 'match' : 'mismatch';
  }

  let status: BackupStatus;
  if (inputs.recoveryKeyMatches === false || localKey === 'mismatch') status = 'mismatch';
  else if (inputs.recoveryKeyMatches === true || Object.values(signatures).includes('valid-trusted')) status = 'trusted';
  else status = 'untrusted';
  return {
    kind: 'present',
    version,
    algorithm,
    publicKey: auth['public_key'] as string,
    publicKeyBytes: pk.value,
    signatures,
    recoveryKeyMatches: inputs.recoveryKeyMatches,
    localKey,
    status,
  };
}

/** Per-signer states of our own signatures on `auth_data` (rust-sdk `BackupMachine::verify_backup`). */
async function signerStates(auth: JsonObject, model: TrustModel, verifier: BatchVerifier | undefined): Promise<Record<string, SignerState>> {
  const out: Record<string, SignerState> = Object.create(null);
  const batch = new SignatureBatch(verifier);
  const asks: { keyId: string; trusted: boolean; handle: ReturnType<SignatureBatch['request']> }[] = [];
  const own = model.own;
  const sigs = auth['signatures'];
  const mine = isJsonObject(sigs) ? sigs[model.ownUserId] : undefined;
  const keyIds = isJsonObject(mine) ? Object.keys(mine) : [];

  if (own.master.kind === 'ok') {
    const mk = own.master.key;
    asks.push({ keyId: mk.keyId, trusted: own.identity === 'verified', handle: batch.request(auth, model.ownUserId, mk.keyId, mk.bytes) });
  }
  const deviceKeys = new Map<string, { bytes: Uint8Array; trusted: boolean }>();
  for (const d of own.devices) if (d.parsed.ok) deviceKeys.set(`ed25519:${d.deviceId}`, { bytes: d.parsed.value.ed25519Bytes, trusted: false });
  for (const [deviceId, bytes] of model.trustedOwnDeviceKeys) deviceKeys.set(`ed25519:${deviceId}`, { bytes, trusted: true });
  for (const keyId of keyIds) {
    if (own.master.kind === 'ok' && keyId === own.master.key.keyId) continue;
    const dk = deviceKeys.get(keyId);
    if (dk) asks.push({ keyId, trusted: dk.trusted, handle: batch.request(auth, model.ownUserId, keyId, dk.bytes) });
    // Signatures by keys we cannot identify (a deleted device, say) can neither help nor be checked: left out.
  }
  await batch.run();
  for (const a of asks) out[a.keyId] = toSignerState(batch.state(a.handle), a.trusted);
  return out;
}

function toSignerState(s: SigState, trusted: boolean): SignerState {
  switch (s) {
    case 'missing':
      return 'missing';
    case 'malformed':
    case 'unverifiable':
      return 'malformed';
    case 'key-rejected':
    case 'invalid':
      return 'invalid';
    case 'valid':
      return trusted ? 'valid-trusted' : 'valid-untrusted';
  }
}
