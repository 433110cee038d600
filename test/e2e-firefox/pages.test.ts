/**
 * End-to-end in Firefox ESR, without a homeserver: the test build (dist/firefox-test) installed
 * temporarily over WebDriver BiDi. The test build's host permission is granted (a Firefox MV3
 * add-on's host permissions can be withheld: client-storage.md §7), the report page shows the
 * embedded demo account, and a tab with no Matrix client on it gets the clear "not a supported
 * signed-in Matrix client" answer, with nothing guessed. Screenshots go to test-output/e2e-firefox/.
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { extensionStorage, hasHostPermission, launchFirefox, mainState, openReportPage, tabIdOf, textOf, waitForState, type LaunchedFirefox } from './harness/firefox.ts';
import { startTestServer, type TestServer } from '../e2e/harness/server.ts';
import { ensureTestPage, repoRoot } from '../e2e/page/bundle.mjs';

const shots = join(repoRoot, 'test-output', 'e2e-firefox');
let b: LaunchedFirefox;
let server: TestServer;

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureTestPage();
  server = await startTestServer();
  b = await launchFirefox();
});

after(async () => {
  await b?.close();
  await server?.close();
});

describe('the report page in Firefox ESR', () => {
  test('the temporary install holds the test build’s host permissions for the loopback origins', async () => {
    assert.equal(await hasHostPermission(b, 'http://127.0.0.1/*'), true);
    assert.equal(await hasHostPermission(b, 'http://localhost/*'), true);
    // And no more than those.
    assert.equal(await hasHostPermission(b, 'https://example.org/*'), false);
  });

  test('the demo account (popup.html?view=page&demo=1) renders its report', async () => {
    const page = await openReportPage(b, 'demo=1');
    assert.equal(await waitForState(page, ['done', 'error'], 30_000), 'done', await textOf(page, 'main'));
    assert.ok((await textOf(page, '#summary-title')).length > 0, 'the summary line is empty');
    const meta = await page.$$eval('.summary-meta', (es) => es.map((e) => (e as HTMLElement).innerText));
    assert.match(meta[0] ?? '', /problem/);
    assert.match(meta[1] ?? '', /demo account \(made up\)/);
    for (const id of ['identity', 'sessions', 'people', 'backup', 'secret-storage', 'not-checked']) assert.equal((await page.$$(`section#${id}`)).length, 1, `section #${id}`);
    const codes = await page.$$eval('.finding-code', (es) => es.map((e) => e.textContent ?? ''));
    for (const code of ['DEVICE_SIGNED_BY_STALE_KEY', 'IDENTITY_CHANGED']) assert.ok(codes.some((c) => c.includes(code)), `${code} in ${codes.join(', ')}`);
    await page.screenshot({ path: join(shots, 'demo.png'), fullPage: true });
    await page.close();
  });

  test('a page with no Matrix client on it: "not a supported signed-in Matrix client", nothing guessed', async () => {
    const plain = await b.browser.newPage();
    await plain.goto(server.plainUrl);
    const tabId = await tabIdOf(b, server.plainUrl);
    const page = await openReportPage(b, `tabId=${tabId}`);
    assert.equal(await waitForState(page, ['error', 'done', 'needs-confirmation'], 30_000), 'error', await textOf(page, 'main'));
    assert.equal(await textOf(page, 'main h1'), 'This page is not a supported signed-in Matrix client');
    assert.match(await textOf(page, 'main'), /none of Element Web’s session storage was found here/);
    assert.equal(await mainState(page), 'error');
    // No confirmation was asked and nothing was approved: the reader found nothing to send anywhere.
    assert.equal((await extensionStorage(b, 'local'))['approvedHomeservers'], undefined);
    // Only the page itself was asked for (the reader sends nothing to the page's server).
    assert.deepEqual(server.plainRequests.map((r) => r.path).filter((p) => p !== '/favicon.ico'), ['/']);
    await page.screenshot({ path: join(shots, 'not-a-matrix-client.png'), fullPage: true });
    await page.close();
    await plain.close();
  });
});
