/**
 * @module base64 — the one strict base64 codec (spec appendix "Unpadded Base64").
 *
 * Matrix writes unpadded standard base64. Keys and signatures are decoded strictly: no padding,
 * no characters outside the alphabet, and no non-zero trailing bits (vodozemac rejects those
 * too, matrix-crypto.md §1.1). Secret storage fields may be padded (some clients wrote `=`), so
 * `decodeBase64` takes `{ padding: 'allow' }` for them; trailing bits stay strict everywhere, so a
 * value has exactly one accepted spelling per padding style and byte comparison equals string
 * comparison of the canonical form.
 */
import { type Result, ok, err } from '../result.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export type Base64Error =
  | { code: 'not-a-string' }
  | { code: 'bad-character'; position: number; character: string }
  | { code: 'bad-length'; length: number }
  | { code: 'bad-padding' }
  | { code: 'non-canonical' }
  | { code: 'wrong-size'; expected: number; actual: number };

export interface DecodeOptions {
  /** 'forbid' (default): unpadded only. 'allow': also accept correct `=` padding. */
  readonly padding?: 'forbid' | 'allow';
  /** When set, the decoded length must be exactly this many bytes. */
  readonly bytes?: number;
}

/** Decodes base64 strictly; never throws, never accepts two spellings of one value. */
export function decodeBase64(input: unknown, opts: DecodeOptions = {}): Result<Uint8Array, Base64Error> {
  if (typeof input !== 'string') return err({ code: 'not-a-string' });
  let s = input;
  if (opts.padding === 'allow' && s.endsWith('=')) {
    if (s.length % 4 !== 0) return err({ code: 'bad-padding' });
    s = s.endsWith('==') ? s.slice(0, -2) : s.slice(0, -1);
    if (s.endsWith('=') || s.length % 4 === 0) return err({ code: 'bad-padding' });
  }
  const rem = s.length % 4;
  if (rem === 1) return err({ code: 'bad-length', length: input.length });
  const outLen = Math.floor((s.length * 3) / 4);
  if (opts.bytes !== undefined && outLen !== opts.bytes) {
    // Report alphabet errors first: they say more than a length does.
    const bad = firstBadCharacter(s);
    if (bad) return err(bad);
    return err({ code: 'wrong-size', expected: opts.bytes, actual: outLen });
  }
  const out = new Uint8Array(outLen);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (LOOKUP[c] as number) : -1;
    if (v < 0) return err({ code: 'bad-character', position: i, character: s[i] as string });
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits (2 or 4) must be zero, or two strings would decode to the same bytes.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return err({ code: 'non-canonical' });
  return ok(out);
}

function firstBadCharacter(s: string): Base64Error | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (LOOKUP[c] as number) < 0) return { code: 'bad-character', position: i, character: s[i] as string };
  }
  return undefined;
}

/** Encodes as unpadded standard base64, the form Matrix writes. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (left === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** One-line human description of a decoding error, for findings and CLI messages. */
export function describeBase64Error(e: Base64Error): string {
  switch (e.code) {
    case 'not-a-string':
      return 'is not a string';
    case 'bad-character':
      return `has a character that is not base64 (${JSON.stringify(e.character)} at position ${e.position + 1})`;
    case 'bad-length':
      return `has an impossible base64 length (${e.length} characters)`;
    case 'bad-padding':
      return 'has malformed "=" padding';
    case 'non-canonical':
      return 'is not canonical base64 (non-zero trailing bits)';
    case 'wrong-size':
      return `decodes to ${e.actual} bytes where ${e.expected} are expected`;
  }
}
