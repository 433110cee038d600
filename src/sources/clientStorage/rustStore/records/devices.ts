/**
 * @module rustStore/records/devices — the devices this client knows (client-storage.md §3.6;
 * matrix-sdk-crypto `identities/device.rs` DeviceData): the signed device keys as the server
 * served them (`device_keys`, or `inner` in older records), the local trust decision
 * (`trust_state`: `Verified`, `BlackListed`, `Ignored`, `Unset`) and whether it was deleted.
 */
import type { JsonB, JsonBObject } from '../jsonBytes.ts';
import { type Parsed, obj, parsed, problem, publicKey32, str } from './fields.ts';

export type LocalTrust = 'verified' | 'blacklisted' | 'ignored' | 'unset';

export interface StoredDevice {
  readonly userId: string;
  readonly deviceId: string;
  readonly ed25519: string | undefined;
  readonly curve25519: string | undefined;
  readonly localTrust: LocalTrust;
  readonly deleted: boolean;
  /**
   * The signed device-keys object as the library stored it (public; matrix-sdk-crypto keeps
   * fields it does not know, so signatures still verify over it). An offline audit checks it
   * exactly as it would check the server's copy.
   */
  readonly signed: JsonBObject;
}

const TRUST: Record<string, LocalTrust> = { Verified: 'verified', BlackListed: 'blacklisted', Ignored: 'ignored', Unset: 'unset' };

/** Reads a decrypted `devices` value. */
export function parseDevice(json: JsonB): Parsed<StoredDevice> {
  const root = obj(json);
  const keysJson = obj(root?.['device_keys']) ?? obj(root?.['inner']);
  const userId = str(keysJson?.['user_id']);
  const deviceId = str(keysJson?.['device_id']);
  const trust = str(root?.['trust_state']);
  const localTrust = trust !== undefined ? TRUST[trust] : undefined;
  if (!root || !keysJson || !userId || !deviceId || !localTrust) return problem('unexpected-shape', 'device');
  const keys = obj(keysJson['keys']);
  return parsed({
    userId,
    deviceId,
    ed25519: publicKey32(keys?.[`ed25519:${deviceId}`]),
    curve25519: publicKey32(keys?.[`curve25519:${deviceId}`]),
    localTrust,
    deleted: root['deleted'] === true,
    signed: keysJson,
  });
}
