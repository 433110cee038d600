/**
 * Smoke test: the popup's screens rendered to HTML in Node (preact-render-to-string), from reports
 * made by core's audit() on the committed demo and samples (./reports.ts). Effects do not run
 * here, so the App is given its state; no background and no Worker are involved.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderToString } from 'preact-render-to-string';
import { App, type AppProps } from '../../src/popup/App.tsx';
import type { AuditState } from '../../src/protocol/messages.ts';
import type { Report } from '../../src/core/report/types.ts';
import { createApi } from '../../src/popup/api.ts';
import { reportFor, variant } from './reports.ts';

function render(state: AuditState, screen: AppProps['initialScreen'] = 'report', mode: AppProps['mode'] = 'popup'): string {
  return renderToString(
    <App
      api={createApi(async () => {
        throw new Error('no background in this test');
      })}
      mode={mode}
      search=""
      targetTab={async () => undefined}
      createWorker={async () => {
        throw new Error('no Worker in this test');
      }}
      randomBytes={(n) => new Uint8Array(n).fill(1)}
      close={() => {}}
      initial={state}
      initialScreen={screen}
    />,
  );
}

const done = (report: Report): AuditState => ({ phase: 'done', report, source: 'demo', finishedAt: report.generatedAt, tookMs: 10 });

describe('popup (rendered to HTML)', () => {
  it('renders the demo report: summary first, then every section, findings with why and what to do', async () => {
    const html = render(done(await reportFor('demo')));
    const at = (s: string) => html.indexOf(s);
    assert.ok(at('2 of your 4 sessions are not verified') > 0);
    const order = ['id="summary-title"', 'id="identity"', 'id="sessions"', 'id="people"', 'id="backup"', 'id="secret-storage"', 'id="not-checked"'].map(at);
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'sections in the contract order');
    assert.ok(order.every((i) => i > 0));
    assert.match(html, /Why it matters: /);
    assert.match(html, /What to do: /);
    assert.match(html, /Of the 4 sessions your server reported/);
    assert.match(html, /<code class="fp"[^>]*><span class="fp-group">\/GHx<\/span> <span class="fp-group">Xqu3<\/span>/, 'fingerprints in groups of four');
    assert.match(html, /<button type="button" class="tab" aria-current="page">Report<\/button>/);
  });

  it('renders an offline report with the reason first, and the client store section', async () => {
    const report = variant(await reportFor('demo'), (d) => {
      (d as { capturedFrom?: string }).capturedFrom = 'client-store';
    });
    const html = render({ phase: 'done', report, source: 'tab', homeserverOrigin: 'https://matrix.example.org', offlineBecause: 'The homeserver could not be reached (<b>refused</b>).', finishedAt: report.generatedAt, tookMs: 10 });
    const note = html.indexOf('data-testid="offline-note"');
    assert.ok(note > 0 && note < html.indexOf('id="identity"'), 'the offline note comes before the sections');
    assert.match(html, /<strong>Offline\. <\/strong>The homeserver could not be reached \(&lt;b>refused&lt;\/b>\)\. This report checks the keys this browser/);
    assert.ok(html.indexOf('id="client-store"') > html.indexOf('id="secret-storage"'), 'the client store section follows secret storage');
    const online = render(done(await reportFor('demo')));
    assert.ok(!online.includes('offline-note'), 'no offline note on a live report');
  });

  it('renders hostile server strings as inert text: markup escaped, bidi controls replaced', async () => {
    const r = variant(await reportFor('honest'), (d) => {
      (d.users[0]!.devices[1] as { displayName?: string }).displayName = '<img src=x onerror=alert(1)>\u202Egnp.exe';
      (d.users[1] as { userId: string }).userId = '@mal\u2066lory:evil.example';
    });
    const html = render(done(r));
    assert.ok(!html.includes('<img'), 'no element from a display name');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)>\uFFFDgnp.exe'), 'the name is shown as text');
    assert.ok(!/[\u202A-\u202E\u2066-\u2069]/.test(html), 'no bidi control reaches the page');
    assert.ok(html.includes('@mal\uFFFDlory:evil.example'));
  });

  it('renders the recovery-key field masked, without autocomplete, spellcheck or autocapitalize', async () => {
    const html = render(done(await reportFor('honest')), 'recovery');
    const input = /<input[^>]*id="secret-input"[^>]*>/.exec(html)?.[0] ?? '';
    assert.match(input, /type="password"/);
    assert.match(input, /autocomplete="off"/);
    assert.match(input, /spellcheck="false"/);
    assert.match(input, /autocapitalize="off"/);
    assert.doesNotMatch(input, /value=/, 'the field is never given a value');
    assert.match(html, /<button type="submit" class="primary">Check recovery key<\/button>/);
  });

  it('renders the export preview redacted by default', async () => {
    const r = await reportFor('demo');
    const html = render(done(r), 'export');
    assert.match(html, /Redacted: user and room IDs and server names replaced by hashes; session names left out\./);
    for (const u of r.users) assert.ok(!html.includes(u.userId), `${u.userId} is hashed in the preview`);
    assert.ok(!html.includes('Element Desktop (macOS)'), 'session names are left out');
  });

  it('renders the states before a report: running, confirmation, error, start', () => {
    assert.match(render({ phase: 'running', step: 'Asking your homeserver' }), /Checking your keys…<\/h1><p class="muted">Asking your homeserver/);
    const confirm = render({ phase: 'needs-confirmation', tabId: 3, homeserverOrigin: 'https://matrix.example.org', userId: '@a:example.org' });
    assert.match(confirm, /Is this your homeserver\?/);
    assert.match(confirm, /https:\/\/matrix\.example\.org/);
    assert.match(render({ phase: 'error', error: { code: 'unsupported-page', message: 'no session here' } }), /This page is not a supported signed-in Matrix client/);
    assert.match(render({ phase: 'idle' }, 'report', 'page'), /Look at the demo account/);
  });
});
