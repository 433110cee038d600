import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHomeserver, buildUrl, isLoopbackHost } from '../../../src/sources/homeserver/origin.ts';

test('https homeservers are accepted, with or without a path prefix', () => {
  const a = parseHomeserver('https://matrix.example.org/');
  assert.ok(a.ok);
  assert.equal(a.value.baseUrl, 'https://matrix.example.org');
  const b = parseHomeserver('https://example.org/matrix/');
  assert.ok(b.ok);
  assert.equal(b.value.baseUrl, 'https://example.org/matrix');
});

test('plain http is refused except for loopback (security.md H1)', () => {
  for (const url of ['http://matrix.example.org', 'http://10.0.0.1:8008', 'http://192.168.1.2', 'http://localhost.example.org', 'http://foo.localhost', 'http://[::ffff:127.0.0.1]']) {
    const r = parseHomeserver(url);
    assert.ok(!r.ok, url);
    assert.equal(r.error.code, 'insecure-homeserver', url);
    assert.match(r.error.message, /refusing plain http/);
  }
  for (const url of ['http://127.0.0.1:8008', 'http://127.1.2.3', 'http://localhost:1234', 'http://[::1]:8008', 'http://127.1']) {
    assert.ok(parseHomeserver(url).ok, url);
  }
  assert.ok(isLoopbackHost('127.255.255.255'));
  assert.ok(!isLoopbackHost('128.0.0.1'));
});

test('URLs carrying credentials, a query, a fragment or another scheme are refused', () => {
  for (const url of ['https://user:pw@example.org', 'https://example.org/?access_token=x', 'https://example.org/#x', 'ftp://example.org', 'example.org', 'https://example.org/_matrix/client']) {
    const r = parseHomeserver(url);
    assert.ok(!r.ok, url);
    assert.equal(r.error.code, 'bad-homeserver-url', url);
  }
});

test('request URLs stay under the configured base, with each segment encoded', () => {
  const hs = parseHomeserver('https://example.org/prefix');
  assert.ok(hs.ok);
  const u = buildUrl(hs.value, ['room_keys', 'keys', '!room:example.org', 'a/b+c'], { version: '3' });
  assert.ok(u.ok);
  assert.equal(u.value.href, 'https://example.org/prefix/_matrix/client/v3/room_keys/keys/!room%3Aexample.org/a%2Fb%2Bc?version=3');
  for (const seg of ['..', '.', '%2e%2e', '%2E.', '']) {
    const r = buildUrl(hs.value, ['rooms', seg, 'joined_members']);
    assert.ok(!r.ok, JSON.stringify(seg));
    assert.equal(r.error.code, 'url-refused');
  }
  // A hostile "room ID" with a scheme or host cannot leave the origin either.
  const h = buildUrl(hs.value, ['rooms', '//evil.example/x', 'joined_members']);
  assert.ok(h.ok && h.value.origin === 'https://example.org');
});

test('no URL can carry an access token (security.md H7)', () => {
  const hs = parseHomeserver('https://example.org');
  assert.ok(hs.ok);
  for (const k of ['access_token', 'ACCESS_TOKEN']) {
    const r = buildUrl(hs.value, ['account', 'whoami'], { [k]: 'x' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'url-refused');
  }
});
