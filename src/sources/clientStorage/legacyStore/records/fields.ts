/**
 * @module legacyStore/records/fields — small typed accessors over the plain JSON copied out of the
 * legacy store (page data: own properties only, nothing trusted).
 */
import { decodeBase64 } from '../../../../core/encoding/base64.ts';

export type Obj = Readonly<Record<string, unknown>>;

export const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
/** An own property (never one reached through the prototype, whatever the page named its keys). */
export const get = (o: Obj | undefined, k: string): unknown => (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);
export const str = (v: unknown, max = 4_096): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/** A public key string of 32 bytes in strict unpadded base64, or undefined. */
export const publicKey32 = (v: unknown): string | undefined => (typeof v === 'string' && decodeBase64(v, { bytes: 32 }).ok ? v : undefined);

/**
 * The one Ed25519 public key of a cross-signing key JSON (`{user_id, usage, keys: {"ed25519:X": "X"}}`):
 * exactly one entry, its ID naming its value, 32 bytes of strict unpadded base64 (spec
 * "Cross-signing": a key has exactly one key).
 */
export function singleEd25519Key(v: unknown): string | undefined {
  const keys = obj(get(obj(v), 'keys'));
  if (!keys) return undefined;
  const entries = Object.entries(keys);
  if (entries.length !== 1) return undefined;
  const [id, key] = entries[0] as [string, unknown];
  return publicKey32(key) !== undefined && id === `ed25519:${key as string}` ? (key as string) : undefined;
}
