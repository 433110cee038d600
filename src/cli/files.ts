/**
 * @module cli/files — reading the command line's input files: JSON (snapshots, client-store
 * dumps) strictly, secrets (recovery key, passphrase, pickle key) into byte arrays the caller
 * wipes. Every failure is an {@link InputError}: one line naming the file and what was wrong.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseStrictJson, describeJsonError, type JsonValue } from '../core/json/strictJson.ts';

/** Largest JSON file we read (a 10^5-device account is far below this). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;
const MAX_SECRET_FILE_BYTES = 4096;

/** Bad input: exit 2 with this one line. */
export class InputError extends Error {}

/** A JSON file (`what` names it in errors: "snapshot", "client-store file"). */
export function readJsonFile(path: string, what = 'snapshot'): JsonValue {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_SNAPSHOT_BYTES) throw new InputError(`${path}: the file is ${size} bytes, over the ${MAX_SNAPSHOT_BYTES}-byte limit`);
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, not a ${what}`);
    if (e instanceof TypeError) throw new InputError(`${path}: the file is not valid UTF-8 text`);
    throw new InputError(`${path}: cannot be read (${code ?? 'unknown error'})`);
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) throw new InputError(`${path}: not valid JSON for Crosscheck: ${describeJsonError(parsed.error)}`);
  return parsed.value;
}

/** Reads a secret file as bytes; a passphrase loses one trailing newline (editors add one). */
/** A secret file as bytes (the caller wipes them); one trailing newline is dropped from a passphrase or pickle key. */
export function readSecretFile(path: string, kind: 'recovery-key' | 'passphrase' | 'pickle-key'): Uint8Array {
  let bytes: Uint8Array;
  try {
    if (statSync(path).size > MAX_SECRET_FILE_BYTES) throw new InputError(`${path}: too large to be a ${kind.replace('-', ' ')}`);
    const buf = readFileSync(path);
    // A plain Uint8Array copy: Buffer.slice() would return a view, and wiping the original
    // would then wipe the copy too.
    bytes = Uint8Array.from(buf);
    buf.fill(0);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as { code?: string }).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'unknown error'})`}`);
  }
  if (kind !== 'recovery-key') {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0a) end--;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    if (end !== bytes.length) {
      const trimmed = Uint8Array.prototype.slice.call(bytes, 0, end);
      bytes.fill(0);
      bytes = trimmed;
    }
  }
  return bytes;
}

