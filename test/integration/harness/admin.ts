/**
 * @module harness/admin — creating users and signing in devices on the test Synapse, with plain
 * fetch (the seeder's clients come later). Users are made through the shared-secret admin API:
 * GET a nonce, POST with HMAC-SHA1(secret, nonce NUL user NUL password NUL "notadmin").
 */
import { createHmac } from 'node:crypto';

export interface Credentials {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly password: string;
}

async function call(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const r = await fetch(baseUrl + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Registers `localpart` and signs out the device that registration creates, so the account starts with none. */
export async function registerUser(hs: { baseUrl: string; sharedSecret: string }, localpart: string, password: string): Promise<string> {
  const { nonce } = (await call(hs.baseUrl, 'GET', '/_synapse/admin/v1/register')) as { nonce: string };
  const mac = createHmac('sha1', hs.sharedSecret).update(`${nonce}\0${localpart}\0${password}\0notadmin`).digest('hex');
  const r = (await call(hs.baseUrl, 'POST', '/_synapse/admin/v1/register', { nonce, username: localpart, password, admin: false, mac })) as {
    user_id: string;
    access_token: string;
  };
  await call(hs.baseUrl, 'POST', '/_matrix/client/v3/logout', {}, r.access_token);
  return r.user_id;
}

/** Signs in a new device with a fixed ID, by password. */
export async function login(baseUrl: string, userId: string, password: string, deviceId: string): Promise<Credentials> {
  const r = (await call(baseUrl, 'POST', '/_matrix/client/v3/login', {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: userId },
    password,
    device_id: deviceId,
    initial_device_display_name: `${deviceId} (crosscheck seed)`,
  })) as { user_id: string; device_id: string; access_token: string };
  return { userId: r.user_id, deviceId: r.device_id, accessToken: r.access_token, password };
}

/** Raw authenticated request, for test set-up and inspection only (never for what is under test). */
export function clientApi(baseUrl: string, token: string) {
  return (method: string, path: string, body?: unknown) => call(baseUrl, method, `/_matrix/client/v3${path}`, body, token);
}
