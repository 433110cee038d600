/**
 * @module homeserver/keysQuery — `POST /keys/query` for many users: batched (a server may cap the
 * request size; 250 users per request by default), then merged back into one response shaped
 * exactly like a single one. Maps keyed by user ID are merged; `failures` (keyed by server name)
 * too. A user returned by two batches with different data is a malformed response, not a guess.
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonObject, type JsonValue, isJsonObject, LosslessNumber } from '../../core/json/strictJson.ts';
import { type CaptureError, captureError } from './errors.ts';
import type { HomeserverRequest } from './http.ts';

/** Members of the response that are maps keyed by user ID (or server name, for `failures`). */
export const KEYS_QUERY_MAPS = ['device_keys', 'master_keys', 'self_signing_keys', 'user_signing_keys', 'failures'] as const;

const ENDPOINT = 'POST /_matrix/client/v3/keys/query';

/** Same JSON value? (Key order ignored; values from the strict reader, so no cycles.) */
function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i] as JsonValue));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k] as JsonValue, b[k] as JsonValue));
  }
  if (a instanceof LosslessNumber) return b instanceof LosslessNumber && a.raw === b.raw;
  return false;
}

/**
 * Merges `/keys/query` responses from disjoint batches. Known maps are merged member by member;
 * any other top-level member is kept from the first response that has it (and must be equal in
 * the others). Output objects have a null prototype, like the strict reader's.
 */
export function mergeKeysQueryResponses(responses: readonly JsonObject[]): Result<JsonObject, CaptureError> {
  const out: JsonObject = Object.create(null);
  for (const name of KEYS_QUERY_MAPS) {
    if (responses.some((r) => r[name] !== undefined)) out[name] = Object.create(null) as JsonObject;
  }
  for (const r of responses) {
    for (const [name, value] of Object.entries(r)) {
      const isMap = (KEYS_QUERY_MAPS as readonly string[]).includes(name);
      if (!isMap) {
        const prev = out[name];
        if (prev === undefined) out[name] = value;
        else if (!sameJson(prev, value))
          return err(captureError('malformed-response', `${ENDPOINT}: the member "${name}" differs between batches`, { endpoint: ENDPOINT }));
        continue;
      }
      if (!isJsonObject(value)) return err(captureError('malformed-response', `${ENDPOINT}: "${name}" is not an object`, { endpoint: ENDPOINT }));
      const target = out[name] as JsonObject;
      for (const [key, entry] of Object.entries(value)) {
        const prev = target[key];
        if (prev !== undefined && !sameJson(prev, entry))
          return err(captureError('malformed-response', `${ENDPOINT}: two batches returned different "${name}" for ${JSON.stringify(key.slice(0, 100))}`, { endpoint: ENDPOINT }));
        target[key] = entry;
      }
    }
  }
  return ok(out);
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Queries every device of every user in `userIds` (own user first), in batches, and merges. */
export async function queryKeys(
  request: HomeserverRequest,
  userIds: readonly string[],
  opts: { batchSize: number; onProgress?: (msg: string) => void },
): Promise<Result<JsonObject, CaptureError>> {
  const groups = batches(userIds, Math.max(1, opts.batchSize));
  const responses: JsonObject[] = [];
  for (const [i, group] of groups.entries()) {
    opts.onProgress?.(`keys/query: batch ${i + 1} of ${groups.length} (${group.length} user${group.length === 1 ? '' : 's'})`);
    const deviceKeys: Record<string, string[]> = {};
    for (const u of group) deviceKeys[u] = [];
    const r = await request('POST', ['keys', 'query'], { body: { device_keys: deviceKeys, timeout: 10000 } });
    if (!r.ok) return r;
    if (!isJsonObject(r.value)) return err(captureError('malformed-response', `${ENDPOINT}: the response is not a JSON object`, { endpoint: ENDPOINT }));
    responses.push(r.value);
  }
  return mergeKeysQueryResponses(responses);
}
