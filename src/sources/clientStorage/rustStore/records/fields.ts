/**
 * @module rustStore/records/fields — small typed accessors over decoded store JSON ({@link JsonB}),
 * shared by the record parsers. A record that does not have the shape the library writes is a
 * {@link RecordProblem}, never a partial guess.
 */
import { decodeBase64 } from '../../../../core/encoding/base64.ts';
import { type JsonB, type JsonBObject, isJsonBObject } from '../jsonBytes.ts';

/** Why one record could not be used (counted per store in the decoder's result). */
export type RecordProblemCode =
  /** The value did not decode (see valueCodec: wrong key, malformed, unsupported version…). */
  | 'undecodable'
  /** It decoded, but not to the shape the library writes. */
  | 'unexpected-shape'
  /** A private key whose public key could not be derived (invalid scalar). */
  | 'bad-key'
  /** The record contradicts itself or its key (a public key that is not its private key's, a room that does not hash to its key). */
  | 'inconsistent';

export interface RecordProblem {
  readonly code: RecordProblemCode;
  /** Which field or check, for diagnostics (no data from the record). */
  readonly detail: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: RecordProblem };
export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const problem = (code: RecordProblemCode, detail: string): { readonly ok: false; readonly problem: RecordProblem } => ({ ok: false, problem: { code, detail } });

export const obj = (v: JsonB | undefined): JsonBObject | undefined => (isJsonBObject(v) ? v : undefined);
export const str = (v: JsonB | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A byte array field (serde writes `[u8; N]` / `Vec<u8>` as an array of numbers). Returns a copy
 * and, with `wipeSource`, overwrites the numbers in the parsed JSON so the secret is held once.
 */
export function bytes(v: JsonB | undefined, length: number, wipeSource = false): Uint8Array | undefined {
  if (!Array.isArray(v) || v.length !== length) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      out.fill(0);
      return undefined;
    }
    out[i] = x;
  }
  if (wipeSource) v.fill(0);
  return out;
}

/** Overwrites every number array reachable from `v` (secrets in parsed JSON) with zeros. */
export function wipeNumbers(v: JsonB | undefined, depth = 0): void {
  if (depth > 16 || v === null || v === undefined) return;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) v.fill(0);
    else for (const x of v) wipeNumbers(x, depth + 1);
  } else if (isJsonBObject(v)) for (const x of Object.values(v)) wipeNumbers(x, depth + 1);
}

/**
 * The one Ed25519 public key of a cross-signing key JSON (`{user_id, usage, keys: {"ed25519:X": "X"}}`):
 * exactly one entry, its ID naming its value, 32 bytes of strict unpadded base64 (spec
 * "Cross-signing": a key has exactly one key).
 */
export function singleEd25519Key(v: JsonB | undefined): string | undefined {
  const keys = obj(obj(v)?.['keys']);
  if (!keys) return undefined;
  const entries = Object.entries(keys);
  if (entries.length !== 1) return undefined;
  const [id, key] = entries[0] as [string, JsonB];
  if (typeof key !== 'string' || id !== `ed25519:${key}` || !decodeBase64(key, { bytes: 32 }).ok) return undefined;
  return key;
}

/** A public key string of 32 bytes in strict unpadded base64, or undefined. */
export const publicKey32 = (v: JsonB | undefined): string | undefined => (typeof v === 'string' && decodeBase64(v, { bytes: 32 }).ok ? v : undefined);
