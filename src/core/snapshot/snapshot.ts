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

/** What this browser's client store knows (issue 5 fills it; optional everywhere). */
export interface LocalView {
  readonly client?: string;
  readonly deviceKeys?: { readonly ed25519?: string; readonly curve25519?: string };
  /** Public keys derived from locally cached private keys; `null` = not cached; absent = unknown. */
  readonly crossSigning?: { readonly master?: string | null; readonly selfSigning?: string | null; readonly userSigning?: string | null };
  /** `null` = the client holds no backup key; absent = unknown. */
  readonly backupKey?: { readonly version?: string; readonly publicKey?: string } | null;
  readonly identities: Readonly<Record<string, { readonly masterKey?: string; readonly verified?: boolean; readonly previouslyVerified?: boolean }>>;
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
  const identities: Record<string, { masterKey?: string; verified?: boolean; previouslyVerified?: boolean }> = Object.create(null);
  const ids = v['identities'];
  if (ids !== undefined && ids !== null) {
    if (!isJsonObject(ids)) return bad('identities');
    for (const [user, rec] of Object.entries(ids)) {
      if (!isJsonObject(rec)) return bad(`identities["${user}"]`);
      const mk = optStr(rec, 'masterKey');
      if (mk === false) return bad(`identities["${user}"].masterKey`);
      const verified = rec['verified'];
      const prev = rec['previouslyVerified'];
      identities[user] = {
        ...(mk !== undefined ? { masterKey: mk } : {}),
        ...(typeof verified === 'boolean' ? { verified } : {}),
        ...(typeof prev === 'boolean' ? { previouslyVerified: prev } : {}),
      };
    }
  }
  const client = optStr(v, 'client');
  return ok({
    ...(typeof client === 'string' ? { client } : {}),
    ...(deviceKeys ? { deviceKeys } : {}),
    ...(crossSigning ? { crossSigning } : {}),
    ...(backupKey !== undefined ? { backupKey } : {}),
    identities,
  });
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
