/**
 * @module crossSigningKey — parsing master / self-signing / user-signing keys
 * (spec "Cross-signing", definitions/cross_signing_key.yaml; matrix-crypto.md §2.3).
 *
 * A CrossSigningKey value exists only if the object passed every structural rule, so the type
 * itself says "usage checked, exactly one key, key ID equals key, user ID bound":
 * - `usage` is exactly `[<expected>]` (rust-sdk accepts only one usage, security C1);
 * - `keys` has exactly one member, named `ed25519:<value>`, whose value is 32 bytes of canonical
 *   unpadded base64 (the spec says exactly one; rust takes the first — we are stricter, C2/C3);
 * - `user_id` equals the user the key was served under (C4);
 * - the public key is usable under the Ed25519 policy (not small-order, not torsioned: A1/A2).
 */
import { type Result, ok, err } from '../result.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { type JsonObject, type JsonValue, isJsonObject } from '../json/strictJson.ts';
import { checkPublicKey } from '../crypto/ed25519Policy.ts';

export type CrossSigningUsage = 'master' | 'self_signing' | 'user_signing';

declare const usageBrand: unique symbol;

/** A structurally valid cross-signing key of one usage. */
export interface CrossSigningKey<U extends CrossSigningUsage = CrossSigningUsage> {
  readonly [usageBrand]?: U;
  readonly usage: U;
  readonly userId: string;
  /** Unpadded base64 public key (canonical, so string equality is byte equality). */
  readonly publicKey: string;
  readonly bytes: Uint8Array;
  /** `ed25519:<publicKey>`: the key ID this key signs with. */
  readonly keyId: string;
  /** The object as served, for signature checks over exactly what was received. */
  readonly raw: JsonObject;
}

export type CrossSigningKeyProblem =
  | { readonly code: 'not-an-object' }
  | { readonly code: 'wrong-usage'; readonly found: string }
  | { readonly code: 'key-count'; readonly found: number }
  | { readonly code: 'key-id-mismatch'; readonly keyId: string }
  | { readonly code: 'bad-key-encoding'; readonly keyId: string }
  | { readonly code: 'weak-key'; readonly keyId: string; readonly reason: string }
  | { readonly code: 'user-id-mismatch'; readonly found: string };

/** Describes a problem in words, for finding messages. */
export function describeKeyProblem(p: CrossSigningKeyProblem): string {
  switch (p.code) {
    case 'not-an-object':
      return 'it is not a JSON object';
    case 'wrong-usage':
      return `its "usage" is ${p.found}, not exactly the one expected usage`;
    case 'key-count':
      return `it lists ${p.found} keys where exactly one is required`;
    case 'key-id-mismatch':
      return `its key ID ${p.keyId} does not name its own public key`;
    case 'bad-key-encoding':
      return `its public key ${p.keyId} is not 32 bytes of canonical unpadded base64`;
    case 'weak-key':
      return `its public key is unusable (${p.reason}); such keys can "sign" anything`;
    case 'user-id-mismatch':
      return `it belongs to ${p.found}, not to the user it was served for`;
  }
}

/** Parses one cross-signing key served under `userId` for `usage`. */
export function parseCrossSigningKey<U extends CrossSigningUsage>(
  raw: JsonValue | undefined,
  usage: U,
  userId: string,
): Result<CrossSigningKey<U>, CrossSigningKeyProblem> {
  if (!isJsonObject(raw)) return err({ code: 'not-an-object' });
  const u = raw['usage'];
  if (!Array.isArray(u) || u.length !== 1 || u[0] !== usage) return err({ code: 'wrong-usage', found: JSON.stringify(u ?? null) });
  if (raw['user_id'] !== userId) return err({ code: 'user-id-mismatch', found: String(typeof raw['user_id'] === 'string' ? raw['user_id'] : JSON.stringify(raw['user_id'] ?? null)) });
  const keys = raw['keys'];
  if (!isJsonObject(keys)) return err({ code: 'key-count', found: 0 });
  const ids = Object.keys(keys);
  if (ids.length !== 1) return err({ code: 'key-count', found: ids.length });
  const keyId = ids[0] as string;
  const value = keys[keyId];
  if (typeof value !== 'string' || keyId !== `ed25519:${value}`) return err({ code: 'key-id-mismatch', keyId });
  const bytes = decodeBase64(value, { bytes: 32 });
  if (!bytes.ok) return err({ code: 'bad-key-encoding', keyId });
  const policy = checkPublicKey(bytes.value);
  if (!policy.ok) return err({ code: 'weak-key', keyId, reason: policy.reason });
  return ok({ usage, userId, publicKey: value, bytes: bytes.value, keyId, raw });
}
