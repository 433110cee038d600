/**
 * @module deviceKeys — parsing one `device_keys[userId][deviceId]` entry
 * (definitions/device_keys.yaml; matrix-crypto.md §2.2). Mirrors matrix-rust-sdk
 * identities/manager.rs: the entry's own `user_id`/`device_id` must equal the map keys it was
 * served under (security C5), and `ed25519:<id>` / `curve25519:<id>` must be 32-byte keys.
 */
import { type Result, ok, err } from '../result.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { type JsonObject, type JsonValue, isJsonObject } from '../json/strictJson.ts';
import { checkPublicKey } from '../crypto/ed25519Policy.ts';

export interface DeviceKeys {
  readonly userId: string;
  readonly deviceId: string;
  readonly ed25519: string;
  readonly ed25519Bytes: Uint8Array;
  readonly curve25519: string;
  /** Server-supplied display name from `unsigned` (not covered by any signature). */
  readonly displayName?: string;
  readonly raw: JsonObject;
}

export type DeviceKeysProblem =
  | { readonly code: 'not-an-object' }
  | { readonly code: 'id-mismatch'; readonly field: 'user_id' | 'device_id'; readonly found: string }
  | { readonly code: 'missing-key'; readonly keyId: string }
  | { readonly code: 'bad-key-encoding'; readonly keyId: string }
  | { readonly code: 'weak-key'; readonly keyId: string; readonly reason: string };

export function describeDeviceProblem(p: DeviceKeysProblem): string {
  switch (p.code) {
    case 'not-an-object':
      return 'the device entry is not a JSON object';
    case 'id-mismatch':
      return `its signed ${p.field} is ${p.found}, not the one it was listed under`;
    case 'missing-key':
      return `it has no ${p.keyId} key`;
    case 'bad-key-encoding':
      return `its ${p.keyId} key is not 32 bytes of canonical unpadded base64`;
    case 'weak-key':
      return `its ${p.keyId} key is unusable (${p.reason})`;
  }
}

export function parseDeviceKeys(raw: JsonValue | undefined, userId: string, deviceId: string): Result<DeviceKeys, DeviceKeysProblem> {
  if (!isJsonObject(raw)) return err({ code: 'not-an-object' });
  if (raw['user_id'] !== userId) return err({ code: 'id-mismatch', field: 'user_id', found: String(raw['user_id']) });
  if (raw['device_id'] !== deviceId) return err({ code: 'id-mismatch', field: 'device_id', found: String(raw['device_id']) });
  const keys = raw['keys'];
  const edId = `ed25519:${deviceId}`;
  const cvId = `curve25519:${deviceId}`;
  if (!isJsonObject(keys) || keys[edId] === undefined) return err({ code: 'missing-key', keyId: edId });
  if (keys[cvId] === undefined) return err({ code: 'missing-key', keyId: cvId });
  const ed = decodeBase64(keys[edId], { bytes: 32 });
  if (!ed.ok) return err({ code: 'bad-key-encoding', keyId: edId });
  const cv = decodeBase64(keys[cvId], { bytes: 32 });
  if (!cv.ok) return err({ code: 'bad-key-encoding', keyId: cvId });
  const policy = checkPublicKey(ed.value);
  if (!policy.ok) return err({ code: 'weak-key', keyId: edId, reason: policy.reason });
  const unsigned = raw['unsigned'];
  const name = isJsonObject(unsigned) ? unsigned['device_display_name'] : undefined;
  return ok({
    userId,
    deviceId,
    ed25519: keys[edId] as string,
    ed25519Bytes: ed.value,
    curve25519: keys[cvId] as string,
    ...(typeof name === 'string' ? { displayName: name } : {}),
    raw,
  });
}
