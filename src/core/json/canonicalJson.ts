/**
 * @module canonicalJson — Matrix canonical JSON (spec appendix "Canonical JSON", matrix-crypto.md §1.2).
 *
 * Keys are sorted by Unicode code point (JS `sort()` compares UTF-16 code units, which differs
 * when keys mix astral characters with U+E000–U+FFFF), strings are written by `JSON.stringify`
 * (raw non-ASCII, lowercase `\u00xx` for control characters), numbers must be safe integers.
 * Anything outside the spec's domain is refused rather than guessed: a signature over it can only
 * be "unverifiable".
 */
import { type Result, ok, err } from '../result.ts';
import { type JsonValue, type JsonObject, LosslessNumber, formatPath } from './strictJson.ts';

export interface CanonicalError {
  readonly code: 'non-integer-number' | 'lone-surrogate' | 'unsupported-value';
  readonly path: string;
}

/** Compares two strings by Unicode code point. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Both below the surrogate range, or both in it: code-unit order equals code-point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // One is a surrogate (astral, ≥ U+10000), the other a BMP unit: the astral one is larger.
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

class Refusal {
  readonly code: CanonicalError['code'];
  readonly path: (string | number)[];
  constructor(code: CanonicalError['code'], path: (string | number)[]) {
    this.code = code;
    this.path = path;
  }
}

/** Canonical JSON text of a value. */
export function canonicalJson(value: JsonValue): Result<string, CanonicalError> {
  const path: (string | number)[] = [];
  const write = (v: JsonValue): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isSafeInteger(v)) throw new Refusal('non-integer-number', [...path]);
        return Object.is(v, -0) ? '0' : String(v);
      case 'string':
        if (!v.isWellFormed()) throw new Refusal('lone-surrogate', [...path]);
        return JSON.stringify(v);
      case 'object':
        if (v instanceof LosslessNumber) throw new Refusal('non-integer-number', [...path]);
        if (Array.isArray(v)) {
          const parts: string[] = [];
          for (let i = 0; i < v.length; i++) {
            path.push(i);
            parts.push(write(v[i] as JsonValue));
            path.pop();
          }
          return `[${parts.join(',')}]`;
        }
        return writeObject(v, Object.keys(v));
      default:
        throw new Refusal('unsupported-value', [...path]);
    }
  };
  const writeObject = (o: JsonObject, keys: string[]): string => {
    keys.sort(compareCodePoints);
    const parts: string[] = [];
    for (const k of keys) {
      if (!k.isWellFormed()) throw new Refusal('lone-surrogate', [...path, k]);
      path.push(k);
      parts.push(`${JSON.stringify(k)}:${write(o[k] as JsonValue)}`);
      path.pop();
    }
    return `{${parts.join(',')}}`;
  };
  try {
    return ok(write(value));
  } catch (e) {
    if (e instanceof Refusal) return err({ code: e.code, path: formatPath(e.path) });
    throw e;
  }
}

/**
 * The bytes a Matrix signature covers: the object without its top-level `signatures` and
 * `unsigned` (nested ones stay, spec appendix "Signing JSON"), canonicalised, as UTF-8.
 * Works on a shallow view; the caller's object is never modified.
 */
export function signingInput(obj: JsonObject): Result<string, CanonicalError> {
  const view: JsonObject = Object.create(null) as JsonObject;
  for (const k of Object.keys(obj)) if (k !== 'signatures' && k !== 'unsigned') view[k] = obj[k] as JsonValue;
  return canonicalJson(view);
}
