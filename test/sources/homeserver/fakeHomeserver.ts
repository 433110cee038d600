/**
 * A scripted homeserver for the client's unit tests: a `fetch` that records every call (URL and
 * init, headers included) and answers from a route table. Routes match `METHOD /path` exactly
 * (path without the query); unknown routes answer 404 M_UNRECOGNIZED like Synapse does.
 */
export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly init: RequestInit;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type Handler = (call: RecordedCall, n: number) => Response | Promise<Response>;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const matrixError = (status: number, errcode: string, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  json(status, { errcode, error, ...extra }, headers);

export const TOKEN = 'syt_c2VjcmV0_TOKENVALUE_123456';
export const ORIGIN = 'https://matrix.example.org';
export const ALICE = '@alice:example.org';

export function fakeFetch(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const counts = new Map<string, number>();
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: RecordedCall = { url, method, init, headers, body };
    calls.push(call);
    const key = `${method} ${new URL(url).pathname}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const handler = routes[key];
    if (!handler) return matrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    return handler(call, n);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

const P = '/_matrix/client/v3';

/** A small, consistent account: alice in one encrypted room with bob and one plain room with carol. */
export function aliceRoutes(overrides: Record<string, Handler> = {}): Record<string, Handler> {
  const deviceKeys = (user: string, device: string) => ({
    user_id: user,
    device_id: device,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`ed25519:${device}`]: 'AAAA', [`curve25519:${device}`]: 'BBBB' },
    signatures: {},
  });
  return {
    [`GET ${P}/account/whoami`]: () => json(200, { user_id: ALICE, device_id: 'ALICEDEV1', is_guest: false }),
    [`GET ${P}/joined_rooms`]: () => json(200, { joined_rooms: ['!enc:example.org', '!plain:example.org'] }),
    [`GET ${P}/rooms/!enc%3Aexample.org/state/m.room.encryption`]: () => json(200, { algorithm: 'm.megolm.v1.aes-sha2' }),
    [`GET ${P}/rooms/!plain%3Aexample.org/state/m.room.encryption`]: () => matrixError(404, 'M_NOT_FOUND', 'Event not found.'),
    [`GET ${P}/rooms/!enc%3Aexample.org/joined_members`]: () => json(200, { joined: { [ALICE]: {}, '@bob:example.org': {} } }),
    [`GET ${P}/rooms/!plain%3Aexample.org/joined_members`]: () => json(200, { joined: { [ALICE]: {}, '@carol:example.org': {} } }),
    [`POST ${P}/keys/query`]: (c) => {
      const users = Object.keys((c.body as { device_keys: Record<string, unknown> }).device_keys);
      const device_keys: Record<string, unknown> = {};
      for (const u of users) device_keys[u] = { DEV: deviceKeys(u, 'DEV') };
      return json(200, { device_keys, master_keys: {}, self_signing_keys: {}, user_signing_keys: {}, failures: {} });
    },
    [`GET ${P}/devices`]: () => json(200, { devices: [{ device_id: 'ALICEDEV1', display_name: 'laptop' }] }),
    [`GET ${P}/room_keys/version`]: () => json(200, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'PK', signatures: {} }, version: '3', etag: '1', count: 1 }),
    [`GET ${P}/room_keys/keys`]: () => json(200, { rooms: { '!enc:example.org': { sessions: { S1: { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: {} } } } } }),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.secret_storage.default_key`]: () => json(200, { key: 'KEYID' }),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.secret_storage.key.KEYID`]: () => json(200, { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', iv: 'i', mac: 'm' }),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.cross_signing.master`]: () => json(200, { encrypted: { KEYID: { iv: 'i', ciphertext: 'c', mac: 'm' } } }),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.cross_signing.self_signing`]: () => matrixError(404, 'M_NOT_FOUND', 'Account data not found'),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.cross_signing.user_signing`]: () => matrixError(404, 'M_NOT_FOUND', 'Account data not found'),
    [`GET ${P}/user/${encodeURIComponent(ALICE)}/account_data/m.megolm_backup.v1`]: () => matrixError(404, 'M_NOT_FOUND', 'Account data not found'),
    ...overrides,
  };
}

export const fixedNow = () => new Date('2026-12-04T15:00:00.000Z');
