/**
 * @module rustStore/records/account — our own device's identity keys, from `core/account`
 * (client-storage.md §3.6; matrix-sdk-crypto `olm/account.rs` PickledAccount, vodozemac
 * AccountPickle).
 *
 * The pickle holds the device's private keys: `signing_key` (Ed25519) and `diffie_hellman_key`
 * (Curve25519). The public keys are derived from them here — they are what this browser really
 * signs and decrypts with, whatever any other record claims — and every private byte is wiped
 * before the function returns. The signing key comes in two forms: `{"Normal": seed (32)}`, and
 * `{"Expanded": 64 bytes}` for accounts migrated from libolm, whose first half is the secret
 * scalar (clamped by libolm, or already reduced): its public key is (scalar mod L)·B either way.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKeyFromSeed } from '../../../../core/crypto/ed25519Policy.ts';
import { x25519PublicKey } from '../../../../core/crypto/x25519.ts';
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import { wipe } from '../../../../core/bytes.ts';
import type { JsonB } from '../jsonBytes.ts';
import { type Parsed, bytes, obj, parsed, problem, str, wipeNumbers } from './fields.ts';

export interface AccountKeys {
  readonly userId: string;
  readonly deviceId: string;
  /** Public Ed25519 identity key (unpadded base64). */
  readonly ed25519: string;
  /** Public Curve25519 identity key (unpadded base64). */
  readonly curve25519: string;
  /** Which pickle form the signing key had (`expanded` = migrated from libolm). */
  readonly signingKeyForm: 'normal' | 'expanded';
}

/** (LE(scalar) mod L)·B, for a libolm-style expanded secret key's first 32 bytes. */
function publicFromScalar(scalar: Uint8Array): Uint8Array | undefined {
  let n = 0n;
  for (let i = scalar.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(scalar[i] as number);
  // (BigInts are immutable and cannot be wiped; the byte copies can, and are, by the caller.)
  const s = n % ed25519.Point.Fn.ORDER;
  if (s === 0n) return undefined;
  return ed25519.Point.BASE.multiply(s).toBytes();
}

/**
 * Reads a decrypted `core/account` value. Wipes the private keys in `json` as it goes (and the
 * rest of the pickle's number arrays: one-time and fallback private keys) whatever the outcome.
 */
export function parseAccount(json: JsonB): Parsed<AccountKeys> {
  const a = obj(json);
  const pickle = obj(a?.['pickle']);
  try {
    const userId = str(a?.['user_id']);
    const deviceId = str(a?.['device_id']);
    if (!a || !pickle || !userId || !deviceId) return problem('unexpected-shape', 'account');
    const signing = obj(pickle['signing_key']);
    let ed: Uint8Array | undefined;
    let form: AccountKeys['signingKeyForm'];
    if (signing && 'Normal' in signing && Object.keys(signing).length === 1) {
      const seed = bytes(signing['Normal'], 32, true);
      if (!seed) return problem('unexpected-shape', 'account.signing_key');
      ed = ed25519PublicKeyFromSeed(seed);
      wipe(seed);
      form = 'normal';
    } else if (signing && 'Expanded' in signing && Object.keys(signing).length === 1) {
      const expanded = bytes(signing['Expanded'], 64, true);
      if (!expanded) return problem('unexpected-shape', 'account.signing_key');
      ed = publicFromScalar(expanded.subarray(0, 32));
      wipe(expanded);
      if (!ed) return problem('bad-key', 'account.signing_key');
      form = 'expanded';
    } else return problem('unexpected-shape', 'account.signing_key');
    const dh = bytes(pickle['diffie_hellman_key'], 32, true);
    if (!dh) return problem('unexpected-shape', 'account.diffie_hellman_key');
    const curve = x25519PublicKey(dh);
    wipe(dh);
    return parsed({ userId, deviceId, ed25519: encodeBase64(ed), curve25519: encodeBase64(curve), signingKeyForm: form });
  } finally {
    wipeNumbers(pickle);
  }
}
