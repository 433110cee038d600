/**
 * @module platform/webCryptoEd25519 — the Ed25519 verification equation through WebCrypto
 * (Node ≥ 20, Chrome ≥ 137, Firefox ≥ 129), several times faster than JavaScript. Core applies
 * the strict policy (key, S, R checks) first and uses this only for the equation; see
 * core/crypto/ed25519Policy.ts. Returns undefined where the platform lacks Ed25519, so callers
 * fall back to the noble path.
 */
import type { Ed25519Equation } from '../core/crypto/ed25519Policy.ts';

export async function webCryptoEd25519(): Promise<Ed25519Equation | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const keys = new Map<string, Promise<CryptoKey>>();
  const importKey = (pub: Uint8Array): Promise<CryptoKey> => {
    const id = String.fromCharCode(...pub);
    let k = keys.get(id);
    if (!k) {
      if (keys.size > 50_000) keys.clear();
      k = subtle.importKey('raw', pub as BufferSource, { name: 'Ed25519' }, false, ['verify']);
      keys.set(id, k);
    }
    return k;
  };
  // Probe once: a platform without Ed25519 rejects the import.
  try {
    // The Ed25519 base point's encoding: a valid key everywhere, so a rejection means "unsupported".
    const probe = new Uint8Array(32).fill(0x66);
    probe[0] = 0x58;
    await subtle.importKey('raw', probe as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return undefined;
  }
  return async (publicKey, message, signature) => subtle.verify({ name: 'Ed25519' }, await importKey(publicKey), signature as BufferSource, message as BufferSource);
}
