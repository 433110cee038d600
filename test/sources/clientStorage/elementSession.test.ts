import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientSession } from '../../../src/protocol/session.ts';
import { validateSessionReadResult } from '../../../src/protocol/session.ts';
import {
  checkClientSession,
  parseUserId,
  isServerName,
  sessionHomeserver,
  originDecision,
  matchWhoami,
  publicSessionInfo,
  MAX_TOKEN_LENGTH,
  type CheckedSession,
} from '../../../src/sources/clientStorage/elementSession.ts';
import { newOrigin, elementLogin, closeElement } from '../../content/elementWebStorage.ts';
import { pageFunctionSource, runInPage } from '../../content/pageRealm.ts';

const TOKEN = 'syt_YWxpY2U_lLSmNfOwBxGXkLZaPqRt_2bWUWh';
const SESSION: ClientSession = { client: 'element-web', homeserverUrl: 'https://matrix.example.org', userId: '@alice:example.org', deviceId: 'QWERTYUIOP', accessToken: TOKEN, tokenStorage: 'encrypted' };

function checked(s: Partial<ClientSession> = {}): CheckedSession {
  const r = checkClientSession({ ...SESSION, ...s });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}
function refused(s: Partial<ClientSession>, code: string) {
  const r = checkClientSession({ ...SESSION, ...s });
  assert.ok(!r.ok, `accepted ${JSON.stringify(s)}`);
  assert.equal(r.error.code, code, r.error.message);
  assert.ok(!r.error.message.includes(TOKEN), 'the message contains the token');
  return r.error;
}

