/**
 * @module cli/main — the `crosscheck` command line over core (and, for --homeserver, the
 * homeserver source). Errors end as one line on stderr and exit 2; never a stack trace.
 * Secrets are read from files or stdin into byte arrays and wiped after use.
 */
import { type JsonValue } from '../core/json/strictJson.ts';
import { InputError, readJsonFile, readSecretFile } from './files.ts';
import { applyClientStore, loadClientStore } from './clientStore.ts';
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

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

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
      // The client store first: a bad file fails before anything is asked of the server.
      const facts = cmd.clientStore ? await loadClientStore(cmd.clientStore) : undefined;
      let snapshot: JsonValue | undefined;
      if (cmd.homeserver) {
        const snap = await captureFromEnvironment(cmd.homeserver, cmd.backupSessions, io);
        if (!snap.ok) throw new InputError(snap.error);
        snapshot = snap.value;
      }
      if (facts && cmd.clientStore) snapshot = applyClientStore(snapshot, facts, io.now(), cmd.clientStore.path);
      io.stdout(`${writeLosslessJson(snapshot ?? null, 2)}\n`);
      return 0;
    }
    case 'audit': {
      const facts = cmd.clientStore ? await loadClientStore(cmd.clientStore) : undefined;
      let snapshot: JsonValue | undefined;
      if ('snapshot' in cmd.source) snapshot = readJsonFile(cmd.source.snapshot);
      else if ('homeserver' in cmd.source) {
        const snap = await captureFromEnvironment(cmd.source.homeserver, cmd.backupSessions, io);
        if (!snap.ok) throw new InputError(snap.error);
        snapshot = snap.value;
      }
      if (facts && cmd.clientStore) snapshot = applyClientStore(snapshot, facts, io.now(), cmd.clientStore.path);
      if (snapshot === undefined) throw new InputError('nothing to audit');
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

