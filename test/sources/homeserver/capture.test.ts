import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureSnapshot, type CaptureOptions } from '../../../src/sources/homeserver/capture.ts';
import { readSnapshot } from '../../../src/core/snapshot/snapshot.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { ALICE, ORIGIN, TOKEN, aliceRoutes, fakeFetch, fixedNow, json, matrixError, type Handler } from './fakeHomeserver.ts';

const P = '/_matrix/client/v3';

function options(f: typeof fetch, extra: Partial<CaptureOptions> = {}): CaptureOptions {
  return { homeserver: ORIGIN, accessToken: TOKEN, fetch: f, now: fixedNow, sleep: async () => {}, ...extra };
}

test('captures a snapshot DESIGN.md describes, readable by the core', async () => {
  const progress: string[] = [];
  const { fetch, calls } = fakeFetch(aliceRoutes());
  const r = await captureSnapshot(options(fetch, { includeBackupSessions: true, onProgress: (m) => progress.push(m) }));
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  const s = r.value;
  assert.equal(s.format, 'crosscheck-snapshot/1');
  assert.equal(s.capturedAt, '2026-12-04T15:00:00Z');
  assert.equal(s.homeserver, ORIGIN);
  assert.equal(s.userId, ALICE);
  assert.equal(s.deviceId, 'ALICEDEV1');
  // Only users sharing an *encrypted* room are queried: bob yes, carol (plain room) no.
  const query = calls.find((c) => c.method === 'POST');
  assert.deepEqual(Object.keys((query?.body as { device_keys: object }).device_keys), [ALICE, '@bob:example.org']);
  assert.deepEqual(Object.keys(s.keysQuery['device_keys'] as object), [ALICE, '@bob:example.org']);
  assert.equal((s.keyBackup as { version: string }).version, '3');
  assert.ok(s.keyBackupSessions);
  // Account data: present types kept raw, 404 types left out, the default key's description fetched.
  assert.deepEqual(Object.keys(s.accountData ?? {}).sort(), ['m.cross_signing.master', 'm.secret_storage.default_key', 'm.secret_storage.key.KEYID']);
  const reread = parseStrictJson(JSON.stringify(s));
  assert.ok(reread.ok);
  assert.ok(readSnapshot(reread.value).ok);
  assert.ok(progress.some((m) => m.includes('keys/query')));
  assert.ok(progress.every((m) => !m.includes(TOKEN)));
});

test('every request: token only in the Authorization header, only to the origin, hardened fetch options', async () => {
  const { fetch, calls } = fakeFetch(aliceRoutes());
  const r = await captureSnapshot(options(fetch, { includeBackupSessions: true }));
  assert.ok(r.ok);
  assert.ok(calls.length >= 10);
  for (const c of calls) {
    const url = new URL(c.url);
    assert.equal(url.origin, ORIGIN);
    assert.ok(!c.url.includes(TOKEN), 'token in URL');
    assert.ok(!/access_token/i.test(c.url), 'access_token parameter');
    assert.equal(c.headers['authorization'], `Bearer ${TOKEN}`);
    for (const [k, v] of Object.entries(c.headers)) if (k !== 'authorization') assert.ok(!v.includes(TOKEN), k);
    if (c.body !== undefined) assert.ok(!JSON.stringify(c.body).includes(TOKEN));
    assert.equal(c.init.redirect, 'error');
    assert.equal(c.init.credentials, 'omit');
    assert.equal(c.init.referrerPolicy, 'no-referrer');
    assert.equal(c.init.cache, 'no-store');
    assert.ok(c.init.signal instanceof AbortSignal, 'per-request time limit');
  }
  // The backup sessions request carries the version as a query parameter, nothing else.
  const keys = calls.find((c) => c.url.includes('/room_keys/keys'));
  assert.equal(new URL(keys?.url ?? '').search, '?version=3');
});

test('plain http to a non-loopback host is refused before any request', async () => {
  const { fetch, calls } = fakeFetch(aliceRoutes());
  const r = await captureSnapshot(options(fetch, { homeserver: 'http://matrix.example.org' }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'insecure-homeserver');
  assert.equal(calls.length, 0);
  const local = await captureSnapshot(options(fakeFetch(aliceRoutes()).fetch, { homeserver: 'http://127.0.0.1:8008' }));
  assert.ok(local.ok);
});

test('a redirect is refused, never followed', async () => {
  // As undici reports `redirect: 'error'`.
  const thrown = fakeFetch(
    aliceRoutes({
      [`GET ${P}/account/whoami`]: (c) => {
        assert.equal(c.init.redirect, 'error');
        throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
      },
    }),
  );
  const a = await captureSnapshot(options(thrown.fetch));
  assert.ok(!a.ok);
  assert.equal(a.error.code, 'redirect-refused');
  assert.match(a.error.message, /never follows/);
  assert.equal(thrown.calls.length, 1);
  // A fetch that hands the 3xx back anyway.
  const handed = fakeFetch(aliceRoutes({ [`GET ${P}/account/whoami`]: () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }) }));
  const b = await captureSnapshot(options(handed.fetch));
  assert.ok(!b.ok);
  assert.equal(b.error.code, 'redirect-refused');
  assert.equal(handed.calls.length, 1);
  assert.ok(!handed.calls.some((c) => c.url.startsWith('https://evil.example')));
});

