/**
 * @module popup/view/safeText — the one helper every server-supplied string goes through before
 * it is shown (security.md §3 "Popup UI", §5 "UI", H6). Preact already renders strings as text
 * (never HTML); this removes what text rendering alone does not: control characters, and the
 * bidi embedding/override/isolate and invisible formatting characters that can make
 * `@evil:example.org` look like `@alice:example.org` or reorder a sentence.
 */

/**
 * C0/C1 controls, line/paragraph separators, the bidi marks, embeddings, overrides and isolates
 * (U+200E/F, U+061C, U+202A–E, U+2066–9), zero-width space, word joiner and the invisible
 * operators (U+2060–4), the BOM, and the interlinear annotation controls (U+FFF9–B).
 * Kept on purpose: U+200C/U+200D (ZWNJ/ZWJ), which Persian, Indic scripts and emoji sequences
 * need and which cannot reorder text.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** Longest string (in code points) shown for one server-supplied value. */
export const MAX_SHOWN = 200;

/**
 * Makes a server-supplied string safe to show: every unsafe character becomes U+FFFD (visible, so
 * a hidden character is flagged rather than silently dropped — the same choice as the CLI), and
 * the result is cut to `max` code points with an ellipsis.
 * @param s the untrusted string (display name, user ID, device ID, key ID)
 * @param max the most code points to keep
 * @returns text that cannot reorder or hide what is around it
 */
export function safeText(s: string, max = MAX_SHOWN): string {
  const cleaned = String(s).replace(UNSAFE, '\uFFFD');
  const points = Array.from(cleaned);
  return points.length > max ? `${points.slice(0, max).join('')}…` : cleaned;
}

/** True when `s` holds a character {@link safeText} would replace. */
export function hasUnsafeCharacters(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const hit = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return hit;
}
