/**
 * @module recoveryKey — the recovery-key text format (spec appendices "Cryptographic key
 * representation"; matrix-crypto.md §4): base58 (Bitcoin alphabet) of `0x8B 0x01 ‖ key(32) ‖ parity`,
 * where parity makes the XOR of all 35 bytes zero, shown in groups of four characters.
 *
 * Decoding strips every Unicode whitespace character, as rust-sdk does with `char::is_whitespace`
 * (js-sdk strips only ASCII spaces, so a pasted newline breaks it; matrix-crypto.md §9.4). Errors
 * name the first offending character and where it is, never the text: a character outside the
 * alphabet cannot be part of any valid key, so showing it leaks nothing.
 * The checks run in rust-sdk's order: alphabet, length, prefix, parity.
 */
import bs58 from 'bs58';
import { type Result, ok, err } from '../result.ts';
import { wipe } from '../bytes.ts';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const PREFIX = [0x8b, 0x01] as const;
const DECODED_LENGTH = 35;
/** Every valid key is 48 base58 characters (§4); anything far longer is refused before the
 * quadratic base58 decoder sees it. */
const MAX_CHARACTERS = 96;
/** Unicode White_Space, the property Rust's `char::is_whitespace` tests (JS `\s` differs: it
 * lacks U+0085 and adds U+FEFF). */
const WHITESPACE = /^\p{White_Space}$/u;

export type RecoveryKeyErrorCode = 'bad-character' | 'bad-length' | 'bad-prefix' | 'bad-parity' | 'empty';

export interface RecoveryKeyError {
  readonly code: RecoveryKeyErrorCode;
  /** For `bad-character`: 1-based position, counted in characters (code points) of the text as typed, whitespace included. */
  readonly position?: number;
  /** For `bad-character`: the one character that is not base58 (never part of a valid key). */
  readonly character?: string;
  /** For `bad-length`: the decoded length in bytes (35 expected); absent when the text is too long to decode. */
  readonly length?: number;
}

/**
 * Decodes a recovery key as typed or pasted.
 * @param text the key, with any whitespace anywhere
 * @returns the 32-byte key (the caller wipes it), or why the text is not a recovery key
 */
export function decodeRecoveryKey(text: string): Result<Uint8Array, RecoveryKeyError> {
  if (typeof text !== 'string') throw new TypeError('recovery key text must be a string');
  let compact = '';
  let position = 0;
  for (const ch of text) {
    position++;
    if (WHITESPACE.test(ch)) continue;
    if (!ALPHABET.includes(ch)) return err({ code: 'bad-character', position, character: ch });
    compact += ch;
  }
  if (compact.length === 0) return err({ code: 'empty' });
  if (compact.length > MAX_CHARACTERS) return err({ code: 'bad-length' });
  // bs58 keeps its own working buffer, which we cannot wipe; the 35-byte result we can.
  const bytes = bs58.decode(compact);
  try {
    if (bytes.length !== DECODED_LENGTH) return err({ code: 'bad-length', length: bytes.length });
    if (bytes[0] !== PREFIX[0] || bytes[1] !== PREFIX[1]) return err({ code: 'bad-prefix' });
    let parity = 0;
    for (const b of bytes) parity ^= b;
    if (parity !== 0) return err({ code: 'bad-parity' });
    return ok(bytes.slice(2, 34));
  } finally {
    wipe(bytes);
  }
}

/**
 * Encodes a 32-byte key as a recovery key, `EsTc LW2K …` (12 groups of 4).
 * @throws RangeError when `key` is not 32 bytes
 */
export function encodeRecoveryKey(key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new RangeError('recovery key must encode exactly 32 bytes');
  const bytes = new Uint8Array(DECODED_LENGTH);
  bytes[0] = PREFIX[0];
  bytes[1] = PREFIX[1];
  bytes.set(key, 2);
  let parity = 0;
  for (let i = 0; i < DECODED_LENGTH - 1; i++) parity ^= bytes[i] as number;
  bytes[DECODED_LENGTH - 1] = parity;
  const encoded = bs58.encode(bytes);
  wipe(bytes);
  return encoded.replace(/(.{4})(?!$)/g, '$1 ');
}

/** One-line description of a decoding error, for findings and the CLI. Never includes the key. */
export function describeRecoveryKeyError(e: RecoveryKeyError): string {
  switch (e.code) {
    case 'empty':
      return 'nothing was typed';
    case 'bad-character':
      return `character ${e.position ?? '?'} (${JSON.stringify(e.character ?? '')}) cannot appear in a recovery key (they never contain 0, O, I or l)`;
    case 'bad-length':
      return e.length === undefined ? 'it is far too long to be a recovery key' : 'it has too many or too few characters (a recovery key has 48, not counting spaces)';
    case 'bad-prefix':
      return 'it does not start like a recovery key (they start with "Es")';
    case 'bad-parity':
      return 'its check digit does not match: a character is probably mistyped';
  }
}
