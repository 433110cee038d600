/**
 * @module popup/view/format — small pure formatters shared by the view models: key fingerprints in
 * groups (security.md §5 "UI": show fingerprints in groups, in monospace), counts in words, dates
 * without the runtime's locale (so Node tests and both browsers agree).
 */
import type { Severity } from '../../core/report/types.ts';
import { safeText } from './safeText.ts';

/** How a line of the report should look: fine, worth a look, wrong, or neutral information. */
export type Tone = 'ok' | 'warning' | 'error' | 'info';

/**
 * Splits a public key (unpadded base64, 43 characters for Ed25519/Curve25519) into groups of four,
 * the way Element shows session keys, so two keys can be compared group by group.
 * @param key the key as published (server-supplied: made safe first)
 * @returns the groups; the last may be shorter
 */
export function fingerprintGroups(key: string): string[] {
  const points = Array.from(safeText(key, 128));
  const groups: string[] = [];
  for (let i = 0; i < points.length; i += 4) groups.push(points.slice(i, i + 4).join(''));
  return groups;
}

/** "1 session" / "3 sessions". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "1 person" / "3 people". */
export const people = (n: number): string => count(n, 'person', 'people');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * An ISO time as "4 Dec 2026, 15:00 UTC" (UTC so the text is the same everywhere it is read,
 * including an exported report sent to someone in another time zone).
 * @returns the formatted time, or the input made safe when it is not a date
 */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return safeText(iso, 40);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** The tone a finding's severity is shown in. */
export function severityTone(s: Severity): Tone {
  switch (s) {
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    case 'info':
      return 'info';
  }
}

const RANK: Record<Tone, number> = { error: 3, warning: 2, info: 1, ok: 0 };

/** The worse of several tones (error > warning > info > ok); `ok` for none. */
export function worstTone(tones: Iterable<Tone>): Tone {
  let worst: Tone = 'ok';
  for (const t of tones) if (RANK[t] > RANK[worst]) worst = t;
  return worst;
}

/** Sorts worst first, keeping the given order among equals. */
export function byToneDesc<T extends { readonly tone: Tone }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => RANK[b.item.tone] - RANK[a.item.tone] || a.i - b.i)
    .map((x) => x.item);
}
