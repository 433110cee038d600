/**
 * @module snapshot — the contract between sources and core (DESIGN.md "Snapshot"): reading a
 * parsed snapshot into a typed view. Only `format`, `userId`, `deviceId` and `keysQuery` are
 * required; every other part may be absent, and an absent part makes the checks that need it say
 * "not checked" rather than guess. Parts are kept as the raw JSON that was received, so
 * signatures are verified over exactly what the server sent.
 */
import { type Result, ok, err } from '../result.ts';
import { type JsonObject, type JsonValue, isJsonObject } from '../json/strictJson.ts';

export const SNAPSHOT_FORMAT = 'crosscheck-snapshot/1';

/** One Megolm session the client holds (DESIGN.md `local.sessions`). */
export interface LocalSession {
  readonly sessionId: string;
  /** Curve25519 key of the device that sent it. */
  readonly senderKey?: string;
  /** The first message index it can decrypt (0 = the whole session). */
  readonly firstKnownIndex?: number;
  /** Whether the client considers it uploaded to its key backup. */
  readonly backedUp?: boolean;
}

/** What this browser's client store knows (issue 5 fills it; optional everywhere). */
export interface LocalView {
  readonly client?: string;
  readonly deviceKeys?: { readonly ed25519?: string; readonly curve25519?: string };
  /** Public keys derived from locally cached private keys; `null` = not cached; absent = unknown. */
  readonly crossSigning?: { readonly master?: string | null; readonly selfSigning?: string | null; readonly userSigning?: string | null };
  /** `null` = the client holds no backup key; absent = unknown. */
  readonly backupKey?: { readonly version?: string; readonly publicKey?: string } | null;
  /**
   * Per user: the master key the client holds for them, its local verification flags, and
   * (extension) `pinnedMasterKey`, the master key the client last accepted for them when it is
   * not the one it holds now (an identity change the user has not acknowledged).
   */
  readonly identities: Readonly<Record<string, { readonly masterKey?: string; readonly verified?: boolean; readonly previouslyVerified?: boolean; readonly pinnedMasterKey?: string }>>;
  /** Megolm sessions per room (DESIGN.md); may list only some sessions of a large store (see `sessionCounts`). */
  readonly sessions?: Readonly<Record<string, readonly LocalSession[]>>;
  /** Extension: exact session counts per room (all sessions, and those not backed up), even when `sessions` is partial. */
  readonly sessionCounts?: Readonly<Record<string, { readonly total: number; readonly notBackedUp: number }>>;
  /** Withheld room keys per room and session (DESIGN.md): the `m.room_key.withheld` code and who sent it. */
  readonly withheld?: Readonly<Record<string, Readonly<Record<string, { readonly code: string; readonly sender?: string }>>>>;
}

export interface Pin {
  readonly masterKey: string;
  readonly firstSeen?: string;
}

export interface Snapshot {
  readonly capturedAt?: string;
  readonly homeserver?: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly keysQuery: JsonObject;
  /** Extension: the user IDs the capture asked /keys/query about, so a user the server left out is "unknown", not absent. */
  readonly queriedUsers?: readonly string[];
  readonly devices?: JsonObject;
  /** `null` = the server said there is no backup (M_NOT_FOUND); absent = not captured. */
  readonly keyBackup?: JsonObject | null;
  readonly keyBackupSessions?: JsonObject;
  readonly accountData?: JsonObject;
  readonly local?: LocalView;
  /** Extension: why this browser's client store could not be read (reported as not checked). */
  readonly localUnavailable?: string;
  /**
   * Extension: where `keysQuery` came from. `client-store` = an offline snapshot assembled from
   * the client's own stores (sources/clientStorage/offlineSnapshot.ts), not from the homeserver.
   */
  readonly capturedFrom?: 'homeserver' | 'client-store';
  /** Extension: what the capture knows it may have missed, in words (listed under "not checked"). */
  readonly coverageGaps?: readonly string[];
  readonly pins: Readonly<Record<string, Pin>>;
}

export interface SnapshotError {
  readonly code: 'not-a-snapshot' | 'unsupported-format' | 'missing-field' | 'bad-field';
  /** One line: what was wrong and where. */
  readonly message: string;
}

