/**
 * @module rustStore/records/withheld — keys a sender told us they will not share
 * (`m.room_key.withheld`; `withheld_sessions`, `direct_withheld_info` before schema 101;
 * matrix-sdk-crypto RoomKeyWithheldEntry `{sender, content}`, older records the whole event).
 * The code (`m.unverified`, `m.blacklisted`, `m.unauthorised`, `m.unavailable`, `m.no_olm`) is
 * what "Unable to decrypt" support needs.
 */
import type { JsonB } from '../jsonBytes.ts';
import { type Parsed, obj, parsed, problem, str } from './fields.ts';

export interface StoredWithheld {
  readonly roomId: string;
  readonly sessionId: string;
  readonly code: string;
  readonly sender: string;
}

/** Reads a decrypted withheld record. */
export function parseWithheld(json: JsonB): Parsed<StoredWithheld> {
  const root = obj(json);
  const content = obj(root?.['content']);
  const sender = str(root?.['sender']);
  const roomId = str(content?.['room_id']);
  const sessionId = str(content?.['session_id']);
  const code = str(content?.['code']);
  if (!sender || !roomId || !sessionId || !code || code.length > 255) return problem('unexpected-shape', 'withheld');
  return parsed({ roomId, sessionId, code, sender });
}
