/**
 * @module backup/sessions — counts (and, with the backup key, tries to decrypt) the entries of a
 * `GET /room_keys/keys` response (spec key_backup.yaml; matrix-crypto.md §3.3–3.5):
 * `{"rooms": {<room id>: {"sessions": {<session id>: {first_message_index, forwarded_count, is_verified, session_data}}}}}`.
 *
 * The response comes from the homeserver and may be huge or hostile: shapes that are not objects
 * are skipped or counted as damaged, nothing recurses, nothing throws. Counting is linear; each
 * decryption costs one X25519 (about 1 ms with noble), so `maxDecrypt` lets a caller bound the work.
 */
import { isJsonObject, type JsonValue } from '../json/strictJson.ts';
import { decryptSessionData } from './decryptSession.ts';

export interface BackupSessionCounts {
  /** Entries in the response. */
  readonly total: number;
  /** Entries that decrypted to a JSON object whose session key (if in export format) matches its session ID. */
  readonly decrypted: number;
  /** Entries tried that did not: `wrongKey + corrupt + idMismatch`. */
  readonly failed: number;
  /** Made for another backup key (the key-confirmation tag did not match). */
  readonly wrongKey: number;
  /** Damaged or hostile: bad shape, low-order ephemeral key, bad padding, not JSON. */
  readonly corrupt: number;
  /** Decrypted, but the session key inside belongs to a different session than the one it is filed under. */
  readonly idMismatch: number;
  /** Entries not tried because `maxDecrypt` was reached (0 without a limit or without a key). */
  readonly skipped: number;
}

export interface CountOptions {
  /** Decrypt at most this many entries (the rest are counted in `skipped`). Default: all. */
  readonly maxDecrypt?: number;
}

/**
 * Counts backup entries and, given the backup private key, how many decrypt.
 * @param raw the `/room_keys/keys` response as parsed (any JSON value; hostile shapes are tolerated)
 * @param privateKey the 32-byte backup decryption key, or undefined to count only
 *   (not changed; the caller wipes it)
 * @param options work bound
 * @throws RangeError when `privateKey` is given but not 32 bytes
 */
export function countBackupSessions(raw: JsonValue | undefined, privateKey?: Uint8Array, options: CountOptions = {}): BackupSessionCounts {
  if (privateKey !== undefined && privateKey.length !== 32) throw new RangeError('backup private key must be 32 bytes');
  const limit = options.maxDecrypt ?? Number.POSITIVE_INFINITY;
  let total = 0;
  let decrypted = 0;
  let wrongKey = 0;
  let corrupt = 0;
  let idMismatch = 0;
  let skipped = 0;
  const rooms = isJsonObject(raw) ? raw['rooms'] : undefined;
  if (isJsonObject(rooms)) {
    for (const roomId of Object.keys(rooms)) {
      const room = rooms[roomId];
      const sessions = isJsonObject(room) ? room['sessions'] : undefined;
      if (!isJsonObject(sessions)) continue;
      for (const sessionId of Object.keys(sessions)) {
        total++;
        if (privateKey === undefined) continue;
        if (decrypted + wrongKey + corrupt + idMismatch >= limit) {
          skipped++;
          continue;
        }
        const entry = sessions[sessionId];
        const r = decryptSessionData(privateKey, isJsonObject(entry) ? entry['session_data'] : undefined, sessionId);
        if (r.ok) {
          if (r.value.sessionIdMatches === false) idMismatch++;
          else decrypted++;
        } else if (r.error.code === 'mac-mismatch') wrongKey++;
        else corrupt++;
      }
    }
  }
  return { total, decrypted, failed: wrongKey + corrupt + idMismatch, wrongKey, corrupt, idMismatch, skipped };
}
