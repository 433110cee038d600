/**
 * @module homeserver/capture — reads everything an audit needs from a live homeserver into a
 * snapshot exactly as DESIGN.md describes: raw responses, nothing invented. A part the server
 * says is absent is left out (`keyBackup: null` when it says M_NOT_FOUND); a failure anywhere
 * fails the capture with a typed {@link CaptureError} rather than producing a partial picture.
 * Read-only: only GETs, plus the POST that /keys/query is.
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonObject, isJsonObject } from '../../core/json/strictJson.ts';
import { type CaptureError, captureError } from './errors.ts';
import { parseHomeserver } from './origin.ts';
import { type HttpLimits, checkToken, createRequest, defaultSleep } from './http.ts';
import { usersInEncryptedRooms } from './encryptedRooms.ts';
import { queryKeys } from './keysQuery.ts';
import { captureAccountData } from './accountData.ts';

export const SNAPSHOT_FORMAT = 'crosscheck-snapshot/1';

/** The snapshot as plain JSON (DESIGN.md "Snapshot"); `local` and `pins` come from other sources. */
export type CapturedSnapshot = {
  format: typeof SNAPSHOT_FORMAT;
  capturedAt: string;
  homeserver: string;
  userId: string;
  deviceId: string;
  /** Who /keys/query was asked about, so a user the server leaves out is "unknown", not absent (DESIGN.md extension). */
  queriedUsers: string[];
  keysQuery: JsonObject;
  devices?: JsonObject;
  /** `null`: the server said there is no backup (404 M_NOT_FOUND). */
  keyBackup?: JsonObject | null;
  keyBackupSessions?: JsonObject;
  accountData?: JsonObject;
};

export interface CaptureLimits extends HttpLimits {
  /** Body limit for `/room_keys/keys` (it can be large). */
  readonly maxBackupSessionsBytes: number;
  /** Users per `/keys/query` request. */
  readonly keysQueryBatchSize: number;
  /** Refuse accounts in more rooms than this (two requests per room). */
  readonly maxRooms: number;
  /** Room requests in flight at once. */
  readonly concurrency: number;
  /** Secret-storage key descriptions fetched at most. */
  readonly maxSecretStorageKeys: number;
}

export const DEFAULT_LIMITS: CaptureLimits = {
  requestTimeoutMs: 30_000,
  maxResponseBytes: 16 * 1024 * 1024,
  maxRetries: 3,
  maxRetryWaitMs: 60_000,
  maxBackupSessionsBytes: 128 * 1024 * 1024,
  keysQueryBatchSize: 250,
  maxRooms: 5000,
  concurrency: 4,
  maxSecretStorageKeys: 16,
};

