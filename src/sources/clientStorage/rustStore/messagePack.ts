/**
 * @module rustStore/messagePack — a strict MessagePack decoder for the one MessagePack value the
 * rust crypto store writes: the `store_cipher` export in its meta database (client-storage.md
 * §3.3; matrix-sdk-store-encryption `rmp_serde::to_vec_named` of `EncryptedStoreCipher`).
 *
 * Only the types that export uses are accepted: maps with string keys (named struct fields and
 * externally tagged enums), strings (enum variant names), arrays (byte arrays: rmp_serde writes
 * `[u8; N]` / `Vec<u8>` as arrays of integers) and unsigned integers up to 32 bits (bytes, the
 * PBKDF2 round count). `bin` is accepted too and returned as bytes, because a later rmp_serde
 * could reasonably switch byte fields to it. Everything else (nil, booleans, floats, negative
 * integers, 64-bit integers, extension types), trailing bytes, duplicate keys and nesting deeper
 * than a few levels are refused: the input comes from the page, and a reading we are not sure of
 * is worse than none. Small on purpose instead of a dependency: this is ~100 lines over the
 * spec's format table, and the content of the export is fixed by the Rust types.
 */
import { type Result, ok, err } from '../../../core/result.ts';

/** A decoded MessagePack value, restricted to what the store-cipher export contains. */
export type MsgValue = number | string | Uint8Array | MsgValue[] | MsgMap;
export interface MsgMap {
  readonly [key: string]: MsgValue;
}

export interface MsgPackError {
  readonly code: 'truncated' | 'unsupported-type' | 'trailing-bytes' | 'duplicate-key' | 'non-string-key' | 'too-deep' | 'bad-utf8';
  /** Byte offset where decoding stopped. */
  readonly offset: number;
  /** The type byte, for `unsupported-type`. */
  readonly typeByte?: number;
}

/** Deepest nesting the export needs is 4 (map → map → map → array); allow some slack. */
const MAX_DEPTH = 8;
/** The export is a few hundred bytes; anything far larger is not one. */
const MAX_INPUT = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Failure {
  readonly error: MsgPackError;
  constructor(error: MsgPackError) {
    this.error = error;
  }
}

/**
 * Decodes exactly one MessagePack value that fills all of `bytes`.
 * @returns the value, or where and why decoding failed (never throws for bad input)
 */
export function decodeMessagePack(bytes: Uint8Array): Result<MsgValue, MsgPackError> {
  if (bytes.length > MAX_INPUT) return err({ code: 'unsupported-type', offset: 0 });
  let at = 0;
  const fail = (code: MsgPackError['code'], typeByte?: number): never => {
    throw new Failure({ code, offset: at, ...(typeByte !== undefined ? { typeByte } : {}) });
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) fail('truncated');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const uint = (n: 1 | 2 | 4): number => {
    const b = take(n);
    let v = 0;
    for (const x of b) v = v * 256 + x;
    return v;
  };
  const str = (n: number): string => {
    try {
      return utf8.decode(take(n));
    } catch {
      return fail('bad-utf8');
    }
  };

  const value = (depth: number): MsgValue => {
    if (depth > MAX_DEPTH) fail('too-deep');
    const t = take(1)[0] as number;
    if (t <= 0x7f) return t; // positive fixint
    if (t >= 0x80 && t <= 0x8f) return map(t & 0x0f, depth);
    if (t >= 0x90 && t <= 0x9f) return array(t & 0x0f, depth);
    if (t >= 0xa0 && t <= 0xbf) return str(t & 0x1f);
    switch (t) {
      case 0xcc:
        return uint(1);
      case 0xcd:
        return uint(2);
      case 0xce:
        return uint(4);
      case 0xd9:
        return str(uint(1));
      case 0xda:
        return str(uint(2));
      case 0xdb:
        return str(uint(4));
      case 0xc4:
        return take(uint(1)).slice();
      case 0xc5:
        return take(uint(2)).slice();
      case 0xc6:
        return take(uint(4)).slice();
      case 0xdc:
        return array(uint(2), depth);
      case 0xdd:
        return array(uint(4), depth);
      case 0xde:
        return map(uint(2), depth);
      case 0xdf:
        return map(uint(4), depth);
      default:
        return fail('unsupported-type', t);
    }
  };
  const array = (n: number, depth: number): MsgValue[] => {
    // Each element takes at least one byte: a count larger than what is left is a lie.
    if (n > bytes.length - at) fail('truncated');
    const out: MsgValue[] = [];
    for (let i = 0; i < n; i++) out.push(value(depth + 1));
    return out;
  };
  const map = (n: number, depth: number): MsgMap => {
    if (2 * n > bytes.length - at) fail('truncated');
    const out: Record<string, MsgValue> = Object.create(null);
    for (let i = 0; i < n; i++) {
      const keyAt = at;
      const k = value(depth + 1);
      if (typeof k !== 'string') {
        at = keyAt;
        fail('non-string-key');
      }
      const key = k as string;
      if (Object.prototype.hasOwnProperty.call(out, key)) fail('duplicate-key');
      out[key] = value(depth + 1);
    }
    return out;
  };

  try {
    const v = value(0);
    if (at !== bytes.length) return err({ code: 'trailing-bytes', offset: at });
    return ok(v);
  } catch (e) {
    if (e instanceof Failure) return err(e.error);
    throw e;
  }
}