const USER_ID = /^@[^:\s]+:[^\s]+$/;

const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads a parsed snapshot. Fails only when the required parts are unusable. */
export function readSnapshot(input: JsonValue): Result<Snapshot, SnapshotError> {
  if (!isJsonObject(input)) return err({ code: 'not-a-snapshot', message: 'the snapshot is not a JSON object' });
  const format = input['format'];
  if (format === undefined) return err({ code: 'missing-field', message: 'the snapshot has no "format" field (expected "crosscheck-snapshot/1")' });
  if (format !== SNAPSHOT_FORMAT) return err({ code: 'unsupported-format', message: `unsupported snapshot format ${JSON.stringify(format)} (expected "${SNAPSHOT_FORMAT}")` });
  const userId = input['userId'];
  if (typeof userId !== 'string') return err({ code: 'missing-field', message: 'the snapshot has no "userId" string' });
  if (!USER_ID.test(userId)) return err({ code: 'bad-field', message: `"userId" ${JSON.stringify(userId)} is not a Matrix user ID (@localpart:server)` });
  const deviceId = input['deviceId'];
  if (typeof deviceId !== 'string' || deviceId.length === 0) return err({ code: 'missing-field', message: 'the snapshot has no "deviceId" string' });
  const keysQuery = input['keysQuery'];
  if (!isJsonObject(keysQuery)) return err({ code: 'missing-field', message: 'the snapshot has no "keysQuery" object (the raw /keys/query response)' });

  const optionalObject = (name: string): Result<JsonObject | undefined, SnapshotError> => {
    const v = input[name];
    if (v === undefined) return ok(undefined);
    if (isJsonObject(v)) return ok(v);
    return err({ code: 'bad-field', message: `"${name}" must be an object when present` });
  };
  const devices = optionalObject('devices');
  if (!devices.ok) return devices;
  const sessions = optionalObject('keyBackupSessions');
  if (!sessions.ok) return sessions;
  const accountData = optionalObject('accountData');
  if (!accountData.ok) return accountData;
  const kb = input['keyBackup'];
  if (kb !== undefined && kb !== null && !isJsonObject(kb)) return err({ code: 'bad-field', message: '"keyBackup" must be an object or null when present' });
  const q = input['queriedUsers'];
  if (q !== undefined && !(Array.isArray(q) && q.every((u) => typeof u === 'string' && USER_ID.test(u))))
    return err({ code: 'bad-field', message: '"queriedUsers" must be an array of Matrix user IDs when present' });
  const local = readLocal(input['local']);
  if (!local.ok) return local;
  const from = input['capturedFrom'];
  if (from !== undefined && from !== 'homeserver' && from !== 'client-store') return err({ code: 'bad-field', message: '"capturedFrom" must be "homeserver" or "client-store" when present' });
  const gaps = input['coverageGaps'];
  if (gaps !== undefined && !(Array.isArray(gaps) && gaps.length <= 100 && gaps.every((g) => typeof g === 'string' && g.length <= 1000)))
    return err({ code: 'bad-field', message: '"coverageGaps" must be a list of short sentences when present' });
  const pins = readPins(input['pins']);
  if (!pins.ok) return pins;

  return ok({
    ...(str(input['capturedAt']) !== undefined ? { capturedAt: str(input['capturedAt']) as string } : {}),
    ...(str(input['homeserver']) !== undefined ? { homeserver: str(input['homeserver']) as string } : {}),
    userId,
    deviceId,
    keysQuery,
    ...(q !== undefined ? { queriedUsers: q as string[] } : {}),
    ...(devices.value ? { devices: devices.value } : {}),
    ...(kb !== undefined ? { keyBackup: kb } : {}),
    ...(sessions.value ? { keyBackupSessions: sessions.value } : {}),
    ...(accountData.value ? { accountData: accountData.value } : {}),
    ...(local.value ? { local: local.value } : {}),
    ...(typeof input['localUnavailable'] === 'string' ? { localUnavailable: input['localUnavailable'].slice(0, 1000) } : {}),
    ...(from !== undefined ? { capturedFrom: from } : {}),
    ...(gaps !== undefined ? { coverageGaps: gaps as string[] } : {}),
    pins: pins.value,
  });
}

