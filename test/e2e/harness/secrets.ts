/**
 * @module e2e/harness/secrets — looks for any trace of a secret in text the extension kept or
 * logged (security.md F9: "no recovery-key bytes, base58 groups, or derived private keys").
 *
 * What counts as a trace of a recovery key: the key as typed, the key without whitespace, any two
 * consecutive 4-character groups (joined or spaced: 8 base58 characters never turn up by chance),
 * any single group standing alone (not inside a longer run of letters, digits, `+` or `/`: a
 * 4-character group occurs by chance inside the kilobytes of base64 signatures a snapshot holds,
 * about once in 25 runs, while a leaked group, in a message or a list, stands apart), and the 32
 * key bytes in hex or base64. A passphrase: the whole of it, or any 20 characters of it in a row.
 * A private key: its base64 (padded or not) or hex.
 */
import { decodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/index.js';

export interface Haystack {
  readonly where: string;
  readonly text: string;
}

export interface Needle {
  /** What it is, for the failure message ("alice's recovery key, groups 3–4"). Never the secret itself. */
  readonly label: string;
  readonly test: (text: string) => boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const b64Forms = (b: Uint8Array) => {
  const padded = b64(b);
  const unpadded = padded.replace(/=+$/, '');
  return [padded, unpadded, unpadded.replace(/\+/g, '-').replace(/\//g, '_')];
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const contains = (label: string, needle: string): Needle => ({ label, test: (t) => t.includes(needle) });

/** Every trace of a recovery key (typed form `key`, e.g. "EsTc LW2K …"). */
export function recoveryKeyNeedles(name: string, key: string): Needle[] {
  const groups = key.trim().split(/\s+/);
  if (groups.length !== 12 || groups.some((g) => g.length !== 4)) throw new Error(`${name}: expected 12 groups of 4 characters`);
  const out: Needle[] = [contains(`${name} (as typed)`, key.trim()), contains(`${name} (without spaces)`, groups.join(''))];
  for (let i = 0; i + 1 < groups.length; i++) {
    const [a, b] = [groups[i] as string, groups[i + 1] as string];
    out.push({ label: `${name}, groups ${i + 1}–${i + 2}`, test: (t) => t.includes(a + b) || new RegExp(`${escape(a)}\\s+${escape(b)}`).test(t) });
  }
  groups.forEach((g, i) => {
    const alone = new RegExp(`(?<![A-Za-z0-9+/])${escape(g)}(?![A-Za-z0-9+/])`);
    out.push({ label: `${name}, group ${i + 1} standing alone`, test: (t) => alone.test(t) });
  });
  const bytes = decodeRecoveryKey(key);
  out.push(contains(`${name}'s key bytes (hex)`, hex(bytes)));
  for (const f of b64Forms(bytes)) out.push(contains(`${name}'s key bytes (base64)`, f));
  return out;
}

/** Every trace of a passphrase: the whole, or any 20 characters of it in a row. */
export function passphraseNeedles(name: string, passphrase: string): Needle[] {
  const out: Needle[] = [contains(name, passphrase)];
  for (let i = 0; i + 20 <= passphrase.length; i++) out.push(contains(`${name}, characters ${i + 1}–${i + 20}`, passphrase.slice(i, i + 20)));
  return out;
}

/** Every trace of a private key given as (unpadded or padded) base64. */
export function privateKeyNeedles(name: string, base64: string): Needle[] {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  return [...b64Forms(bytes).map((f) => contains(`${name} (base64)`, f)), contains(`${name} (hex)`, hex(bytes))];
}

/** Which needles occur where: "label in where", one line each (never the matching text). */
export function traces(haystacks: readonly Haystack[], needles: readonly Needle[]): string[] {
  const found: string[] = [];
  for (const h of haystacks) for (const n of needles) if (n.test(h.text)) found.push(`${n.label} in ${h.where}`);
  return found;
}
