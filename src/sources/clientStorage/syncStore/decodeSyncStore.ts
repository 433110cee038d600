/**
 * @module syncStore/decodeSyncStore — the sync store's dump (./dump.ts) turned into what an
 * offline audit uses: the account data the snapshot holds (DESIGN.md `accountData`) and who shares
 * an encrypted room with the account, by the same rule as the live capture
 * (sources/homeserver/encryptedRooms.ts: joined members of joined encrypted rooms).
 *
 * Room state (matrix-js-sdk src/sync-accumulator.ts `getJSON`): a client that stored
 * `org.matrix.msc4222.state_after` stored the state at the end of the timeline, which is the
 * room's current state; an older one stored `state` at the start of the timeline, and the
 * timeline's state events apply after it, in order. Lazy-loaded members (`oob_membership_events`)
 * never replace a member the sync state has (js-sdk RoomState `setOutOfBandMember`).
 *
 * The stored data can be minutes old (js-sdk saves at most every 5 minutes) and, with lazy
 * loading, a room's member list is only complete once the client loaded it; `complete` says which
 * rooms were not, so a report can say so instead of pretending it saw everyone.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import { type JsonObject, isJsonObject, parseStrictJson } from '../../../core/json/strictJson.ts';
import { type SyncDumpError, type SyncStateEntry, type SyncStoreDump, validateSyncStoreDump } from './dump.ts';

export interface SyncStoreContents {
  readonly dbName: string;
  readonly version: number;
  /** False when the client had not saved any sync data yet: no room is known. */
  readonly saved: boolean;
  /** Secret storage, cross-signing and backup account data, as stored (strict JSON). */
  readonly accountData: JsonObject;
  readonly rooms: {
    readonly joined: number;
    readonly encrypted: number;
    /** Own user first, then every joined member of a joined encrypted room, sorted, no duplicates. */
    readonly users: readonly string[];
  };
  /** What the member list may miss, in words (empty when it is complete as far as the store knows). */
  readonly gaps: readonly string[];
}

const USER_ID = /^@[^:\s]+:\S+$/;

/** The current state of one room as `type|key → value`. */
function roomState(entries: readonly SyncStateEntry[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const [t, key, value] of entries) state.set(`${t}|${key}`, value);
  return state;
}

export function decodeSyncStore(input: unknown, ownUserId: string): Result<SyncStoreContents, SyncDumpError> {
  const v = validateSyncStoreDump(input);
  if (!v.ok) return v;
  const dump: SyncStoreDump = v.value;

  // Account data through the strict reader: prototype-less objects, no duplicate keys, exact numbers.
  let accountData: JsonObject;
  {
    const parsed = parseStrictJson(JSON.stringify(dump.accountData));
    if (!parsed.ok || !isJsonObject(parsed.value)) return err({ code: 'bad-dump', message: 'The sync store dump’s account data is not plain JSON.' });
    accountData = parsed.value;
    for (const [type, content] of Object.entries(accountData))
      if (!isJsonObject(content)) return err({ code: 'bad-dump', message: `The sync store’s account data "${type.slice(0, 80)}" is not a JSON object.` });
  }

  const oobByRoom = new Map<string, Map<string, string>>();
  for (const [roomId, userId, membership] of dump.oob) {
    let m = oobByRoom.get(roomId);
    if (!m) oobByRoom.set(roomId, (m = new Map()));
    m.set(userId, membership);
  }
  const loaded = new Set(dump.oobLoaded);

  const users = new Set<string>();
  let encrypted = 0;
  let notLoaded = 0;
  for (const room of dump.rooms) {
    const state = roomState(room.stateAfter ?? [...room.state, ...room.timeline]);
    // Any m.room.encryption state event with an empty state key turns encryption on for good (spec: m.room.encryption).
    if (!state.has('e|')) continue;
    encrypted++;
    const members = new Map<string, string>();
    for (const [userId, membership] of oobByRoom.get(room.roomId) ?? []) members.set(userId, membership);
    for (const [k, value] of state) if (k.startsWith('m|')) members.set(k.slice(2), value);
    for (const [userId, membership] of members) if (membership === 'join' && USER_ID.test(userId)) users.add(userId);
    if (!loaded.has(room.roomId)) notLoaded++;
  }
  users.delete(ownUserId);

  const gaps: string[] = [];
  if (!dump.saved) gaps.push('the client had not saved its sync data yet, so no room is known');
  if (dump.roomsTotal > dump.rooms.length) gaps.push(`only ${dump.rooms.length} of the ${dump.roomsTotal} joined rooms were read`);
  if (dump.oobTotal > dump.oobRead) gaps.push(`only ${dump.oobRead} of ${dump.oobTotal} stored member records were read`);
  if (notLoaded > 0) gaps.push(`${notLoaded} encrypted room${notLoaded === 1 ? '' : 's'} whose member list the client never loaded (lazy loading): people who have not spoken there recently are missing`);

  return ok({
    dbName: dump.dbName,
    version: dump.version,
    saved: dump.saved,
    accountData,
    rooms: { joined: dump.roomsTotal, encrypted, users: [ownUserId, ...[...users].sort()] },
    gaps,
  });
}