function readLocal(v: JsonValue | undefined): Result<LocalView | undefined, SnapshotError> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonObject(v)) return err({ code: 'bad-field', message: '"local" must be an object when present' });
  const bad = (what: string) => err<SnapshotError>({ code: 'bad-field', message: `"local.${what}" has the wrong type` });
  const optStr = (o: JsonObject, k: string): string | undefined | false => {
    const x = o[k];
    return x === undefined ? undefined : typeof x === 'string' ? x : false;
  };
  const nullableStr = (o: JsonObject, k: string): string | null | undefined | false => {
    const x = o[k];
    return x === undefined ? undefined : x === null ? null : typeof x === 'string' ? x : false;
  };
  let deviceKeys: LocalView['deviceKeys'];
  if (v['deviceKeys'] !== undefined && v['deviceKeys'] !== null) {
    const d = v['deviceKeys'];
    if (!isJsonObject(d)) return bad('deviceKeys');
    const e = optStr(d, 'ed25519');
    const c = optStr(d, 'curve25519');
    if (e === false || c === false) return bad('deviceKeys');
    deviceKeys = { ...(e !== undefined ? { ed25519: e } : {}), ...(c !== undefined ? { curve25519: c } : {}) };
  }
  let crossSigning: LocalView['crossSigning'];
  if (v['crossSigning'] !== undefined && v['crossSigning'] !== null) {
    const c = v['crossSigning'];
    if (!isJsonObject(c)) return bad('crossSigning');
    const m = nullableStr(c, 'master');
    const s = nullableStr(c, 'selfSigning');
    const u = nullableStr(c, 'userSigning');
    if (m === false || s === false || u === false) return bad('crossSigning');
    crossSigning = { ...(m !== undefined ? { master: m } : {}), ...(s !== undefined ? { selfSigning: s } : {}), ...(u !== undefined ? { userSigning: u } : {}) };
  }
  let backupKey: LocalView['backupKey'];
  const b = v['backupKey'];
  if (b === null) backupKey = null;
  else if (b !== undefined) {
    if (!isJsonObject(b)) return bad('backupKey');
    const ver = optStr(b, 'version');
    const pk = optStr(b, 'publicKey');
    if (ver === false || pk === false) return bad('backupKey');
    backupKey = { ...(ver !== undefined ? { version: ver } : {}), ...(pk !== undefined ? { publicKey: pk } : {}) };
  }
  const identities: Record<string, { masterKey?: string; verified?: boolean; previouslyVerified?: boolean; pinnedMasterKey?: string }> = Object.create(null);
  const ids = v['identities'];
  if (ids !== undefined && ids !== null) {
    if (!isJsonObject(ids)) return bad('identities');
    for (const [user, rec] of Object.entries(ids)) {
      if (!isJsonObject(rec)) return bad(`identities["${user}"]`);
      const mk = optStr(rec, 'masterKey');
      if (mk === false) return bad(`identities["${user}"].masterKey`);
      const pinned = optStr(rec, 'pinnedMasterKey');
      if (pinned === false) return bad(`identities["${user}"].pinnedMasterKey`);
      const verified = rec['verified'];
      const prev = rec['previouslyVerified'];
      identities[user] = {
        ...(mk !== undefined ? { masterKey: mk } : {}),
        ...(typeof verified === 'boolean' ? { verified } : {}),
        ...(typeof prev === 'boolean' ? { previouslyVerified: prev } : {}),
        ...(pinned !== undefined ? { pinnedMasterKey: pinned } : {}),
      };
    }
  }
  const sessions = readLocalSessions(v['sessions']);
  if (!sessions.ok) return sessions;
  const sessionCounts = readSessionCounts(v['sessionCounts']);
  if (!sessionCounts.ok) return sessionCounts;
  const withheld = readWithheld(v['withheld']);
  if (!withheld.ok) return withheld;
  const client = optStr(v, 'client');
  return ok({
    ...(typeof client === 'string' ? { client } : {}),
    ...(deviceKeys ? { deviceKeys } : {}),
    ...(crossSigning ? { crossSigning } : {}),
    ...(backupKey !== undefined ? { backupKey } : {}),
    identities,
    ...(sessions.value ? { sessions: sessions.value } : {}),
    ...(sessionCounts.value ? { sessionCounts: sessionCounts.value } : {}),
    ...(withheld.value ? { withheld: withheld.value } : {}),
  });
}

