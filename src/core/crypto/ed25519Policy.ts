/**
 * @module ed25519Policy — the only place in Crosscheck that decides whether an Ed25519
 * signature is valid. Every signature check goes through {@link verifySignatures}.
 *
 * Policy (security.md §2.2, "recommended strictest"): the intersection of every verifier a Matrix
 * client may use, so nothing we call valid is rejected by vodozemac (`verify_strict`), libsodium
 * or noble's RFC 8032 mode:
 * - public key A: canonical encoding (y < p, no "negative zero"), not of small order, and
 *   torsion-free (no mixed-order keys);
 * - signature: exactly 64 bytes, S < L (no malleability, CVE-2024-45193), R canonical and not of
 *   small order;
 * - equation checked *cofactorless* by recomputing R' = [S]B − [k]A and comparing encodings
 *   byte-for-byte (as ed25519-dalek `verify_strict` does). With A torsion-free, equality also
 *   proves R torsion-free.
 * Honest signers always produce torsion-free A and R, so the policy rejects nothing real.
 *
 * Results are states, not booleans, so a report can tell "bad signature" from "unusable key".
 * The API is a batch that resolves asynchronously, so a native or parallel verifier can be slotted
 * in behind the same policy later without touching the trust graph.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../bytes.ts';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

/** Why a public key is unusable under the policy. */
export type KeyRejection = 'bad-length' | 'non-canonical' | 'not-on-curve' | 'small-order' | 'not-torsion-free';

/** The verdict on one signature. */
export type SignatureVerdict =
  | { readonly state: 'valid' }
  | { readonly state: 'invalid'; readonly reason: 'equation' | 'bad-length' | 's-not-reduced' | 'r-small-order' }
  | { readonly state: 'key-rejected'; readonly reason: KeyRejection };