test('401 M_UNKNOWN_TOKEN becomes a clear message without the token, even if the server echoes it', async () => {
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/account/whoami`]: () => matrixError(401, 'M_UNKNOWN_TOKEN', `Invalid access token passed: ${TOKEN}`, { soft_logout: false }) }));
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'token-rejected');
  assert.equal(r.error.status, 401);
  assert.equal(r.error.errcode, 'M_UNKNOWN_TOKEN');
  assert.match(r.error.message, /^the access token was rejected/);
  assert.ok(!JSON.stringify(r.error).includes(TOKEN));
  assert.ok(!r.error.message.includes('\n'));
});

test('a 401 later in the capture (token revoked midway) fails the same way', async () => {
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: () => matrixError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token') }));
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'token-rejected');
});

test('an empty or header-unsafe token is refused without a request', async () => {
  for (const t of ['', 'abc def', 'abc\r\nX-Evil: 1']) {
    const { fetch, calls } = fakeFetch(aliceRoutes());
    const r = await captureSnapshot(options(fetch, { accessToken: t }));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'bad-token');
    assert.equal(calls.length, 0);
  }
});

test('response size limit: the body is not read past the limit', async () => {
  let pulled = 0;
  const endless = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          pulled++;
          c.enqueue(new TextEncoder().encode('{"devices":[' + '{"device_id":"X"},'.repeat(64)));
        },
      }),
      { status: 200 },
    );
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: endless }));
  const r = await captureSnapshot(options(fetch, { limits: { maxResponseBytes: 10_000 } }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'too-large');
  assert.match(r.error.message, /larger than the limit of 10000 bytes/);
  assert.ok(pulled < 20, `read ${pulled} chunks`);
  // A declared Content-Length over the limit is refused before reading.
  const big = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: () => new Response('{}', { status: 200, headers: { 'content-length': '99999999' } }) }));
  const b = await captureSnapshot(options(big.fetch, { limits: { maxResponseBytes: 10_000 } }));
  assert.ok(!b.ok);
  assert.equal(b.error.code, 'too-large');
});

test('429 is retried politely, honouring Retry-After, a bounded number of times', async () => {
  const waits: number[] = [];
  const progress: string[] = [];
  const limited: Handler = (_c, n) => (n <= 2 ? matrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', { retry_after_ms: 99 }, { 'retry-after': '2' }) : json(200, { devices: [] }));
  const { fetch, calls } = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: limited }));
  const r = await captureSnapshot(options(fetch, { sleep: async (ms) => void waits.push(ms), onProgress: (m) => progress.push(m) }));
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.deepEqual(waits, [2000, 2000], 'the header wins over retry_after_ms');
  assert.equal(calls.filter((c) => c.url.endsWith('/devices')).length, 3);
  assert.ok(progress.some((m) => /rate-limited .* waiting 2 s/.test(m)));

  // Without Retry-After, the deprecated body field is used.
  const w2: number[] = [];
  const f2 = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: (_c, n) => (n === 1 ? matrixError(429, 'M_LIMIT_EXCEEDED', 'slow down', { retry_after_ms: 1500 }) : json(200, { devices: [] })) }));
  assert.ok((await captureSnapshot(options(f2.fetch, { sleep: async (ms) => void w2.push(ms) }))).ok);
  assert.deepEqual(w2, [1500]);

  // Always 429: gives up after maxRetries.
  const always = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: () => matrixError(429, 'M_LIMIT_EXCEEDED', 'no', {}, { 'retry-after': '1' }) }));
  const g = await captureSnapshot(options(always.fetch, { limits: { maxRetries: 2 } }));
  assert.ok(!g.ok);
  assert.equal(g.error.code, 'rate-limited');
  assert.equal(always.calls.filter((c) => c.url.endsWith('/devices')).length, 3);

  // Asking for a wait longer than allowed fails at once.
  const long = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: () => matrixError(429, 'M_LIMIT_EXCEEDED', 'no', {}, { 'retry-after': '3600' }) }));
  const l = await captureSnapshot(options(long.fetch));
  assert.ok(!l.ok);
  assert.equal(l.error.code, 'rate-limited');
  assert.equal(l.error.retryAfterMs, 3_600_000);
  assert.equal(long.calls.filter((c) => c.url.endsWith('/devices')).length, 1);
});

test('a request that takes too long times out with a clear message', async () => {
  const hang: Handler = (c) =>
    new Promise((_resolve, reject) => {
      c.init.signal?.addEventListener('abort', () => reject(c.init.signal?.reason));
    });
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/joined_rooms`]: hang }));
  const r = await captureSnapshot(options(fetch, { limits: { requestTimeoutMs: 50 } }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'timeout');
  assert.match(r.error.message, /GET \/_matrix\/client\/v3\/joined_rooms: no complete answer within 0\.1 s/);
});

