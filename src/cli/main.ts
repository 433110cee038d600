/**
 * @module cli/main — the `crosscheck` command line over core (and, for --homeserver, the
 * homeserver source). Errors end as one line on stderr and exit 2; never a stack trace.
 * Secrets are read from files or stdin into byte arrays and wiped after use.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseStrictJson, describeJsonError, type JsonValue } from '../core/json/strictJson.ts';
import { decodeRecoveryKey, describeRecoveryKeyError } from '../core/recoveryKey/recoveryKey.ts';
import { audit } from '../core/audit.ts';
import { writeLosslessJson } from '../core/json/writeJson.ts';
import { webCryptoPbkdf2Sha512 } from '../platform/webCryptoPbkdf2.ts';
import { webCryptoEd25519 } from '../platform/webCryptoEd25519.ts';
import { parseArgs, USAGE, type Command } from './args.ts';
import { renderText } from './renderText.ts';
import { captureFromEnvironment } from './capture.ts';
import { readPinsFile, updatePinsFile } from './pinsFile.ts';
import { pinsForSnapshot, type PinRow } from '../store/pinLogic.ts';
import { isJsonObject, type JsonObject } from '../core/json/strictJson.ts';

declare const CROSSCHECK_VERSION: string | undefined;

/** Largest snapshot file we read (a 10^5-device account is far below this). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;
const MAX_SECRET_FILE_BYTES = 4096;

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

class InputError extends Error {}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr(`crosscheck: ${parsed.error}\n`);
    return 2;
  }
  try {
    return await execute(parsed.value, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`crosscheck: ${e.message}\n`);
      return 2;
    }
    // Never a stack trace: one line, and it is our bug.
    io.stderr(`crosscheck: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 3;
  }
}

async function execute(cmd: Command, io: Io): Promise<number> {
  switch (cmd.kind) {
    case 'help':
      io.stdout(`${USAGE}\n`);
      return 0;
    case 'version':
      io.stdout(`${typeof CROSSCHECK_VERSION === 'string' ? CROSSCHECK_VERSION : 'dev'}\n`);
      return 0;
    case 'recovery-key-check':
      return recoveryKeyCheck(io);
    case 'capture': {
      const snap = await captureFromEnvironment(cmd.homeserver, cmd.backupSessions, io);
      if (!snap.ok) throw new InputError(snap.error);
      io.stdout(`${writeLosslessJson(snap.value, 2)}\n`);
      return 0;
    }
    case 'audit': {
      let snapshot: JsonValue;
      if ('snapshot' in cmd.source) snapshot = readSnapshotFile(cmd.source.snapshot);
      else {
        const snap = await captureFromEnvironment(cmd.source.homeserver, cmd.backupSessions, io);
        if (!snap.ok) throw new InputError(snap.error);
        snapshot = snap.value;
      }
      let pinRows: PinRow[] = [];
      if (cmd.pins) {
        const read = readPinsFile(cmd.pins);
        if (!read.ok) throw new InputError(read.error);
        pinRows = read.value;
        snapshot = withPins(snapshot, pinsForSnapshot(pinRows));
      }
      const secret = cmd.secretFile ? { kind: cmd.secretFile.kind, text: readSecretFile(cmd.secretFile.path, cmd.secretFile.kind) } : undefined;
      const ed25519 = await webCryptoEd25519();
      const result = await audit(snapshot, { now: io.now(), pbkdf2: webCryptoPbkdf2Sha512, ...(ed25519 ? { ed25519 } : {}), ...(secret ? { secret } : {}) });
      if (!result.ok) throw new InputError(`the snapshot is not usable: ${result.error.message}`);
      const report = result.value;
      if (cmd.pins) updatePinsFile(cmd.pins, pinRows, report, io.now().toISOString());
      io.stdout(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, { verbose: cmd.verbose }));
      if (cmd.failOn) {
        const hit = report.findings.some((f) => f.severity === 'error' || (cmd.failOn === 'warning' && f.severity === 'warning'));
        return hit ? 1 : 0;
      }
      return 0;
    }
  }
}

function readSnapshotFile(path: string): JsonValue {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_SNAPSHOT_BYTES) throw new InputError(`${path}: the file is ${size} bytes, over the ${MAX_SNAPSHOT_BYTES}-byte limit`);
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, not a snapshot file`);
    if (e instanceof TypeError) throw new InputError(`${path}: the file is not valid UTF-8 text`);
    throw new InputError(`${path}: cannot be read (${code ?? 'unknown error'})`);
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) throw new InputError(`${path}: not valid JSON for Crosscheck: ${describeJsonError(parsed.error)}`);
  return parsed.value;
}

/** Reads a secret file as bytes; a passphrase loses one trailing newline (editors add one). */
function readSecretFile(path: string, kind: 'recovery-key' | 'passphrase'): Uint8Array {
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
  if (kind === 'passphrase') {
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

async function recoveryKeyCheck(io: Io): Promise<number> {
  const bytes = await io.readStdin();
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('the recovery key read from stdin is not UTF-8 text');
  } finally {
    bytes.fill(0);
  }
  const decoded = decodeRecoveryKey(text);
  text = undefined;
  if (decoded.ok) {
    decoded.value.fill(0);
    io.stdout('The recovery key is well formed (prefix, length and parity are right). Whether it is *your* key can only be checked against your account: run `crosscheck audit --recovery-key-file`.\n');
    return 0;
  }
  throw new InputError(`the recovery key is malformed: ${describeRecoveryKeyError(decoded.error)}`);
}

/** Adds file pins for users the snapshot does not pin itself (the snapshot's own pins win). */
function withPins(snapshot: JsonValue, pins: Record<string, { masterKey: string; firstSeen: string }>): JsonValue {
  if (!isJsonObject(snapshot)) return snapshot;
  const own = isJsonObject(snapshot['pins']) ? snapshot['pins'] : {};
  const merged: JsonObject = Object.create(null) as JsonObject;
  for (const [u, p] of Object.entries(pins)) merged[u] = { masterKey: p.masterKey, firstSeen: p.firstSeen };
  for (const [u, p] of Object.entries(own)) merged[u] = p;
  const out: JsonObject = Object.create(null) as JsonObject;
  for (const [k, v] of Object.entries(snapshot)) out[k] = v;
  out['pins'] = merged;
  return out;
}