export interface CaptureOptions {
  /** Base URL, e.g. `https://matrix.example.org` (plain http only for loopback). */
  readonly homeserver: string;
  /** Sent only as `Authorization: Bearer` to that origin; never logged, never in errors. */
  readonly accessToken: string;
  readonly fetch?: typeof fetch;
  readonly now: () => Date;
  /** Short progress lines (for stderr); never contain the token. */
  readonly onProgress?: (msg: string) => void;
  /** Also capture `/room_keys/keys` for the current backup version (can be large). */
  readonly includeBackupSessions?: boolean;
  readonly limits?: Partial<CaptureLimits>;
  /** Cancels the capture. */
  readonly signal?: AbortSignal;
  /** How to wait before a 429 retry (tests pass a fake). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const USER_ID = /^@[^:\s]+:\S+$/;
const WHOAMI = 'GET /_matrix/client/v3/account/whoami';

export async function captureSnapshot(opts: CaptureOptions): Promise<Result<CapturedSnapshot, CaptureError>> {
  const hs = parseHomeserver(opts.homeserver);
  if (!hs.ok) return hs;
  const token = checkToken(opts.accessToken);
  if (!token.ok) return token;
  const limits: CaptureLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const progress = opts.onProgress;
  const request = createRequest(hs.value, token.value, limits, {
    fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    now: opts.now,
    sleep: opts.sleep ?? defaultSleep,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(progress ? { onProgress: progress } : {}),
  });
  const capturedAt = opts.now().toISOString().replace(/\.\d{3}Z$/, 'Z');

  // Who the token belongs to.
  const who = await request('GET', ['account', 'whoami']);
  if (!who.ok) return who;
  const userId = isJsonObject(who.value) ? who.value['user_id'] : undefined;
  const deviceId = isJsonObject(who.value) ? who.value['device_id'] : undefined;
  if (typeof userId !== 'string' || !USER_ID.test(userId))
    return err(captureError('malformed-response', `${WHOAMI}: no valid "user_id" in the response`, { endpoint: WHOAMI }));
  if (typeof deviceId !== 'string' || deviceId.length === 0)
    return err(captureError('unsupported', `${WHOAMI}: the homeserver did not say which device this token belongs to (no "device_id"; Matrix 1.1+ needed, and an application-service token has none)`, { endpoint: WHOAMI }));
  progress?.(`signed in as ${userId}, device ${deviceId}`);

  // Everyone whose keys the audit needs.
  const members = await usersInEncryptedRooms(request, userId, {
    maxRooms: limits.maxRooms,
    concurrency: limits.concurrency,
    ...(progress ? { onProgress: progress } : {}),
  });
  if (!members.ok) return members;
  const keysQuery = await queryKeys(request, members.value.users, { batchSize: limits.keysQueryBatchSize, ...(progress ? { onProgress: progress } : {}) });
  if (!keysQuery.ok) return keysQuery;

  const devices = await request('GET', ['devices']);
  if (!devices.ok) return devices;
  if (!isJsonObject(devices.value)) return err(captureError('malformed-response', 'GET /_matrix/client/v3/devices: the response is not a JSON object', { endpoint: 'GET /_matrix/client/v3/devices' }));

  // Key backup: null when the server says there is none; left out when it lacks the feature.
  let keyBackup: JsonObject | null | undefined;
  let keyBackupSessions: JsonObject | undefined;
  const kb = await request('GET', ['room_keys', 'version']);
  if (kb.ok) {
    if (!isJsonObject(kb.value)) return err(captureError('malformed-response', 'GET /_matrix/client/v3/room_keys/version: the response is not a JSON object', { endpoint: 'GET /_matrix/client/v3/room_keys/version' }));
    keyBackup = kb.value;
    const version = kb.value['version'];
    progress?.(`key backup: version ${typeof version === 'string' ? version : '(none given)'}`);
    if (opts.includeBackupSessions && typeof version === 'string') {
      const s = await request('GET', ['room_keys', 'keys'], { query: { version }, maxBytes: limits.maxBackupSessionsBytes });
      if (!s.ok) return s;
      if (!isJsonObject(s.value)) return err(captureError('malformed-response', 'GET /_matrix/client/v3/room_keys/keys: the response is not a JSON object', { endpoint: 'GET /_matrix/client/v3/room_keys/keys' }));
      keyBackupSessions = s.value;
      const rooms = isJsonObject(s.value['rooms']) ? Object.values(s.value['rooms']) : [];
      const count = rooms.reduce<number>((n, r) => n + (isJsonObject(r) && isJsonObject(r['sessions']) ? Object.keys(r['sessions']).length : 0), 0);
      progress?.(`key backup: ${count} session${count === 1 ? '' : 's'} in ${rooms.length} room${rooms.length === 1 ? '' : 's'}`);
    }
  } else if (kb.error.status === 404 && kb.error.errcode === 'M_NOT_FOUND') {
    keyBackup = null;
    progress?.('key backup: none on the server');
  } else if (kb.error.code === 'not-found' && kb.error.errcode === 'M_UNRECOGNIZED') {
    progress?.('key backup: the homeserver does not support key backup; left out of the snapshot');
  } else {
    return kb;
  }

  const accountData = await captureAccountData(request, userId, { maxKeyIds: limits.maxSecretStorageKeys, ...(progress ? { onProgress: progress } : {}) });
  if (!accountData.ok) return accountData;

  return ok({
    format: SNAPSHOT_FORMAT,
    capturedAt,
    homeserver: hs.value.baseUrl,
    userId,
    deviceId,
    queriedUsers: [...members.value.users],
    keysQuery: keysQuery.value,
    devices: devices.value,
    ...(keyBackup !== undefined ? { keyBackup } : {}),
    ...(keyBackupSessions !== undefined ? { keyBackupSessions } : {}),
    accountData: accountData.value,
  });
}
