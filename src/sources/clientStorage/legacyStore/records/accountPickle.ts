/**
 * @module legacyStore/records/accountPickle — our device's identity keys from a decrypted libolm
 * Account pickle (`account` record `-`; libolm src/account.cpp `pickle` / `unpickle`,
 * src/pickle.cpp `_olm_pickle_ed25519_key_pair`, `_olm_pickle_curve25519_key_pair`).
 *
 * Layout (big-endian uint32 version, then the identity keys at fixed offsets; checked against
 * @matrix-org/olm 3.2.15's `identity_keys()` by the tests):
 *
 * | bytes   | field                                                             |
 * |---------|-------------------------------------------------------------------|
 * | 0–3     | pickle version: 2, 3 or 4 (4 = current; 1 stored a 32-byte Ed25519 private key and libolm itself refuses it: OLM_BAD_LEGACY_ACCOUNT_PICKLE) |
 * | 4–35    | Ed25519 public key                                                |
 * | 36–99   | Ed25519 private key, expanded: clamped scalar ‖ prefix (orlp ed25519 `ed25519_create_keypair`) |
 * | 100–131 | Curve25519 public key                                             |
 * | 132–163 | Curve25519 private key                                            |
 * | 164–    | one-time keys, fallback keys (v3+), next key ID: not read          |
 *
 * The public keys are checked against the private ones (scalar·B, X25519(priv)) so a pickle that
 * decrypts but is not an account of this layout is refused rather than misread; every byte of
 * the plaintext is wiped before this returns.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { x25519PublicKey } from '../../../../core/crypto/x25519.ts';
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import { equalBytes, wipe } from '../../../../core/bytes.ts';

export interface LegacyAccountKeys {
  /** Public Ed25519 identity key (unpadded base64). */
  readonly ed25519: string;
  /** Public Curve25519 identity key (unpadded base64). */
  readonly curve25519: string;
  readonly pickleVersion: number;
}

export type AccountPickleProblem = 'unsupported-pickle-version' | 'unexpected-shape' | 'inconsistent';

/** (LE(scalar) mod L)·B for the first half of an expanded Ed25519 private key. */
function publicFromScalar(scalar: Uint8Array): Uint8Array | undefined {
  let n = 0n;
  for (let i = scalar.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(scalar[i] as number);
  const s = n % ed25519.Point.Fn.ORDER;
  if (s === 0n) return undefined;
  return ed25519.Point.BASE.multiply(s).toBytes();
}

/** Reads a decrypted Account pickle; wipes `plain` whatever the outcome. */
export function parseAccountPickle(plain: Uint8Array): { ok: true; value: LegacyAccountKeys } | { ok: false; problem: AccountPickleProblem } {
  try {
    if (plain.length < 164) return { ok: false, problem: 'unexpected-shape' };
    const version = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint32(0, false);
    if (version < 2 || version > 4) return { ok: false, problem: 'unsupported-pickle-version' };
    const edPub = plain.subarray(4, 36);
    const curvePub = plain.subarray(100, 132);
    const derivedEd = publicFromScalar(plain.subarray(36, 68));
    const derivedCurve = x25519PublicKey(plain.slice(132, 164));
    const consistent = derivedEd !== undefined && equalBytes(derivedEd, edPub) && equalBytes(derivedCurve, curvePub);
    if (!consistent) return { ok: false, problem: 'inconsistent' };
    return { ok: true, value: { ed25519: encodeBase64(edPub), curve25519: encodeBase64(curvePub), pickleVersion: version } };
  } finally {
    wipe(plain);
  }
}
