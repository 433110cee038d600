/**
 * @module secretStorage/passphrase — the `m.pbkdf2` passphrase parameters of a 4S key description
 * and the key derivation (spec secrets.md "Deriving keys from passphrases"; matrix-crypto.md §4.1):
 * PBKDF2-HMAC-SHA-512(password = UTF-8 passphrase, salt = UTF-8 of the `salt` string as written,
 * not base64-decoded, c = `iterations`) → 32 bytes.
 *
 * The parameters come from account data, which the homeserver controls, so they get a policy
 * (security.md F8; rust-sdk `KdfIterationCount`): an iteration count the user's machine cannot
 * finish is refused before anything runs, an output size other than 256 bits is refused (js-sdk
 * would derive a different-length key, rust-sdk ignores `bits`: the clients disagree), and a low
 * count is allowed — published test vectors use 1 and 10 — but flagged as weak.
 */
import { type Result, ok, err } from '../result.ts';
import { utf8 } from '../bytes.ts';
import { isJsonObject, LosslessNumber, type JsonValue } from '../json/strictJson.ts';
import { noblePbkdf2Sha512, type Pbkdf2Sha512 } from '../crypto/pbkdf2.ts';

/** Above this the derivation is refused: 10 million SHA-512 PBKDF2 rounds already take seconds in WebCrypto. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Below this the parameters are reported as weak (current clients use 500 000). */
export const WEAK_PBKDF2_ITERATIONS = 100_000;
const KEY_BYTES = 32;

/** Validated `m.pbkdf2` parameters. */
export interface PassphraseParameters {
  readonly algorithm: 'm.pbkdf2';
  readonly salt: string;
  readonly iterations: number;
  /** True when `iterations` is below {@link WEAK_PBKDF2_ITERATIONS}: derived anyway, but worth a warning. */
  readonly weak: boolean;
}

export type PassphraseParameterError =
  | { readonly code: 'malformed'; readonly message: string }
  | { readonly code: 'unsupported-algorithm'; readonly algorithm: string; readonly message: string }
  | { readonly code: 'bad-salt'; readonly message: string }
  | { readonly code: 'bad-iterations'; readonly message: string }
  | { readonly code: 'iterations-too-high'; readonly iterations: number; readonly limit: number; readonly message: string }
  | { readonly code: 'unsupported-bits'; readonly message: string };

/**
 * Checks the `passphrase` member of a key description against the policy.
 * @param value the JSON value of `passphrase`
 * @returns the parameters, or which rule they break (with a sentence for the user)
 */
export function parsePassphraseParameters(value: JsonValue | undefined): Result<PassphraseParameters, PassphraseParameterError> {
  if (!isJsonObject(value)) return err({ code: 'malformed', message: 'The passphrase settings of this key are not a JSON object.' });
  const algorithm = value['algorithm'];
  if (algorithm !== 'm.pbkdf2') {
    const shown = typeof algorithm === 'string' ? algorithm : String(algorithm);
    return err({ code: 'unsupported-algorithm', algorithm: shown, message: `The passphrase uses the algorithm ${JSON.stringify(shown)}; only "m.pbkdf2" is defined.` });
  }
  const salt = value['salt'];
  if (typeof salt !== 'string' || salt.length === 0) return err({ code: 'bad-salt', message: 'The passphrase settings have no salt (a non-empty string is required).' });

  const iterations = readIterations(value['iterations']);
  if (!iterations.ok) return iterations;

  // `bits` is optional and defaults to 256; `null` is how some serializers write "absent".
  const bits = value['bits'];
  if (bits !== undefined && bits !== null && bits !== 256) {
    return err({ code: 'unsupported-bits', message: `The passphrase settings ask for a ${describe(bits)}-bit key; only 256 bits is supported (clients disagree about other sizes).` });
  }
  return ok({ algorithm: 'm.pbkdf2', salt, iterations: iterations.value, weak: iterations.value < WEAK_PBKDF2_ITERATIONS });
}

function readIterations(v: JsonValue | undefined): Result<number, PassphraseParameterError> {
  const tooHigh = (n: number) =>
    err({
      code: 'iterations-too-high' as const,
      iterations: n,
      limit: MAX_PBKDF2_ITERATIONS,
      message: `The passphrase settings ask for ${n.toLocaleString('en')} rounds of key stretching, more than the ${MAX_PBKDF2_ITERATIONS.toLocaleString('en')} we allow; running it could freeze this device, so it was not tried.`,
    });
  const bad = err({ code: 'bad-iterations' as const, message: 'The passphrase settings have no valid round count (a whole number of at least 1 is required).' });
  if (typeof v === 'number') {
    // strictJson gives plain numbers only for safe integers.
    if (!Number.isSafeInteger(v) || v < 1) return bad;
    if (v > MAX_PBKDF2_ITERATIONS) return tooHigh(v);
    return ok(v);
  }
  if (v instanceof LosslessNumber) {
    // An integer beyond 2^53 (or written with an exponent, like 1e12) is still a refusal for size.
    const n = v.value;
    if (Number.isInteger(n) && n > MAX_PBKDF2_ITERATIONS) return tooHigh(n);
    return bad;
  }
  return bad;
}

function describe(v: JsonValue): string {
  if (v instanceof LosslessNumber) return v.raw;
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * Derives the 32-byte 4S key from a passphrase.
 * @param passphrase UTF-8 bytes of the passphrase, exactly as typed (no Unicode normalisation,
 *   like js-sdk and rust-sdk); not changed here, the caller wipes it
 * @param params parameters from {@link parsePassphraseParameters}
 * @param pbkdf2 the PBKDF2 implementation (WebCrypto in the extension)
 * @returns the key; the caller wipes it
 * @throws RangeError when `params` did not come from the policy (iterations out of range) or the
 *   injected PBKDF2 returns the wrong length
 */
export async function derivePassphraseKey(passphrase: Uint8Array, params: PassphraseParameters, pbkdf2: Pbkdf2Sha512 = noblePbkdf2Sha512): Promise<Uint8Array> {
  if (!Number.isSafeInteger(params.iterations) || params.iterations < 1 || params.iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations out of policy: ${params.iterations}`);
  }
  const key = await pbkdf2(passphrase, utf8(params.salt), params.iterations, KEY_BYTES);
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new RangeError('PBKDF2 implementation returned the wrong length');
  return key;
}
