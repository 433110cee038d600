/**
 * @module checks/keysQueryResponse — what the /keys/query response itself says: servers that
 * could not be reached (`failures`, matrix-crypto §2.1: "unknown", never "no keys"), users the
 * server left out (security E4), and structural damage.
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { Check } from './check.ts';

export const keysQueryResponse: Check = {
  id: 'keys-query-response',
  title: 'The key server answered for everyone',
  run({ model, snapshot }) {
    const out: Finding[] = [];
    for (const server of Object.keys(model.failures)) {
      out.push(
        makeFinding({
          code: 'KEYS_QUERY_FAILURE',
          severity: 'warning',
          message: `Your homeserver could not fetch keys from ${server}, so nothing is known about the keys of people on that server.`,
          hint: 'This is usually temporary: run the check again later. Until then, treat people on that server as unchecked, not as safe.',
          evidence: { server },
        }),
      );
    }
    // An offline snapshot's keys are the client store's (sources/clientStorage/offlineSnapshot.ts), not a server answer.
    const offline = snapshot.capturedFrom === 'client-store';
    for (const u of model.users) {
      if (u.unknownReason !== 'not-in-response') continue;
      out.push(
        makeFinding({
          code: 'KEYS_QUERY_FAILURE',
          severity: 'warning',
          userId: u.userId,
          ...(offline
            ? {
                message: `This browser's client store holds no keys for ${u.userId}, though you share an encrypted room, so their sessions could not be checked offline.`,
                hint: 'Check again when your homeserver can be reached; the client may not have fetched their keys yet.',
                evidence: { reason: 'user missing from the client store' },
              }
            : {
                message: `The server returned no device list for ${u.userId}, so their sessions could not be checked.`,
                hint: 'Run the check again; if it persists, their homeserver may be unreachable from yours.',
                evidence: { reason: 'user missing from device_keys' },
              }),
        }),
      );
    }
    for (const p of model.responseProblems) {
      out.push(
        makeFinding({
          code: 'RESPONSE_MALFORMED',
          severity: 'error',
          message: `The server's key response is damaged: ${p}. Keys in that part could not be checked.`,
          hint: 'Report this to your homeserver administrator; a correct server never sends this.',
          evidence: { problem: p },
        }),
      );
    }
    return out;
  },
};