export interface SignatureCheck {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

type EdPoint = InstanceType<typeof Point>;
type KeyCheck = { ok: true; point: EdPoint } | { ok: false; reason: KeyRejection };

/**
 * Validated public keys, by their bytes. Keys repeat a lot in an audit (one self-signing key signs
 * every device), and the torsion check costs a full scalar multiplication, so each key is
 * decoded and checked once. Public data only; bounded so a hostile response cannot grow it forever.
 */
const keyCache = new Map<string, KeyCheck>();
const KEY_CACHE_LIMIT = 50_000;

function keyId(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function decodeStrict(bytes: Uint8Array): EdPoint | undefined {
  try {
    const p = Point.fromBytes(bytes, false);
    // fromBytes(zip215=false) already refuses y ≥ p and x = 0 with the sign bit set; re-encoding
    // guards against any other spelling of the same point.
    return equalBytes(p.toBytes(), bytes) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets every validated key (benchmarks measure a first audit with it; tests isolate with it). */
export function resetPublicKeyCache(): void {
  keyCache.clear();
}

/** Checks a public key against the policy (cached). */
export function checkPublicKey(bytes: Uint8Array): KeyCheck {
  if (bytes.length !== 32) return { ok: false, reason: 'bad-length' };
  const id = keyId(bytes);
  const hit = keyCache.get(id);
  if (hit) return hit;
  let result: KeyCheck;
  const canonicalOnly = decodeStrict(bytes);
  if (!canonicalOnly) {
    // Distinguish "some other encoding of a curve point" from "no point at all".
    let onCurve = false;
    try {
      Point.fromBytes(bytes, true);
      onCurve = true;
    } catch {
      onCurve = false;
    }
    result = { ok: false, reason: onCurve ? 'non-canonical' : 'not-on-curve' };
  } else if (canonicalOnly.isSmallOrder()) result = { ok: false, reason: 'small-order' };
  else if (!canonicalOnly.isTorsionFree()) result = { ok: false, reason: 'not-torsion-free' };
  else result = { ok: true, point: canonicalOnly };
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, result);
  return result;
}

function bytesToNumberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}

/** What the policy decided before the equation: a verdict, or the decoded parts to check. */
type Precheck = { done: SignatureVerdict } | { done?: undefined; point: EdPoint; r: Uint8Array; s: bigint };

/**
 * Encodings of the eight small-order points (canonical ones; a non-canonical R can never equal a
 * re-encoded R', so it fails the equation anyway).
 */
const SMALL_ORDER_R = new Set(
  [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  ],
);

function hex(b: Uint8Array): string {
  let out = '';
  for (const x of b) out += x.toString(16).padStart(2, '0');
  return out;
}

/**
 * Every policy rule except the verification equation itself (shared by the noble and native
 * paths). R is not decoded here: both equations compare R' = [S]B − [k]A to R *as bytes*, and with
 * A torsion-free R' is torsion-free and canonically encoded, so equality already proves R
 * canonical and torsion-free. The one small-order point that could still match is the identity
 * (an owner can make R = identity verify with s = h·a); it is refused by encoding, as dalek's
 * verify_strict refuses small-order R.
 */
function precheck(check: SignatureCheck): Precheck {
  const { publicKey, signature } = check;
  const key = checkPublicKey(publicKey);
  if (!key.ok) return { done: { state: 'key-rejected', reason: key.reason } };
  if (signature.length !== 64) return { done: { state: 'invalid', reason: 'bad-length' } };
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= L) return { done: { state: 'invalid', reason: 's-not-reduced' } };
  if (SMALL_ORDER_R.has(hex(r))) return { done: { state: 'invalid', reason: 'r-small-order' } };
  return { point: key.point, r, s };
}

/** The cofactorless equation R' = [S]B − [k]A, compared as bytes (as dalek verify_strict does). */
function nobleEquation(check: SignatureCheck, p: { point: EdPoint; r: Uint8Array; s: bigint }): boolean {
  const h = sha512.create().update(p.r).update(check.publicKey).update(check.message).digest();
  const k = bytesToNumberLE(h) % L;
  const expectedR = Point.BASE.multiplyUnsafe(p.s).subtract(p.point.multiplyUnsafe(k));
  return equalBytes(expectedR.toBytes(), p.r);
}

/** Verifies one signature under the policy, synchronously (noble path). */
export function verifyOne(check: SignatureCheck): SignatureVerdict {
  const p = precheck(check);
  if (p.done) return p.done;
  return nobleEquation(check, p) ? { state: 'valid' } : { state: 'invalid', reason: 'equation' };
}

/**
 * A platform's plain Ed25519 verification (WebCrypto), used only for the equation, after every
 * policy rule above has passed. Implementations must be RFC 8032 verifiers that compare R'
 * cofactorless by bytes (OpenSSL, BoringSSL and NSS do); with A torsion-free and R canonical and
 * not small-order, that is exactly the noble path — test/core/crypto proves both agree on every
 * edge vector. Must resolve false (not reject) on a bad signature.
 */
export type Ed25519Equation = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** Verifies a batch of signatures under the policy. */
export type BatchVerifier = (checks: readonly SignatureCheck[]) => Promise<SignatureVerdict[]>;

/**
 * Builds the batch verifier the trust graph uses. Without `native`, the noble path; with it, the
 * policy checks stay here and only the equation is delegated. A native failure (exception) falls
 * back to the noble path for that signature, never to "valid".
 */
export function policyVerifier(native?: Ed25519Equation): BatchVerifier {
  if (!native) return async (checks) => checks.map(verifyOne);
  return async (checks) =>
    Promise.all(
      checks.map(async (c): Promise<SignatureVerdict> => {
        const p = precheck(c);
        if (p.done) return p.done;
        let ok: boolean;
        try {
          ok = (await native(c.publicKey, c.message, c.signature)) === true;
        } catch {
          ok = nobleEquation(c, p);
        }
        return ok ? { state: 'valid' } : { state: 'invalid', reason: 'equation' };
      }),
    );
}

/**
 * Verifies a batch of signatures under the policy (noble path). Resolves to one verdict per input,
 * in order; never rejects.
 */
export const verifySignatures: BatchVerifier = policyVerifier();

/** Public key of a 32-byte Ed25519 seed (RFC 8032 §5.1.5), used to prove a decrypted secret. */
export function ed25519PublicKeyFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new RangeError('ed25519 seed must be 32 bytes');
  return ed25519.getPublicKey(seed);
}
