/**
 * @module homeserver/accountData — the account-data types DESIGN.md's snapshot holds, fetched one
 * by one (there is no "list" endpoint). 404 M_NOT_FOUND means "not set" and the type is left out.
 * Key descriptions (`m.secret_storage.key.<id>`) are fetched for the default key and for every
 * key ID a secret is encrypted to, so an old or foreign key shows up too (at most `maxKeyIds`).
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonObject, type JsonValue, isJsonObject } from '../../core/json/strictJson.ts';
import { type CaptureError, captureError } from './errors.ts';
import type { HomeserverRequest } from './http.ts';

export const SECRET_TYPES = ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing', 'm.megolm_backup.v1'] as const;
export const DEFAULT_KEY_TYPE = 'm.secret_storage.default_key';
export const KEY_DESCRIPTION_PREFIX = 'm.secret_storage.key.';

async function fetchOne(request: HomeserverRequest, userId: string, type: string): Promise<Result<JsonValue | undefined, CaptureError>> {
  const r = await request('GET', ['user', userId, 'account_data', type]);
  if (r.ok) return r;
  if (r.error.status === 404 && r.error.errcode === 'M_NOT_FOUND') return ok(undefined);
  return r;
}

const usableKeyId = (id: string) => id.length > 0 && id.length <= 255;

export async function captureAccountData(
  request: HomeserverRequest,
  userId: string,
  opts: { maxKeyIds: number; onProgress?: (msg: string) => void },
): Promise<Result<JsonObject, CaptureError>> {
  const out: JsonObject = Object.create(null);
  for (const type of [DEFAULT_KEY_TYPE, ...SECRET_TYPES]) {
    const r = await fetchOne(request, userId, type);
    if (!r.ok) return r;
    if (r.value !== undefined) out[type] = r.value;
  }

  // Which key descriptions to read: the default key, then any key a secret names.
  const keyIds: string[] = [];
  const add = (id: unknown) => {
    if (typeof id === 'string' && usableKeyId(id) && !keyIds.includes(id)) keyIds.push(id);
  };
  const def = out[DEFAULT_KEY_TYPE];
  if (isJsonObject(def)) add(def['key']);
  for (const type of SECRET_TYPES) {
    const s = out[type];
    const enc = isJsonObject(s) ? s['encrypted'] : undefined;
    if (isJsonObject(enc)) for (const id of Object.keys(enc)) add(id);
  }
  if (keyIds.length > opts.maxKeyIds)
    return err(captureError('unsupported', `secret storage names ${keyIds.length} different keys, more than the limit of ${opts.maxKeyIds}`));
  for (const id of keyIds) {
    const type = KEY_DESCRIPTION_PREFIX + id;
    const r = await fetchOne(request, userId, type);
    if (!r.ok) return r;
    if (r.value !== undefined) out[type] = r.value;
  }
  opts.onProgress?.(`account data: ${Object.keys(out).length} of ${1 + SECRET_TYPES.length + keyIds.length} types set`);
  return ok(out);
}
