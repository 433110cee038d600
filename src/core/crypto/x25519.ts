/**
 * @module crypto/x25519 — X25519 (RFC 7748) for the v1 key backup (matrix-crypto.md §3.3, §5.4).
 *
 * The peer's public key comes from the homeserver (the `ephemeral` of a backup entry), so a bad
 * one is data, not a bug: it is returned as an error value. noble refuses the low-order inputs
 * (u = 0, 1, p−1 and the two order-8 points, reduced mod p first) before running the ladder, which
 * is exactly the set whose shared secret would be all zeros; vodozemac refuses an all-zero shared
 * secret too (matrix-crypto.md §9.23, security.md §2.3).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { type Result, ok, err } from '../result.ts';

/** Why a peer's public key was refused. */
export type X25519Error = { code: 'bad-length'; length: number } | { code: 'low-order' };

function assertPrivate(priv: Uint8Array): void {
  if (!(priv instanceof Uint8Array)) throw new TypeError('X25519 private key must be a Uint8Array');
  if (priv.length !== 32) throw new RangeError(`X25519 private key must be 32 bytes, got ${priv.length}`);
}

/**
 * Public key of a 32-byte X25519 private key (clamping is part of X25519 itself).
 * Used to prove a backup decryption key: X25519(priv) must equal `auth_data.public_key`.
 * @throws RangeError when `priv` is not 32 bytes
 */
export function x25519PublicKey(priv: Uint8Array): Uint8Array {
  assertPrivate(priv);
  return x25519.getPublicKey(priv);
}

/**
 * X25519(priv, pub).
 * @param priv our 32-byte private key
 * @param pub the peer's 32-byte public key, as received (non-canonical encodings are reduced, as
 *   RFC 7748 §5 asks)
 * @returns the 32-byte shared secret, `bad-length` for a public key that is not 32 bytes, or
 *   `low-order` when the public key is of small order (the secret would be all zeros)
 * @throws RangeError when `priv` is not 32 bytes
 */
export function x25519SharedSecret(priv: Uint8Array, pub: Uint8Array): Result<Uint8Array, X25519Error> {
  assertPrivate(priv);
  if (!(pub instanceof Uint8Array) || pub.length !== 32) return err({ code: 'bad-length', length: pub instanceof Uint8Array ? pub.length : 0 });
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(priv, pub);
  } catch {
    // noble throws only for the low-order blocklist here (lengths were checked above).
    return err({ code: 'low-order' });
  }
  // Belt and braces: never hand out an all-zero secret, whatever the library does (RFC 7748 §6.1).
  let any = 0;
  for (const b of shared) any |= b;
  if (any === 0) return err({ code: 'low-order' });
  return ok(shared);
}
