/**
 * @module result — the one shape every expected failure takes across a boundary.
 * Audit outcomes are Findings, misuse is a thrown TypeError; everything in between is a Result.
 */

/** Success or a typed failure; never thrown. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

/** Exhaustiveness guard for `switch` over string unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new TypeError(`unexpected ${what}: ${String(x)}`);
}