test('malformed JSON is reported with the strict reader’s path and position', async () => {
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/devices`]: () => json(200, '{"devices": [{"device_id": "A", "device_id": "B"}]}') }));
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'malformed-response');
  assert.equal(r.error.json?.code, 'duplicate-key');
  assert.equal(r.error.json?.path, '$.devices[0]');
  assert.match(r.error.message, /GET \/_matrix\/client\/v3\/devices: the response is not valid JSON: .*line 1, column \d+ \(in \$\.devices\[0\]\)/);
});

test('no backup (404 M_NOT_FOUND) becomes keyBackup: null; a server without the feature leaves it out', async () => {
  const none = fakeFetch(aliceRoutes({ [`GET ${P}/room_keys/version`]: () => matrixError(404, 'M_NOT_FOUND', 'No current backup version') }));
  const a = await captureSnapshot(options(none.fetch, { includeBackupSessions: true }));
  assert.ok(a.ok);
  assert.equal(a.value.keyBackup, null);
  assert.ok(!('keyBackupSessions' in a.value));
  assert.ok(!none.calls.some((c) => c.url.includes('/room_keys/keys')));
  const unsupported = fakeFetch(aliceRoutes({ [`GET ${P}/room_keys/version`]: () => matrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request') }));
  const b = await captureSnapshot(options(unsupported.fetch));
  assert.ok(b.ok);
  assert.ok(!('keyBackup' in b.value));
  // Any other failure is not silently turned into "no backup".
  const broken = fakeFetch(aliceRoutes({ [`GET ${P}/room_keys/version`]: () => matrixError(500, 'M_UNKNOWN', 'Internal server error') }));
  const c = await captureSnapshot(options(broken.fetch));
  assert.ok(!c.ok);
  assert.equal(c.error.code, 'http-error');
  assert.match(c.error.message, /answered 500 M_UNKNOWN: Internal server error/);
});

test('users are queried in batches and the responses merged, failures included', async () => {
  const others = Array.from({ length: 600 }, (_, i) => `@u${String(i).padStart(3, '0')}:remote${i % 3}.example`);
  const posts: string[][] = [];
  const { fetch } = fakeFetch(
    aliceRoutes({
      [`GET ${P}/rooms/!enc%3Aexample.org/joined_members`]: () => json(200, { joined: Object.fromEntries([ALICE, ...others].map((u) => [u, {}])) }),
      [`POST ${P}/keys/query`]: (c) => {
        const users = Object.keys((c.body as { device_keys: Record<string, unknown> }).device_keys);
        posts.push(users);
        const device_keys: Record<string, unknown> = {};
        const master_keys: Record<string, unknown> = {};
        for (const u of users) {
          if (u.endsWith('remote2.example')) continue; // that server is down
          device_keys[u] = { D: { user_id: u, device_id: 'D' } };
          master_keys[u] = { user_id: u, usage: ['master'], keys: { 'ed25519:K': 'K' } };
        }
        const failures = users.some((u) => u.endsWith('remote2.example')) ? { 'remote2.example': { status: 503, message: 'Not ready for retry' } } : {};
        return json(200, { device_keys, master_keys, self_signing_keys: {}, failures, ...(posts.length === 1 ? { user_signing_keys: { [ALICE]: { user_id: ALICE } } } : {}) });
      },
    }),
  );
  const r = await captureSnapshot(options(fetch, { limits: { keysQueryBatchSize: 250 } }));
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.deepEqual(posts.map((p) => p.length), [250, 250, 101]);
  assert.equal(posts[0]?.[0], ALICE, 'own user in the first batch');
  assert.equal(new Set(posts.flat()).size, 601);
  const kq = r.value.keysQuery as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(kq['device_keys'] ?? {}).length, 601 - 200);
  assert.equal(Object.keys(kq['master_keys'] ?? {}).length, 601 - 200);
  assert.deepEqual(Object.keys(kq['failures'] ?? {}), ['remote2.example']);
  assert.deepEqual(Object.keys(kq['user_signing_keys'] ?? {}), [ALICE]);
});

test('room IDs and user IDs from the server are checked before they go into a URL', async () => {
  const { fetch, calls } = fakeFetch(aliceRoutes({ [`GET ${P}/joined_rooms`]: () => json(200, { joined_rooms: ['!ok:example.org', '..'] }) }));
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'malformed-response');
  assert.ok(!calls.some((c) => c.url.includes('/rooms/')));
});

test('whoami without a device ID cannot make a snapshot', async () => {
  const { fetch } = fakeFetch(aliceRoutes({ [`GET ${P}/account/whoami`]: () => json(200, { user_id: ALICE }) }));
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'unsupported');
});

test('a network failure names the origin, not the token', async () => {
  const { fetch } = fakeFetch(
    aliceRoutes({
      [`GET ${P}/account/whoami`]: () => {
        throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED 127.0.0.1:8008 (${TOKEN})`) });
      },
    }),
  );
  const r = await captureSnapshot(options(fetch));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'network');
  assert.match(r.error.message, /could not reach https:\/\/matrix\.example\.org/);
  assert.ok(!r.error.message.includes(TOKEN));
});
