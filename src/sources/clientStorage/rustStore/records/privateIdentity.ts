/**
 * @module rustStore/records/privateIdentity — which private cross-signing keys this browser
 * caches, as public keys derived from them (client-storage.md §3.6; matrix-sdk-crypto
 * `olm/signing/mod.rs` PickledCrossSigningIdentity, `pk_signing.rs` PickledSigning).
 *
 * `keys.{master_key, self_signing_key, user_signing_key}` is each `null` (not cached) or
 * `{pickle: <32-byte Ed25519 seed>, public_key: <the cross-signing key JSON>}`. The public key is
 * derived from the seed (security.md G7: a cached private key is what the client will sign with;
 * the `public_key` beside it is only a claim) and the seed is wiped at once. When the stored
 * claim disagrees with the derived key, the slot is reported `inconsistent` and left unknown —
 * a store that contradicts itself vouches for nothing.
 */
import { ed25519PublicKeyFromSeed } from '../../../../core/crypto/ed25519Policy.ts';
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import { wipe } from '../../../../core/bytes.ts';
import type { JsonB } from '../jsonBytes.ts';
import { type Parsed, type RecordProblem, bytes, obj, parsed, problem, singleEd25519Key, str, wipeNumbers } from './fields.ts';

/** Per slot: the derived public key, `null` (not cached), or `undefined` (unreadable: see problems). */
export interface CachedCrossSigningKeys {
  readonly userId: string;
  readonly master: string | null | undefined;
  readonly selfSigning: string | null | undefined;
  readonly userSigning: string | null | undefined;
  /** Slots that could not be read, and why. */
  readonly problems: readonly RecordProblem[];
}

const SLOTS = [
  ['master', 'master_key'],
  ['selfSigning', 'self_signing_key'],
  ['userSigning', 'user_signing_key'],
] as const;

/** Reads a decrypted `core/private_identity` value; wipes every seed in `json`. */
export function parsePrivateIdentity(json: JsonB): Parsed<CachedCrossSigningKeys> {
  const root = obj(json);
  const keys = obj(root?.['keys']);
  try {
    const userId = str(root?.['user_id']);
    if (!root || !keys || !userId) return problem('unexpected-shape', 'private_identity');
    const out: Record<string, string | null | undefined> = {};
    const problems: RecordProblem[] = [];
    for (const [name, field] of SLOTS) {
      const slot = keys[field];
      if (slot === null || slot === undefined) {
        out[name] = null;
        continue;
      }
      const s = obj(slot);
      const seed = bytes(s?.['pickle'], 32, true);
      if (!s || !seed) {
        out[name] = undefined;
        problems.push({ code: 'unexpected-shape', detail: `private_identity.${field}` });
        continue;
      }
      const derived = encodeBase64(ed25519PublicKeyFromSeed(seed));
      wipe(seed);
      const claimed = singleEd25519Key(s['public_key']);
      if (claimed !== undefined && claimed !== derived) {
        out[name] = undefined;
        problems.push({ code: 'inconsistent', detail: `private_identity.${field}.public_key` });
        continue;
      }
      out[name] = derived;
    }
    return parsed({ userId, master: out['master'], selfSigning: out['selfSigning'], userSigning: out['userSigning'], problems });
  } finally {
    wipeNumbers(keys);
  }
}
