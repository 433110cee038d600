/**
 * End-to-end, without a homeserver: Debian's Chromium with the test build of the extension
 * (dist/chrome-test). The report page shows the embedded demo account, and a tab with no Matrix
 * client on it gets the clear "not a supported signed-in Matrix client" answer, with nothing
 * guessed. Screenshots go to test-output/e2e/.
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { extensionStorage, launchExtension, openReportPage, tabIdOf, type Launched } from './harness/browser.ts';
import { startTestServer, type TestServer } from './harness/server.ts';
import { ensureTestPage, repoRoot } from './page/bundle.mjs';

const shots = join(repoRoot, 'test-output', 'e2e');
let b: Launched;
let server: TestServer;

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureTestPage();
  server = await startTestServer();
  b = await launchExtension();
});

after(async () => {
  await b?.close();
  await server?.close();
});

describe('the report page in Chromium', () => {
  test('the demo account (popup.html?view=page&demo=1) renders its report', async () => {
    const page = await openReportPage(b, 'demo=1');
    await page.waitForSelector('main[data-state="done"][data-screen="report"]', { timeout: 30_000 });
    const summary = (await page.locator('#summary-title').innerText()).trim();
    assert.ok(summary.length > 0, 'the summary line is empty');
    assert.match(await page.locator('.summary-meta').first().innerText(), /problem/);
    assert.match(await page.locator('.summary-meta').nth(1).innerText(), /demo account \(made up\)/);
    // Every section is there.
    for (const id of ['identity', 'sessions', 'people', 'backup', 'secret-storage', 'not-checked']) assert.equal(await page.locator(`section#${id}`).count(), 1, `section #${id}`);
    // The demo is the account with problems README promises.
    const codes = await page.locator('.finding-code').allInnerTexts();
    for (const code of ['DEVICE_SIGNED_BY_STALE_KEY', 'IDENTITY_CHANGED']) assert.ok(codes.some((c) => c.includes(code)), `${code} in ${codes.join(', ')}`);
    await page.screenshot({ path: join(shots, 'demo.png'), fullPage: true });
    await page.close();
  });

  test('a page with no Matrix client on it: "not a supported signed-in Matrix client", nothing guessed', async () => {
    const plain = await b.context.newPage();
    await plain.goto(server.plainUrl);
    const tabId = await tabIdOf(b, plain);
    const page = await openReportPage(b, `tabId=${tabId}`);
    await page.waitForSelector('main[data-state="error"]', { timeout: 30_000 });
    assert.equal((await page.locator('main h1').innerText()).trim(), 'This page is not a supported signed-in Matrix client');
    assert.match(await page.locator('main').innerText(), /none of Element Web’s session storage was found here/);
    // No confirmation was asked and nothing was approved: the reader found nothing to send anywhere.
    assert.equal((await extensionStorage(b, 'local'))['approvedHomeservers'], undefined);
    await page.screenshot({ path: join(shots, 'not-a-matrix-client.png'), fullPage: true });
    await page.close();
    await plain.close();
  });
});
