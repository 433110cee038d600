/**
 * captureSnapshot against a live Synapse, for what fakes cannot show: real 401s, the real 404 for
 * "no backup", real fetch refusing a redirect, a real 429 with Retry-After (from a loopback proxy
 * in front of Synapse), a real time-out, a real size limit, and a malformed body. No clients and
 * no seeding here: just an account.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { startSynapse, type StartedSynapse } from './harness/synapse.ts';
import { registerUser, login, clientApi, type Credentials } from './harness/admin.ts';
import { captureSnapshot, type CaptureOptions } from '../../src/sources/homeserver/index.ts';

let hs: StartedSynapse;
let solo: Credentials;
const servers: Server[] = [];

const note = (line: string) => process.stderr.write(`# ${line}\n`);

/** A loopback server; `handle` returns true when it answered, else the request goes to Synapse. */
async function proxy(handle: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>): Promise<string> {
  const server = createServer(async (req, res) => {
    if (await handle(req, res)) return;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(hs.baseUrl + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

const opts = (homeserver: string, extra: Partial<CaptureOptions> = {}): CaptureOptions => ({
  homeserver,
  accessToken: solo.accessToken,
  now: () => new Date(),
  ...extra,
});

before(async () => {
  hs = await startSynapse({ label: 'capture-live', log: note });
  const user = await registerUser(hs, 'solo', 'solo password');
  solo = await login(hs.baseUrl, user, 'solo password', 'SOLO1');
});

after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await hs?.stop();
});

test('an account with nothing set up: no backup is null (404 M_NOT_FOUND), absent account data is left out', async () => {
  const r = await captureSnapshot(opts(hs.baseUrl, { includeBackupSessions: true }));
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.equal(r.value.userId, solo.userId);
  assert.equal(r.value.deviceId, 'SOLO1');
  assert.equal(r.value.keyBackup, null);
  assert.ok(!('keyBackupSessions' in r.value));
  assert.deepEqual(Object.keys(r.value.accountData ?? {}), []);
  // The device has no E2EE keys (no crypto client): the server lists the user with no devices.
  assert.deepEqual(Object.keys((r.value.keysQuery['device_keys'] as Record<string, object>)[solo.userId] ?? {}), []);
  assert.ok((r.value.devices?.['devices'] as unknown[]).length === 1, '/devices lists the session even without keys');
});

test('a wrong token: 401 M_UNKNOWN_TOKEN, one clear line, no token in it', async () => {
  const bogus = `${solo.accessToken}x`;
  const r = await captureSnapshot(opts(hs.baseUrl, { accessToken: bogus }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'token-rejected');
  assert.equal(r.error.status, 401);
  assert.equal(r.error.errcode, 'M_UNKNOWN_TOKEN');
  assert.match(r.error.message, /^the access token was rejected by the homeserver/);
  assert.ok(!JSON.stringify(r.error).includes(bogus));
});

test('a redirect is refused by the real fetch, and the redirect target never sees the token', async () => {
  const seen: string[] = [];
  const target = await proxy((req, res) => {
    seen.push(String(req.headers['authorization'] ?? ''));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"user_id":"@mallory:localhost","device_id":"M"}');
    return true;
  });
  const redirector = await proxy((req, res) => {
    res.writeHead(307, { location: `${target}${req.url}` });
    res.end();
    return true;
  });
  const r = await captureSnapshot(opts(redirector));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'redirect-refused');
  assert.deepEqual(seen, []);
});

test('429 with Retry-After is waited out and retried, then the capture completes', async () => {
  let limited = 0;
  const front = await proxy((req, res) => {
    if (req.url?.startsWith('/_matrix/client/v3/devices') && limited < 1) {
      limited++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":1000}');
      return true;
    }
    return false;
  });
  const progress: string[] = [];
  const t0 = performance.now();
  const r = await captureSnapshot(opts(front, { onProgress: (m) => progress.push(m) }));
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  assert.equal(limited, 1);
  assert.ok(performance.now() - t0 >= 950, 'waited about a second as asked');
  assert.ok(progress.some((m) => m.includes('rate-limited') && m.includes('waiting 1 s')), progress.join('\n'));
  assert.equal(r.value.homeserver, front);
});

test('a server that does not answer in time gives a time-out, not a hang', async () => {
  const stall = await proxy((req) => req.url?.startsWith('/_matrix/client/v3/joined_rooms') === true); // never responds
  const r = await captureSnapshot(opts(stall, { limits: { requestTimeoutMs: 500 } }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'timeout');
  assert.match(r.error.message, /joined_rooms: no complete answer within 0\.5 s/);
});

test('a response over the size limit is cut off', async () => {
  const r = await captureSnapshot(opts(hs.baseUrl, { limits: { maxResponseBytes: 64 } }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'too-large');
});

test('a malformed body is reported with where it went wrong', async () => {
  const bad = await proxy((req, res) => {
    if (!req.url?.startsWith('/_matrix/client/v3/devices')) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"devices":[{"device_id":"SOLO1","device_id":"EVIL"}]}');
    return true;
  });
  const r = await captureSnapshot(opts(bad));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'malformed-response');
  assert.equal(r.error.json?.code, 'duplicate-key');
  assert.match(r.error.message, /\(in \$\.devices\[0\]\)/);
});

test('a token signed out midway: the next capture fails cleanly', async () => {
  const extra = await login(hs.baseUrl, solo.userId, 'solo password', 'SOLO2');
  await clientApi(hs.baseUrl, extra.accessToken)('POST', '/logout', {});
  const r = await captureSnapshot(opts(hs.baseUrl, { accessToken: extra.accessToken }));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'token-rejected');
});

test('Synapse never saw a token in a URL (security.md H7)', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const log = readFileSync(join(hs.logDir, 'homeserver.log'), 'utf8');
  assert.match(log, /GET \/_matrix\/client\/v3\/account\/whoami/, 'the access log is there');
  assert.doesNotMatch(log, /access_token=/);
});
