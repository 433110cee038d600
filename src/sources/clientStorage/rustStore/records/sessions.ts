/**
 * @module rustStore/records/sessions — the Megolm sessions this browser can decrypt with
 * (`inbound_group_sessions3`; client-storage.md §3.5–3.6; matrix-sdk-indexeddb
 * InboundGroupSessionIndexedDbObject, matrix-sdk-crypto PickledInboundGroupSession).
 *
 * The stored object is a cleartext envelope around an encrypted pickle:
 * `{pickled_session, needs_backup?: 1, backed_up_to: -1, session_id?, sender_key?, sender_data_type?}`.
 * "Backed up" is the envelope's `needs_backup` being absent — the library itself overrides the
 * `backed_up` flag inside the pickle with it, because only the envelope is kept right when a
 * backup is reset. The pickle gives the room, the sender's Curve25519 key, the first known
 * message index (`pickle.initial_ratchet.counter`) and the session ID (the session's Ed25519
 * key, `pickle.signing_key`). The ratchet is secret key material and is wiped after reading.
 */
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import type { JsonB } from '../jsonBytes.ts';
import type { RawValue } from '../dump.ts';
import { type Parsed, bytes, obj, parsed, problem, publicKey32, str, wipeNumbers } from './fields.ts';

export type SenderTrust = 'unknown-device' | 'device-info' | 'verification-violation' | 'sender-unverified' | 'sender-verified';

export interface SessionEnvelope {
  readonly pickled: RawValue;
  readonly needsBackup: boolean;
}

export interface StoredSession {
  readonly roomId: string;
  readonly sessionId: string;
  readonly senderKey: string;
  readonly firstKnownIndex: number;
  readonly imported: boolean;
  /** What the library knew of the sender when it stored the key (absent in older stores). */
  readonly senderTrust: SenderTrust | undefined;
}

const SENDER: Record<string, SenderTrust> = {
  UnknownDevice: 'unknown-device',
  DeviceInfo: 'device-info',
  VerificationViolation: 'verification-violation',
  SenderUnverified: 'sender-unverified',
  SenderVerified: 'sender-verified',
};

const isByteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255);

/** The cleartext envelope of one stored session (the value as the reader copied it, `{j: …}`). */
export function parseSessionEnvelope(raw: RawValue): Parsed<SessionEnvelope> {
  if (!('j' in raw)) return problem('unexpected-shape', 'inbound_group_sessions3');
  const o = raw.j;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return problem('unexpected-shape', 'inbound_group_sessions3');
  const env = o as Record<string, unknown>;
  const p = env['pickled_session'];
  if (p === undefined || p === null) return problem('unexpected-shape', 'inbound_group_sessions3.pickled_session');
  // A byte array nested here would be the legacy encoding: hand it to the codec as such.
  let pickled: RawValue;
  if (isByteArray(p)) pickled = { b: encodeBase64(Uint8Array.from(p)) };
  else pickled = { j: p };
  // serializer/foreign.rs `bool`: true is stored as 1 (booleans are not IndexedDB keys), false is omitted.
  const nb = env['needs_backup'];
  return parsed({ pickled, needsBackup: nb === 1 || nb === true });
}

/** Reads a decrypted pickled session; wipes its ratchet. */
export function parseSession(json: JsonB): Parsed<StoredSession> {
  const root = obj(json);
  const pickle = obj(root?.['pickle']);
  try {
    const roomId = str(root?.['room_id']);
    const senderKey = publicKey32(root?.['sender_key']);
    const ratchet = obj(pickle?.['initial_ratchet']);
    const counter = ratchet?.['counter'];
    const signing = bytes(pickle?.['signing_key'], 32);
    if (!root || !pickle || !roomId || !senderKey || !signing || typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0 || counter > 0xffffffff)
      return problem('unexpected-shape', 'pickled_session');
    const sd = obj(root['sender_data']);
    const sdKind = sd && Object.keys(sd).length === 1 ? (Object.keys(sd)[0] as string) : undefined;
    return parsed({
      roomId,
      sessionId: encodeBase64(signing),
      senderKey,
      firstKnownIndex: counter,
      imported: root['imported'] === true,
      senderTrust: sdKind !== undefined ? SENDER[sdKind] : undefined,
    });
  } finally {
    wipeNumbers(pickle);
  }
}
