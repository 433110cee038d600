/**
 * @module rustStore/jsonBytes — strict JSON (RFC 8259) parsed straight from UTF-8 bytes.
 *
 * Every value in the rust crypto store is serde_json text (client-storage.md §3.5), and several
 * hold private keys as arrays of byte values (`[99,54,111,…]`). Parsing the decrypted bytes here,
 * instead of decoding them to a JS string first, means the digits of a private key never exist as
 * an immutable string that no one can wipe: the caller wipes the decrypted bytes and fills the
 * number arrays it took keys from with zeros (client-storage.md §3.9; brief: "wipe them").
 *
 * Strict: one value and only whitespace around it, no duplicate keys, no control characters or
 * lone surrogates in strings, no leading zeros, bounded depth. Objects have no prototype, so a
 * key such as `__proto__` is plain data. Integers outside ±2^53 (serde writes u64 counters) are
 * kept as {@link BigIntText} rather than rounded, and numbers with a fraction or exponent as
 * {@link NumberText}; nothing Crosscheck reads as a number is either.
 */
import { type Result, ok, err } from '../../../core/result.ts';

/** An integer too large for a JS number, kept as its decimal text. */
export class BigIntText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * A number written with a fraction or an exponent (`1.0`, `1e2`), kept as its text. Signed
 * objects copied out of the store (device keys, cross-signing keys) must reach the signature
 * check exactly as they were written: turning `1.0` into `1` would let a lenient signature verify
 * (matrix-crypto.md, canonical JSON; the same rule as core/json LosslessNumber).
 */
export class NumberText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type JsonB = null | boolean | number | BigIntText | NumberText | string | JsonB[] | JsonBObject;
export interface JsonBObject {
  [key: string]: JsonB;
}

export interface JsonBytesError {
  readonly code: 'syntax' | 'duplicate-key' | 'bad-string' | 'too-deep';
  readonly offset: number;
}

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Failure {
  readonly error: JsonBytesError;
  constructor(error: JsonBytesError) {
    this.error = error;
  }
}

/** True for a plain object produced by {@link parseJsonBytes}. */
export function isJsonBObject(v: unknown): v is JsonBObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof BigIntText);
}

/**
 * Parses UTF-8 JSON bytes.
 * @returns the value, or the first offset where the bytes are not strict JSON
 */