describe('checkClientSession: the homeserver the token may go to', () => {
  it('accepts https, with or without a path, and gives the origin the token is bound to', () => {
    const a = checked();
    assert.equal(a.homeserver.origin, 'https://matrix.example.org');
    assert.equal(a.homeserver.baseUrl, 'https://matrix.example.org');
    const b = checked({ homeserverUrl: 'https://Example.ORG:443/matrix/' });
    assert.equal(b.homeserver.origin, 'https://example.org');
    assert.equal(b.homeserver.baseUrl, 'https://example.org/matrix');
    assert.equal(checked({ homeserverUrl: 'https://matrix.example.org:8448' }).homeserver.origin, 'https://matrix.example.org:8448');
  });

  it('accepts plain http to loopback only (tests); refuses it anywhere else (security.md H1)', () => {
    assert.equal(checked({ homeserverUrl: 'http://127.0.0.1:8008' }).homeserver.origin, 'http://127.0.0.1:8008');
    assert.equal(checked({ homeserverUrl: 'http://localhost:8008/' }).homeserver.origin, 'http://localhost:8008');
    for (const url of ['http://matrix.example.org', 'http://192.168.1.10:8008', 'http://127.0.0.1.evil.example']) assert.match(refused({ homeserverUrl: url }, 'insecure-homeserver').message, /^Element's stored homeserver address is not usable: refusing plain http/);
  });

  it('refuses relative, credentialed, query-carrying and non-http URLs', () => {
    for (const url of ['', 'matrix.example.org', '/_matrix', 'https://user:pw@matrix.example.org', 'https://matrix.example.org/?x=1', 'https://matrix.example.org/#frag', 'javascript:alert(1)', 'ftp://matrix.example.org', 'https://matrix.example.org/_matrix/client'])
      refused({ homeserverUrl: url }, 'bad-homeserver-url');
  });

  it('sessionHomeserver alone gives the same verdicts', () => {
    assert.ok(sessionHomeserver('https://matrix.example.org').ok);
    const r = sessionHomeserver('http://matrix.example.org');
    assert.ok(!r.ok && r.error.code === 'insecure-homeserver');
  });
});

describe('checkClientSession: user ID, device ID and token shapes', () => {
  it('parses user IDs by the spec grammar, including historical localparts, ports and IP literals', () => {
    for (const [id, server] of [
      ['@alice:example.org', 'example.org'],
      ['@a.l=i/c+e_-:matrix.example.org:8448', 'matrix.example.org:8448'],
      ['@Alice!#$:1.2.3.4', '1.2.3.4'],
      ['@bob:[::1]:8008', '[::1]:8008'],
      ['@bob:[2001:db8::1]', '[2001:db8::1]'],
    ] as const) {
      const r = parseUserId(id);
      assert.ok(r.ok, id);
      assert.equal(r.value.serverName, server, id);
      assert.equal(checked({ userId: id }).serverName, server);
    }
  });

  it('refuses user IDs that are not @localpart:server', () => {
    for (const id of ['', 'alice:example.org', '@alice', '@:example.org', '@alice:', '@al ice:example.org', '@alice:exa mple.org', '@alicé:example.org', '@alice:example.org:0', '@alice:example.org:65536', '@alice:example.org:', '@alice:ex_ample.org', '@alice:[zz]', '#room:example.org', `@${'a'.repeat(250)}:example.org`])
      refused({ userId: id }, 'bad-user-id');
  });

  it('isServerName follows the grammar (hostname, optional 1-5 digit port in range)', () => {
    assert.ok(isServerName('example.org'));
    assert.ok(isServerName('example.org:65535'));
    assert.ok(!isServerName('example.org:123456'));
    assert.ok(!isServerName('exa/mple.org'));
  });

  it('a device ID of "" becomes null (Element stored none: take it from whoami); control characters are refused', () => {
    assert.equal(checked({ deviceId: '' }).deviceId, null);
    assert.equal(checked().deviceId, 'QWERTYUIOP');
    for (const d of ['ABC\nDEF', 'ABC\u0000', 'ABC\u009b']) refused({ deviceId: d }, 'bad-device-id');
  });

  it('refuses tokens that are empty, too long, or not HTTP-header-safe, without echoing them', () => {
    refused({ accessToken: '' }, 'bad-token');
    refused({ accessToken: 'x'.repeat(MAX_TOKEN_LENGTH + 1) }, 'bad-token');
    assert.equal(checked({ accessToken: 'x'.repeat(MAX_TOKEN_LENGTH) }).accessToken.length, MAX_TOKEN_LENGTH);
    for (const t of [`${TOKEN} `, `${TOKEN}\r\nX-Evil: 1`, `${TOKEN}é`, `Bearer ${TOKEN}`]) refused({ accessToken: t }, 'bad-token');
  });

  it('keeps tokenStorage when present and omits it when absent', () => {
    assert.equal(checked().tokenStorage, 'encrypted');
    const { tokenStorage: _t, ...without } = SESSION;
    const r = checkClientSession(without);
    assert.ok(r.ok && !('tokenStorage' in r.value));
  });
});

describe('originDecision: the token is bound to a confirmed origin', () => {
  it('confirmed only for exactly the same origin', () => {
    const s = checked({ homeserverUrl: 'https://matrix.example.org:443/' });
    assert.deepEqual(originDecision(s, ['https://matrix.example.org']), { origin: 'https://matrix.example.org', status: 'confirmed' });
    for (const other of [[], ['https://matrix.example.org:8448'], ['http://matrix.example.org'], ['https://matrix.example.org.evil.example'], ['https://example.org']])
      assert.equal(originDecision(s, other).status, 'needs-confirmation', JSON.stringify(other));
    assert.equal(originDecision(s, new Set(['https://matrix.example.org'])).status, 'confirmed');
  });

  it('a page that rewrote mx_hs_url to another https host needs a new confirmation (security.md H1)', () => {
    const s = checked({ homeserverUrl: 'https://collector.evil.example' });
    assert.deepEqual(originDecision(s, ['https://matrix.example.org']), { origin: 'https://collector.evil.example', status: 'needs-confirmation' });
  });
});

describe('matchWhoami', () => {
  it('agrees when user and device match, and fills in an unknown device ID', () => {
    assert.deepEqual(matchWhoami(checked(), { userId: '@alice:example.org', deviceId: 'QWERTYUIOP' }), { ok: true, value: { userId: '@alice:example.org', deviceId: 'QWERTYUIOP' } });
    assert.deepEqual(matchWhoami(checked({ deviceId: '' }), { userId: '@alice:example.org', deviceId: 'NEWDEVICE' }), { ok: true, value: { userId: '@alice:example.org', deviceId: 'NEWDEVICE' } });
  });

  it('refuses a token that belongs to another user or device', () => {
    const a = matchWhoami(checked(), { userId: '@mallory:example.org', deviceId: 'QWERTYUIOP' });
    assert.ok(!a.ok && a.error.code === 'session-mismatch');
    const b = matchWhoami(checked(), { userId: '@alice:example.org', deviceId: 'OTHER' });
    assert.ok(!b.ok && b.error.code === 'session-mismatch');
  });
});

describe('publicSessionInfo', () => {
  it('has everything but the token', () => {
    const info = publicSessionInfo(checked());
    assert.deepEqual(info, { homeserver: 'https://matrix.example.org', userId: '@alice:example.org', deviceId: 'QWERTYUIOP', tokenStorage: 'encrypted' });
    assert.ok(!JSON.stringify(info).includes(TOKEN));
  });
});

describe('the background path: page → validateSessionReadResult → checkClientSession', () => {
  it('a session Element wrote is accepted end to end', async () => {
    const o = newOrigin();
    await elementLogin(o, { homeserverUrl: 'https://matrix.example.org/', userId: '@alice:example.org', deviceId: 'QWERTYUIOP', accessToken: TOKEN });
    const raw = await runInPage(await pageFunctionSource(), { localStorage: o.localStorage, indexedDB: o.indexedDB });
    closeElement(o);
    const v = validateSessionReadResult(raw);
    assert.ok(v.ok && v.value.ok);
    const c = checkClientSession(v.value.value);
    assert.ok(c.ok);
    assert.equal(c.value.homeserver.origin, 'https://matrix.example.org');
    assert.equal(c.value.accessToken, TOKEN);
    assert.equal(originDecision(c.value, []).status, 'needs-confirmation');
  });

  it('a page whose mx_hs_url was rewritten to plain http is read, then refused before any request', async () => {
    const o = newOrigin();
    await elementLogin(o, { homeserverUrl: 'http://matrix.example.org', userId: '@alice:example.org', deviceId: 'QWERTYUIOP', accessToken: TOKEN });
    const raw = await runInPage(await pageFunctionSource(), { localStorage: o.localStorage, indexedDB: o.indexedDB });
    closeElement(o);
    const v = validateSessionReadResult(raw);
    assert.ok(v.ok && v.value.ok);
    const c = checkClientSession(v.value.value);
    assert.ok(!c.ok && c.error.code === 'insecure-homeserver');
  });
});
