/**
 * @module protocol/validate — tiny runtime validators for messages crossing a context boundary.
 * Every message is untrusted until one of these says otherwise (security.md H4): unknown keys,
 * wrong types and oversized strings are rejected, never coerced.
 */
import { type Result, ok, err } from '../core/result.ts';

export type Check<T> = (v: unknown, path: string) => Result<T, string>;

const MAX_STRING = 64 * 1024;

export const str =
  (max = MAX_STRING): Check<string> =>
  (v, path) =>
    typeof v === 'string' && v.length <= max ? ok(v) : err(`${path} must be a string of at most ${max} characters`);

export const int: Check<number> = (v, path) => (Number.isSafeInteger(v) && (v as number) >= 0 ? ok(v as number) : err(`${path} must be a non-negative integer`));

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? ok(v) : err(`${path} must be a boolean`));

export const literal =
  <T extends string>(...values: T[]): Check<T> =>
  (v, path) =>
    typeof v === 'string' && (values as string[]).includes(v) ? ok(v as T) : err(`${path} must be one of ${values.join(', ')}`);

export const bytes =
  (max: number): Check<Uint8Array> =>
  (v, path) =>
    v instanceof Uint8Array && v.length <= max ? ok(v) : ArrayBuffer.isView(v) && (v as Uint8Array).length <= max && (v as Uint8Array).BYTES_PER_ELEMENT === 1
      ? ok(new Uint8Array(v as Uint8Array)) // a page-realm or foreign-realm Uint8Array (Firefox Xray): copy into ours
      : err(`${path} must be at most ${max} bytes`);

export const optional =
  <T>(c: Check<T>): Check<T | undefined> =>
  (v, path) =>
    v === undefined ? ok(undefined) : c(v, path);

/** An object with exactly these fields (optional ones may be absent); any other key is an error. */
export function object<S extends Record<string, Check<unknown>>>(shape: S): Check<{ [K in keyof S]: S[K] extends Check<infer T> ? T : never }> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return err(`${path} must be an object`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) if (!(k in shape)) return err(`${path}.${k} is not expected`);
    for (const [k, c] of Object.entries(shape)) {
      const r = c((v as Record<string, unknown>)[k], `${path}.${k}`);
      if (!r.ok) return r;
      if (r.value !== undefined) out[k] = r.value;
    }
    return ok(out as { [K in keyof S]: S[K] extends Check<infer T> ? T : never });
  };
}
