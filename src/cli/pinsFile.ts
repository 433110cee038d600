/**
 * @module cli/pinsFile — `--pins FILE`: trust-on-first-use identity pins for the command line,
 * kept in a JSON file of our own (the same rows and rules as the extension's store,
 * src/store/pinLogic.ts). The first master key seen for a user is pinned; a different one later
 * is reported as `changed` and recorded, unaccepted. Accepting is an explicit edit of the file
 * (`"accepted": true`), never automatic.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Result, ok, err } from '../core/result.ts';
import { parseStrictJson, describeJsonError, isJsonObject } from '../core/json/strictJson.ts';
import type { Report } from '../core/report/types.ts';
import { type PinRow, recordSeen } from '../store/pinLogic.ts';

export const PINS_FORMAT = 'crosscheck-pins/1';

/** Reads the rows of a pins file; a missing file is an empty history. */
export function readPinsFile(path: string): Result<PinRow[], string> {
  if (!existsSync(path)) return ok([]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return err(`${path}: cannot be read (${(e as { code?: string }).code ?? 'unknown error'})`);
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return err(`${path}: not valid JSON: ${describeJsonError(parsed.error)}`);
  const v = parsed.value;
  if (!isJsonObject(v) || v['format'] !== PINS_FORMAT || !Array.isArray(v['pins'])) return err(`${path}: not a Crosscheck pins file (expected {"format":"${PINS_FORMAT}","pins":[…]})`);
  const rows: PinRow[] = [];
  for (const [i, r] of v['pins'].entries()) {
    if (
      !isJsonObject(r) ||
      typeof r['userId'] !== 'string' ||
      typeof r['masterKey'] !== 'string' ||
      typeof r['firstSeen'] !== 'string' ||
      typeof r['lastSeen'] !== 'string' ||
      typeof r['accepted'] !== 'boolean' ||
      (r['acceptedAt'] !== undefined && typeof r['acceptedAt'] !== 'string')
    )
      return err(`${path}: pins[${i}] is not a pin row (userId, masterKey, firstSeen, lastSeen, accepted)`);
    rows.push({
      schemaVersion: 1,
      userId: r['userId'],
      masterKey: r['masterKey'],
      firstSeen: r['firstSeen'],
      lastSeen: r['lastSeen'],
      accepted: r['accepted'],
      ...(typeof r['acceptedAt'] === 'string' ? { acceptedAt: r['acceptedAt'] } : {}),
    });
  }
  return ok(rows);
}

/** Records the master keys a report saw and writes the file atomically (temp file, then rename). */
export function updatePinsFile(path: string, rows: readonly PinRow[], report: Report, at: string): void {
  const seen = new Map<string, string>();
  for (const u of report.users) if (u.masterKey && u.identity !== 'refused' && u.identity !== 'unknown') seen.set(u.userId, u.masterKey);
  const updated = new Map(rows.map((r) => [`${r.userId}\u0000${r.masterKey}`, r] as const));
  for (const r of recordSeen(rows, seen, at)) updated.set(`${r.userId}\u0000${r.masterKey}`, r);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ format: PINS_FORMAT, pins: [...updated.values()] }, null, 2)}\n`);
  renameSync(tmp, path);
}
