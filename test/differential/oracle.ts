/**
 * @module differential/oracle — matrix-rust-sdk's crypto (via @matrix-org/matrix-sdk-crypto-wasm,
 * a dev-only dependency) as an oracle for device and identity trust.
 *
 * The OlmMachine makes its own device keys and will not take ours: rust-sdk drops a /keys/query
 * entry for its own device whose keys differ from its account (identities/manager.rs,
 * `update_or_create_device`). So the fixture is generated *around* the machine: the machine's
 * self-signed device keys (from its first KeysUpload request) become the auditing device of the
 * generated account (`externalOwnDevice`), which the generator then cross-signs like any other
 * own device. Everything else (other users, cross-signing keys) is the generator's, and the
 * machine learns it only from the very /keys/query JSON Crosscheck audits.
 *
 * The machine's own identity is anchored the way Crosscheck's snapshot anchors it: the snapshot
 * says the client caches the private cross-signing keys (`local.crossSigning`), and the machine is
 * given those same private keys (`importCrossSigningKeys`), which rust-sdk takes as proof that the
 * published identity is ours (store/mod.rs `import_cross_signing_keys` → `mark_as_verified`).
 */
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import type { DeviceKeysJson, KeysQueryResponse } from '../fixtures/generator/types.ts';

const { OlmMachine, UserId, DeviceId, RequestType } = sdk;

let ready: Promise<void> | undefined;
/** Loads the wasm module once per process. */
export const initOracle = (): Promise<void> => (ready ??= sdk.initAsync());

export interface Oracle {
  readonly machine: sdk.OlmMachine;
  /** The machine's own device keys, self-signed by it, as it uploads them. */
  readonly deviceKeys: DeviceKeysJson;
}

/** A fresh in-memory OlmMachine for `userId`/`deviceId`, with its device-key upload answered. */
export async function createOracle(userId: string, deviceId: string): Promise<Oracle> {
  await initOracle();
  const machine = await OlmMachine.initialize(new UserId(userId), new DeviceId(deviceId));
  let deviceKeys: DeviceKeysJson | undefined;
  for (const r of await machine.outgoingRequests()) {
    if (r.type !== RequestType.KeysUpload) continue;
    const body = JSON.parse(r.body as string) as { device_keys?: DeviceKeysJson };
    if (body.device_keys) deviceKeys = body.device_keys;
    await machine.markRequestAsSent(r.id as string, RequestType.KeysUpload, JSON.stringify({ one_time_key_counts: { signed_curve25519: 50 } }));
  }
  if (!deviceKeys) throw new Error('the OlmMachine made no KeysUpload request with device keys');
  return { machine, deviceKeys };
}

/** The part of `response` about `users` (what a server answers for that request body). */
function restrict(response: KeysQueryResponse, users: readonly string[]): KeysQueryResponse {
  const pick = <T>(m: Record<string, T>): Record<string, T> => Object.fromEntries(users.filter((u) => u in m).map((u) => [u, m[u] as T]));
  return {
    device_keys: pick(response.device_keys),
    failures: response.failures,
    master_keys: pick(response.master_keys),
    self_signing_keys: pick(response.self_signing_keys),
    user_signing_keys: pick(response.user_signing_keys),
  };
}

/**
 * Makes the machine track `users` and answers each KeysQuery request it sends with `response`
 * (restricted to the users it asked about), until it asks for nothing more. Returns how many
 * requests it answered.
 */
export async function feedKeysQuery(machine: sdk.OlmMachine, response: KeysQueryResponse, users: readonly string[]): Promise<number> {
  await machine.updateTrackedUsers(users.map((u) => new UserId(u)));
  let answered = 0;
  for (let round = 0; round < 20; round++) {
    const queries = (await machine.outgoingRequests()).filter((r) => r.type === RequestType.KeysQuery);
    if (queries.length === 0) return answered;
    for (const q of queries) {
      const asked = Object.keys((JSON.parse(q.body as string) as { device_keys: Record<string, unknown> }).device_keys);
      await machine.markRequestAsSent(q.id as string, RequestType.KeysQuery, JSON.stringify(restrict(response, asked)));
      answered++;
    }
  }
  throw new Error('the OlmMachine kept asking for /keys/query after 20 rounds');
}

/** Makes the machine query every tracked user again (as after a device-list change) and answers with `response`. */
export async function refeedKeysQuery(machine: sdk.OlmMachine, response: KeysQueryResponse, users: readonly string[]): Promise<number> {
  await machine.markAllTrackedUsersAsDirty();
  return feedKeysQuery(machine, response, users);
}

export interface OracleDevice {
  /** The machine kept the device at all (rust-sdk drops devices whose self-signature fails). */
  readonly present: boolean;
  readonly crossSignedByOwner: boolean;
  /** Cross-signed by its owner, and the owner verified by us (or is us, verified). */
  readonly crossSigningTrusted: boolean;
}

export async function oracleDevice(machine: sdk.OlmMachine, userId: string, deviceId: string): Promise<OracleDevice> {
  const d = await machine.getDevice(new UserId(userId), new DeviceId(deviceId));
  if (!d) return { present: false, crossSignedByOwner: false, crossSigningTrusted: false };
  try {
    return { present: true, crossSignedByOwner: d.isCrossSignedByOwner(), crossSigningTrusted: d.isCrossSigningTrusted() };
  } finally {
    d.free();
  }
}

export interface OracleIdentity {
  readonly present: boolean;
  readonly verified: boolean;
  readonly masterKey?: string;
  /** Other users only: was verified, is not any more (rust-sdk "verification violation"). */
  readonly verificationViolation: boolean;
  readonly previouslyVerified: boolean;
}

export async function oracleIdentity(machine: sdk.OlmMachine, userId: string): Promise<OracleIdentity> {
  const i = await machine.getIdentity(new UserId(userId));
  if (!i) return { present: false, verified: false, verificationViolation: false, previouslyVerified: false };
  try {
    // masterKey is the JSON of the whole key object; its single `keys` value is the public key.
    const master = JSON.parse(i.masterKey) as { keys: Record<string, string> };
    return {
      present: true,
      verified: i.isVerified(),
      masterKey: Object.values(master.keys)[0] as string,
      verificationViolation: i.hasVerificationViolation(),
      previouslyVerified: i.wasPreviouslyVerified(),
    };
  } finally {
    i.free();
  }
}
