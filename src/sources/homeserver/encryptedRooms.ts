/**
 * @module homeserver/encryptedRooms — who the account shares an encrypted room with:
 * `/joined_rooms`, then per room `/rooms/{id}/state/m.room.encryption` (404 M_NOT_FOUND = not
 * encrypted) and, for encrypted ones, `/rooms/{id}/joined_members`. Joined members only (invites
 * are not followed). A few requests run at once, never more than `concurrency`.
 */
import { type Result, ok, err } from '../../core/result.ts';
import { isJsonObject } from '../../core/json/strictJson.ts';
import { type CaptureError, captureError } from './errors.ts';
import type { HomeserverRequest } from './http.ts';

const USER_ID = /^@[^:\s]+:\S+$/;

export interface RoomMembership {
  /** Own user first, then everyone else in an encrypted room, sorted, without duplicates. */
  readonly users: string[];
  readonly joinedRooms: number;
  readonly encryptedRooms: number;
}

/** Runs `task` over `items` with at most `limit` in flight; stops at the first failure. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<Result<R, CaptureError>>): Promise<Result<R[], CaptureError>> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: CaptureError | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      const r = await task(items[i] as T);
      if (!r.ok) failure ??= r.error;
      else results[i] = r.value;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return failure ? err(failure) : ok(results);
}

export async function usersInEncryptedRooms(
  request: HomeserverRequest,
  ownUserId: string,
  opts: { maxRooms: number; concurrency: number; onProgress?: (msg: string) => void },
): Promise<Result<RoomMembership, CaptureError>> {
  const joined = await request('GET', ['joined_rooms']);
  if (!joined.ok) return joined;
  const list = isJsonObject(joined.value) ? joined.value['joined_rooms'] : undefined;
  if (!Array.isArray(list)) return err(captureError('malformed-response', 'GET /_matrix/client/v3/joined_rooms: no "joined_rooms" list in the response', { endpoint: 'GET /_matrix/client/v3/joined_rooms' }));
  const rooms: string[] = [];
  for (const r of list) {
    if (typeof r !== 'string' || !r.startsWith('!') || r.length > 255)
      return err(captureError('malformed-response', `GET /_matrix/client/v3/joined_rooms: ${JSON.stringify(String(r).slice(0, 80))} is not a room ID`, { endpoint: 'GET /_matrix/client/v3/joined_rooms' }));
    if (!rooms.includes(r)) rooms.push(r);
  }
  if (rooms.length > opts.maxRooms)
    return err(captureError('unsupported', `the account is in ${rooms.length} rooms, more than the limit of ${opts.maxRooms}; raise the room limit to capture it`));
  opts.onProgress?.(`rooms: ${rooms.length} joined; checking which are encrypted`);

  const perRoom = await pool(rooms, opts.concurrency, async (roomId): Promise<Result<string[] | null, CaptureError>> => {
    const enc = await request('GET', ['rooms', roomId, 'state', 'm.room.encryption']);
    if (!enc.ok) {
      if (enc.error.status === 404 && enc.error.errcode === 'M_NOT_FOUND') return ok(null);
      return enc;
    }
    const members = await request('GET', ['rooms', roomId, 'joined_members']);
    if (!members.ok) return members;
    const joinedMap = isJsonObject(members.value) ? members.value['joined'] : undefined;
    const endpoint = `GET /_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`;
    if (!isJsonObject(joinedMap)) return err(captureError('malformed-response', `${endpoint}: no "joined" object in the response`, { endpoint }));
    const ids = Object.keys(joinedMap);
    const bad = ids.find((u) => !USER_ID.test(u) || u.length > 255);
    if (bad !== undefined) return err(captureError('malformed-response', `${endpoint}: ${JSON.stringify(bad.slice(0, 80))} is not a user ID`, { endpoint }));
    return ok(ids);
  });
  if (!perRoom.ok) return perRoom;

  const others = new Set<string>();
  let encryptedRooms = 0;
  for (const ids of perRoom.value) {
    if (ids === null) continue;
    encryptedRooms++;
    for (const u of ids) if (u !== ownUserId) others.add(u);
  }
  opts.onProgress?.(`rooms: ${encryptedRooms} of ${rooms.length} encrypted, shared with ${others.size} other user${others.size === 1 ? '' : 's'}`);
  return ok({ users: [ownUserId, ...[...others].sort()], joinedRooms: rooms.length, encryptedRooms });
}
