/**
 * @module cli/capture — `--homeserver`: the access token comes from CROSSCHECK_ACCESS_TOKEN (never
 * a flag), progress goes to stderr, and a failure becomes one line.
 */
import type { Result } from '../core/result.ts';
import { ok, err } from '../core/result.ts';
import { parseStrictJson, type JsonValue } from '../core/json/strictJson.ts';
import { writeLosslessJson } from '../core/json/writeJson.ts';
import { captureSnapshot } from '../sources/homeserver/capture.ts';
import type { Io } from './main.ts';

export async function captureFromEnvironment(homeserver: string, includeBackupSessions: boolean, io: Io): Promise<Result<JsonValue, string>> {
  const token = io.env['CROSSCHECK_ACCESS_TOKEN'];
  if (!token) return err('--homeserver needs an access token in the CROSSCHECK_ACCESS_TOKEN environment variable');
  const snap = await captureSnapshot({
    homeserver,
    accessToken: token,
    now: io.now,
    includeBackupSessions,
    onProgress: (m) => io.stderr(`crosscheck: ${m}\n`),
  });
  if (!snap.ok) return err(`capture from ${homeserver} failed: ${snap.error.message}`);
  // Hand core exactly what a saved snapshot file would give it.
  const reread = parseStrictJson(writeLosslessJson(snap.value));
  return reread.ok ? ok(reread.value) : err(`capture produced an unreadable snapshot: ${reread.error.message}`);
}