const isCount = (x: JsonValue | undefined): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const badLocal = (what: string) => err<SnapshotError>({ code: 'bad-field', message: `"local.${what}" has the wrong type` });

/** `local.sessions`: room → [{sessionId, senderKey?, firstKnownIndex?, backedUp?}]. */
function readLocalSessions(v: JsonValue | undefined): Result<Record<string, LocalSession[]> | undefined, SnapshotError> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonObject(v)) return badLocal('sessions');
  const out: Record<string, LocalSession[]> = Object.create(null);
  for (const [room, list] of Object.entries(v)) {
    if (!Array.isArray(list)) return badLocal(`sessions["${room}"]`);
    const sessions: LocalSession[] = [];
    for (const s of list) {
      if (!isJsonObject(s) || typeof s['sessionId'] !== 'string') return badLocal(`sessions["${room}"][]`);
      const senderKey = s['senderKey'];
      const index = s['firstKnownIndex'];
      const backedUp = s['backedUp'];
      if ((senderKey !== undefined && typeof senderKey !== 'string') || (index !== undefined && !isCount(index)) || (backedUp !== undefined && typeof backedUp !== 'boolean'))
        return badLocal(`sessions["${room}"][]`);
      sessions.push({
        sessionId: s['sessionId'],
        ...(typeof senderKey === 'string' ? { senderKey } : {}),
        ...(isCount(index) ? { firstKnownIndex: index } : {}),
        ...(typeof backedUp === 'boolean' ? { backedUp } : {}),
      });
    }
    out[room] = sessions;
  }
  return ok(out);
}

/** `local.sessionCounts` (extension): room → {total, notBackedUp}. */
function readSessionCounts(v: JsonValue | undefined): Result<Record<string, { total: number; notBackedUp: number }> | undefined, SnapshotError> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonObject(v)) return badLocal('sessionCounts');
  const out: Record<string, { total: number; notBackedUp: number }> = Object.create(null);
  for (const [room, c] of Object.entries(v)) {
    if (!isJsonObject(c) || !isCount(c['total']) || !isCount(c['notBackedUp']) || c['notBackedUp'] > c['total']) return badLocal(`sessionCounts["${room}"]`);
    out[room] = { total: c['total'], notBackedUp: c['notBackedUp'] };
  }
  return ok(out);
}

/** `local.withheld`: room → session → {code, sender?}. */
function readWithheld(v: JsonValue | undefined): Result<Record<string, Record<string, { code: string; sender?: string }>> | undefined, SnapshotError> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonObject(v)) return badLocal('withheld');
  const out: Record<string, Record<string, { code: string; sender?: string }>> = Object.create(null);
  for (const [room, sessions] of Object.entries(v)) {
    if (!isJsonObject(sessions)) return badLocal(`withheld["${room}"]`);
    const r: Record<string, { code: string; sender?: string }> = Object.create(null);
    for (const [session, w] of Object.entries(sessions)) {
      if (!isJsonObject(w) || typeof w['code'] !== 'string' || (w['sender'] !== undefined && typeof w['sender'] !== 'string')) return badLocal(`withheld["${room}"]["${session}"]`);
      const sender = w['sender'];
      r[session] = { code: w['code'], ...(typeof sender === 'string' ? { sender } : {}) };
    }
    out[room] = r;
  }
  return ok(out);
}

function readPins(v: JsonValue | undefined): Result<Record<string, Pin>, SnapshotError> {
  const pins: Record<string, Pin> = Object.create(null);
  if (v === undefined || v === null) return ok(pins);
  if (!isJsonObject(v)) return err({ code: 'bad-field', message: '"pins" must be an object when present' });
  for (const [user, p] of Object.entries(v)) {
    if (!isJsonObject(p) || typeof p['masterKey'] !== 'string')
      return err({ code: 'bad-field', message: `"pins["${user}"]" must be an object with a "masterKey" string` });
    const firstSeen = p['firstSeen'];
    pins[user] = { masterKey: p['masterKey'], ...(typeof firstSeen === 'string' ? { firstSeen } : {}) };
  }
  return ok(pins);
}
