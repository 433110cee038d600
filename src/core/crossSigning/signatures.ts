/**
 * @module signatures — finding one signature in a signed Matrix object (spec appendix "Checking
 * for a Signature"): exactly `signatures[signerUserId][keyId]`, nothing else. A signature filed
 * under another user or key ID is not the signature we are looking for (security.md A10, C7).
 */
import { decodeBase64 } from '../encoding/base64.ts';
import { type JsonObject, isJsonObject } from '../json/strictJson.ts';

export type SignatureLookup =
  | { readonly state: 'missing' }
  | { readonly state: 'malformed'; readonly why: string }
  | { readonly state: 'present'; readonly bytes: Uint8Array };

/** Looks up `signatures[signer][keyId]` of a signed object and decodes it strictly. */
export function findSignature(obj: JsonObject, signer: string, keyId: string): SignatureLookup {
  const sigs = obj['signatures'];
  if (sigs === undefined) return { state: 'missing' };
  if (!isJsonObject(sigs)) return { state: 'malformed', why: '"signatures" is not an object' };
  const bySigner = sigs[signer];
  if (bySigner === undefined) return { state: 'missing' };
  if (!isJsonObject(bySigner)) return { state: 'malformed', why: `"signatures[${signer}]" is not an object` };
  const raw = bySigner[keyId];
  if (raw === undefined) return { state: 'missing' };
  const decoded = decodeBase64(raw, { bytes: 64 });
  if (!decoded.ok) return { state: 'malformed', why: `signature ${keyId} is not 64 bytes of unpadded base64` };
  return { state: 'present', bytes: decoded.value };
}

/** Every `ed25519:` key ID a user signed the object with (for spotting stale-key signatures). */
export function signerKeyIds(obj: JsonObject, signer: string): string[] {
  const sigs = obj['signatures'];
  if (!isJsonObject(sigs)) return [];
  const bySigner = sigs[signer];
  if (!isJsonObject(bySigner)) return [];
  return Object.keys(bySigner).filter((k) => k.startsWith('ed25519:'));
}