export function parseJsonBytes(b: Uint8Array): Result<JsonB, JsonBytesError> {
  let at = 0;
  const fail = (code: JsonBytesError['code']): never => {
    throw new Failure({ code, offset: at });
  };
  const ws = () => {
    while (at < b.length) {
      const c = b[at] as number;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else break;
    }
  };
  const expect = (word: string) => {
    for (let i = 0; i < word.length; i++) if (b[at + i] !== word.charCodeAt(i)) fail('syntax');
    at += word.length;
  };

  const string = (): string => {
    // at is on the opening quote
    at++;
    const start = at;
    let simple = true;
    while (true) {
      if (at >= b.length) fail('bad-string');
      const c = b[at] as number;
      if (c === 0x22) break;
      if (c < 0x20) fail('bad-string');
      if (c === 0x5c) {
        simple = false;
        at += 2;
        continue;
      }
      at++;
    }
    const end = at;
    at++; // closing quote
    if (simple) {
      try {
        return utf8.decode(b.subarray(start, end));
      } catch {
        at = start;
        return fail('bad-string');
      }
    }
    // With escapes: decode runs of plain bytes, translate escapes.
    let out = '';
    let i = start;
    let run = start;
    const flush = (to: number) => {
      if (to > run) {
        try {
          out += utf8.decode(b.subarray(run, to));
        } catch {
          at = run;
          fail('bad-string');
        }
      }
    };
    while (i < end) {
      if (b[i] !== 0x5c) {
        i++;
        continue;
      }
      flush(i);
      const e = b[i + 1];
      let units = 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = (k: number): number => {
            if (k + 4 > end) {
              at = k;
              fail('bad-string');
            }
            let v = 0;
            for (let j = 0; j < 4; j++) {
              const h = b[k + j] as number;
              const d = h >= 0x30 && h <= 0x39 ? h - 0x30 : h >= 0x41 && h <= 0x46 ? h - 0x37 : h >= 0x61 && h <= 0x66 ? h - 0x57 : -1;
              if (d < 0) {
                at = k + j;
                fail('bad-string');
              }
              v = v * 16 + d;
            }
            return v;
          };
          const u = hex(i + 2);
          units = 6;
          if (u >= 0xd800 && u <= 0xdbff) {
            if (b[i + 6] !== 0x5c || b[i + 7] !== 0x75) {
              at = i;
              fail('bad-string');
            }
            const lo = hex(i + 8);
            if (lo < 0xdc00 || lo > 0xdfff) {
              at = i;
              fail('bad-string');
            }
            out += String.fromCharCode(u, lo);
            units = 12;
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            at = i;
            fail('bad-string');
          } else out += String.fromCharCode(u);
          break;
        }
        default:
          at = i;
          fail('bad-string');
      }
      i += units;
      run = i;
    }
    flush(end);
    return out;
  };

  const number = (): number | BigIntText | NumberText => {
    const start = at;
    if (b[at] === 0x2d) at++;
    if (b[at] === 0x30) at++;
    else if ((b[at] as number) >= 0x31 && (b[at] as number) <= 0x39) while ((b[at] as number) >= 0x30 && (b[at] as number) <= 0x39) at++;
    else fail('syntax');
    let integer = true;
    if (b[at] === 0x2e) {
      integer = false;
      at++;
      if (!((b[at] as number) >= 0x30 && (b[at] as number) <= 0x39)) fail('syntax');
      while ((b[at] as number) >= 0x30 && (b[at] as number) <= 0x39) at++;
    }
    if (b[at] === 0x65 || b[at] === 0x45) {
      integer = false;
      at++;
      if (b[at] === 0x2b || b[at] === 0x2d) at++;
      if (!((b[at] as number) >= 0x30 && (b[at] as number) <= 0x39)) fail('syntax');
      while ((b[at] as number) >= 0x30 && (b[at] as number) <= 0x39) at++;
    }
    // Plain integers (the common case: byte values) are computed without building a string.
    if (integer && at - start <= 15) {
      let v = 0;
      let i = start;
      const neg = b[i] === 0x2d;
      if (neg) i++;
      for (; i < at; i++) v = v * 10 + ((b[i] as number) - 0x30);
      return neg ? -v : v;
    }
    const text = String.fromCharCode(...b.subarray(start, at));
    const n = Number(text);
    if (!Number.isFinite(n)) fail('syntax');
    if (!integer) return new NumberText(text);
    if (!Number.isSafeInteger(n)) return new BigIntText(text);
    return n;
  };

  const value = (depth: number): JsonB => {
    if (depth > MAX_DEPTH) fail('too-deep');
    ws();
    const c = b[at];
    switch (c) {
      case 0x7b: {
        at++;
        const obj: JsonBObject = Object.create(null);
        ws();
        if (b[at] === 0x7d) {
          at++;
          return obj;
        }
        while (true) {
          ws();
          if (b[at] !== 0x22) fail('syntax');
          const keyAt = at;
          const key = string();
          if (Object.prototype.hasOwnProperty.call(obj, key)) {
            at = keyAt;
            fail('duplicate-key');
          }
          ws();
          if (b[at] !== 0x3a) fail('syntax');
          at++;
          obj[key] = value(depth + 1);
          ws();
          if (b[at] === 0x2c) {
            at++;
            continue;
          }
          if (b[at] === 0x7d) {
            at++;
            return obj;
          }
          fail('syntax');
        }
      }
      case 0x5b: {
        at++;
        const arr: JsonB[] = [];
        ws();
        if (b[at] === 0x5d) {
          at++;
          return arr;
        }
        while (true) {
          arr.push(value(depth + 1));
          ws();
          if (b[at] === 0x2c) {
            at++;
            continue;
          }
          if (b[at] === 0x5d) {
            at++;
            return arr;
          }
          fail('syntax');
        }
      }
      case 0x22:
        return string();
      case 0x74:
        expect('true');
        return true;
      case 0x66:
        expect('false');
        return false;
      case 0x6e:
        expect('null');
        return null;
      default:
        return number();
    }
  };

  try {
    const v = value(0);
    ws();
    if (at !== b.length) fail('syntax');
    return ok(v);
  } catch (e) {
    if (e instanceof Failure) return err(e.error);
    throw e;
  }
}
