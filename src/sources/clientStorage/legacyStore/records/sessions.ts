/**
 * @module legacyStore/records/sessions — one `inbound_group_sessions` value (js-sdk 36
 * src/crypto/store/base.ts InboundGroupSessionData; backend.ts storeEndToEndInboundGroupSession):
 * `{senderCurve25519Key, sessionId, session: {room_id, session: <libolm pickle>, keysClaimed:
 * {ed25519}, forwardingCurve25519KeyChain, untrusted?, sharedHistory?}}`, and one
 * `inbound_group_sessions_withheld` value `{senderCurve25519Key, sessionId, session: {room_id,
 * code, reason}}` (OlmDevice.ts addInboundGroupSessionWithheld).
 */
import { get, obj, publicKey32, str } from './fields.ts';

export interface LegacySessionRecord {
  readonly roomId: string;
  readonly senderKey: string;
  readonly sessionId: string;
  readonly pickle: string;
  /** The sender's claimed Ed25519 key, when stored. */
  readonly claimedEd25519: string | undefined;
  /** Received by forwarding or from a backup, not from its creator (js-sdk: `untrusted`, or a non-empty forwarding chain in old records). */
  readonly untrusted: boolean;
}

export function parseSessionRecord(v: unknown): LegacySessionRecord | undefined {
  const o = obj(v);
  const s = obj(get(o, 'session'));
  const roomId = str(get(s, 'room_id'));
  const senderKey = publicKey32(get(o, 'senderCurve25519Key'));
  const sessionId = publicKey32(get(o, 'sessionId'));
  const pickle = str(get(s, 'session'), 8_192);
  if (!roomId || !senderKey || !sessionId || !pickle) return undefined;
  const chain = get(s, 'forwardingCurve25519KeyChain');
  const untrusted = get(s, 'untrusted');
  return {
    roomId,
    senderKey,
    sessionId,
    pickle,
    claimedEd25519: publicKey32(get(obj(get(s, 'keysClaimed')), 'ed25519')),
    // OlmDevice.ts getInboundGroupSessionKey: "older forwarded keys didn't set the untrusted property".
    untrusted: typeof untrusted === 'boolean' ? untrusted : Array.isArray(chain) && chain.length > 0,
  };
}

export interface LegacyWithheld {
  readonly roomId: string;
  readonly senderKey: string;
  readonly sessionId: string;
  readonly code: string;
}

export function parseWithheldRecord(v: unknown): LegacyWithheld | undefined {
  const o = obj(v);
  const s = obj(get(o, 'session'));
  const roomId = str(get(s, 'room_id'));
  const senderKey = str(get(o, 'senderCurve25519Key'));
  const sessionId = str(get(o, 'sessionId'));
  const code = str(get(s, 'code'), 255);
  if (!roomId || !senderKey || !sessionId || !code) return undefined;
  return { roomId, senderKey, sessionId, code };
}
