/**
 * @module legacyStore/records/megolmPickle — the session ID and first known message index of a
 * decrypted libolm InboundGroupSession pickle (libolm src/inbound_group_session.c
 * `olm_pickle_inbound_group_session`, src/megolm.c `megolm_pickle`).
 *
 * Layout (checked against @matrix-org/olm 3.2.15's `session_id()` / `first_known_index()` by the
 * tests): uint32 version (1 or 2, big-endian) ‖ initial ratchet (128 bytes of ratchet data ‖
 * uint32 counter) ‖ latest ratchet (the same) ‖ Ed25519 signing public key (32) ‖ version 2 only:
 * one byte "signing key verified". The session ID is the signing key in unpadded base64; the first
 * known index is the initial ratchet's counter. The ratchet is secret: the plaintext is wiped.
 */
import { encodeBase64 } from '../../../../core/encoding/base64.ts';
import { wipe } from '../../../../core/bytes.ts';

export interface MegolmPickleInfo {
  readonly sessionId: string;
  readonly firstKnownIndex: number;
}

/** Reads a decrypted InboundGroupSession pickle; wipes `plain` whatever the outcome. */
export function parseMegolmPickle(plain: Uint8Array): { ok: true; value: MegolmPickleInfo } | { ok: false; problem: 'unsupported-pickle-version' | 'unexpected-shape' } {
  try {
    const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    if (plain.length < 4) return { ok: false, problem: 'unexpected-shape' };
    const version = dv.getUint32(0, false);
    if (version !== 1 && version !== 2) return { ok: false, problem: 'unsupported-pickle-version' };
    if (plain.length !== (version === 1 ? 300 : 301)) return { ok: false, problem: 'unexpected-shape' };
    return { ok: true, value: { sessionId: encodeBase64(plain.slice(268, 300)), firstKnownIndex: dv.getUint32(132, false) } };
  } finally {
    wipe(plain);
  }
}
