/**
 * @module strictJson — the JSON reader for everything untrusted (homeserver responses, page
 * storage, snapshot files). security.md §2.1 lists why `JSON.parse` is not enough:
 * - duplicate keys: `JSON.parse` silently keeps the last one, so what we display and what a
 *   signature covered could differ → rejected, with the path and position;
 * - `__proto__` keys can poison prototypes when merged → rejected; objects have a null prototype;
 * - numbers: 9007199254740993, `1.0`, `1e10`, `-0` all become JS numbers that canonicalise to
 *   different bytes than were signed → any literal that is not a safe integer is kept verbatim
 *   as a {@link LosslessNumber}, and canonical JSON refuses it (so a signed object holding one is
 *   "unverifiable", never "verified");
 * - lone UTF-16 surrogates (only reachable through `\uD800` escapes) make two different strings
 *   encode to the same UTF-8 → rejected.
 */
import { type Result, ok, err } from '../result.ts';

/** A number literal that is not a safe integer, kept as written. Never trusted, never signed over. */
export class LosslessNumber {
  readonly raw: string;
  constructor(raw: string) {
    this.raw = raw;
  }
  /** Best-effort numeric value, for display and non-signed fields only. */
  get value(): number {
    return Number(this.raw);
  }
  /**
   * Fail safe: a stray `JSON.stringify` keeps the literal as a *string*, so it can never turn into
   * the rounded number a lenient verifier would accept (a signature over `1` must not verify an
   * object served with `1.0`). Snapshots are written with json/writeJson.ts, which keeps it verbatim.
   */
  toJSON(): string {
    return this.raw;
  }
}

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonErrorCode = 'syntax' | 'duplicate-key' | 'forbidden-key' | 'lone-surrogate' | 'too-deep' | 'too-large';
export interface JsonError {
  readonly code: JsonErrorCode;
  /** What was wrong, in words. */
  readonly message: string;
  /** Character offset (0-based), line and column (1-based). */
  readonly position: number;
  readonly line: number;
  readonly column: number;
  /** JSON path of the containing value, e.g. `$.device_keys["@a:b"]`. */
  readonly path: string;
}

export interface ParseLimits {
  /** Maximum nesting depth (Matrix objects are shallow; deep input is an attack). */
  readonly maxDepth?: number;
  /** Maximum input length in UTF-16 code units. */
  readonly maxLength?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_LENGTH = 256 * 1024 * 1024;

class Fail {
  readonly code: JsonErrorCode;
  readonly message: string;
  readonly position: number;
  constructor(code: JsonErrorCode, message: string, position: number) {
    this.code = code;
    this.message = message;
    this.position = position;
  }
}

/** Parses untrusted JSON text. Never throws on bad input. */
export function parseStrictJson(text: string, limits: ParseLimits = {}): Result<JsonValue, JsonError> {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  const path: (string | number)[] = [];
  if (text.length > maxLength) return err(toError(new Fail('too-large', `input is ${text.length} characters, over the limit of ${maxLength}`, 0), text, path));
  let i = 0;

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };

  const value = (depth: number): JsonValue => {
    ws();
    const c = text[i];
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal('true', true);
      case 'f':
        return literal('false', false);
      case 'n':
        return literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
        throw new Fail('syntax', c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`, i);
    }
  };

  const literal = <T>(word: string, v: T): T => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return v;
    }
    throw new Fail('syntax', `unexpected token (expected ${word})`, i);
  };

  const number = (): number | LosslessNumber => {
    const start = i;
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (text[i]! >= '1' && text[i]! <= '9') while (text[i]! >= '0' && text[i]! <= '9') i++;
    else throw new Fail('syntax', 'malformed number', start);
    let integer = true;
    if (text[i] === '.') {
      integer = false;
      i++;
      if (!(text[i]! >= '0' && text[i]! <= '9')) throw new Fail('syntax', 'malformed number', start);
      while (text[i]! >= '0' && text[i]! <= '9') i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      integer = false;
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!(text[i]! >= '0' && text[i]! <= '9')) throw new Fail('syntax', 'malformed number', start);
      while (text[i]! >= '0' && text[i]! <= '9') i++;
    }
    const raw = text.slice(start, i);
    if (integer && raw !== '-0') {
      const n = Number(raw);
      if (Number.isSafeInteger(n)) return n;
    }
    return new LosslessNumber(raw);
  };

  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) throw new Fail('syntax', 'unterminated string', start);
      if (c === 0x22) {
        out += text.slice(chunk, i);
        i++;
        break;
      }
      if (c < 0x20) throw new Fail('syntax', 'control character in string', i);
      if (c === 0x5c) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Fail('syntax', 'malformed \\u escape', i);
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            throw new Fail('syntax', 'malformed escape', i);
        }
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    if (!out.isWellFormed()) throw new Fail('lone-surrogate', 'string holds an unpaired UTF-16 surrogate', start);
    return out;
  };

  const array = (depth: number): JsonValue[] => {
    if (depth > maxDepth) throw new Fail('too-deep', `nesting deeper than ${maxDepth}`, i);
    i++;
    const out: JsonValue[] = [];
    ws();
    if (text[i] === ']') {
      i++;
      return out;
    }
    for (;;) {
      path.push(out.length);
      out.push(value(depth));
      path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return out;
      }
      throw new Fail('syntax', 'expected "," or "]"', i);
    }
  };

  const object = (depth: number): JsonObject => {
    if (depth > maxDepth) throw new Fail('too-deep', `nesting deeper than ${maxDepth}`, i);
    i++;
    const out: JsonObject = Object.create(null) as JsonObject;
    ws();
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') throw new Fail('syntax', 'expected a string key', i);
      const keyAt = i;
      const key = string();
      if (key === '__proto__') throw new Fail('forbidden-key', 'key "__proto__" is not allowed', keyAt);
      if (Object.hasOwn(out, key)) throw new Fail('duplicate-key', `duplicate key ${JSON.stringify(key)}`, keyAt);
      ws();
      if (text[i] !== ':') throw new Fail('syntax', 'expected ":"', i);
      i++;
      path.push(key);
      out[key] = value(depth);
      path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      throw new Fail('syntax', 'expected "," or "}"', i);
    }
  };

  try {
    const v = value(0);
    ws();
    if (i !== text.length) throw new Fail('syntax', 'unexpected data after the JSON value', i);
    return ok(v);
  } catch (e) {
    if (e instanceof Fail) return err(toError(e, text, path));
    throw e;
  }
}

function toError(f: Fail, text: string, path: (string | number)[]): JsonError {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < f.position && k < text.length; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { code: f.code, message: f.message, position: f.position, line, column: f.position - lineStart + 1, path: formatPath(path) };
}

/** Formats a JSON path the way error messages show it: `$.a["@u:hs"][0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = '$';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return s;
}

/** One-line description: "duplicate key "k" at line 3, column 5 (in $.a)". */
export function describeJsonError(e: JsonError): string {
  return `${e.message} at line ${e.line}, column ${e.column} (in ${e.path})`;
}

/** Type guard for a JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof LosslessNumber);
}
