/**
 * End-to-end against the real thing: Synapse seeded by real matrix-js-sdk clients (the scenario of
 * test/integration/seed/scenario.ts), a test page in Chromium that is a real signed-in
 * matrix-js-sdk client storing its session the way Element Web does (test/e2e/page/main.ts, as
 * alice's first session ALICE1), and the test build of the extension auditing that tab the way a
 * toolbar click would: the report page opened with `?tabId=`, the homeserver confirmed, the
 * session read from the page, the keys captured from Synapse, the audit run in the offscreen
 * document's Worker, the report shown.
 *
 * The tests run in order and share one browser: report → recovery key → nothing of it kept,
 * logged or sent (security.md F9) → carol resets her identity again → the second audit says it
 * changed → a new device ALICE4 on a third origin runs rust crypto (the page's second mode), so
 * the report reads the client's own store (Element's pickle key), nothing of its token or pickle
 * key kept or logged → the page names another homeserver (H1) → the page has no channel to us (H3). The
 * token's path is checked on the way (H7). Screenshots go to test-output/e2e/.
 */
// Bound, then released: nothing listens there afterwards (a homeserver that cannot be reached).
import { freePort } from '../integration/harness/synapse.ts';
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { note, startSeeded, stopSeeded } from '../integration/live.ts';
import type { Seeded } from '../integration/seed/scenario.ts';
import { passwordAuth, stopSeedClient, waitFor } from '../integration/seed/clients.ts';
import { clientApi } from '../integration/harness/admin.ts';
import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { dumpExtensionStorage, extensionStorage, launchExtension, openReportPage, tabIdOf, type Launched } from './harness/browser.ts';
import { startTestServer, type TestServer } from './harness/server.ts';
import { passphraseNeedles, privateKeyNeedles, recoveryKeyNeedles, traces, type Haystack, type Needle } from './harness/secrets.ts';
import type { Report } from '../../src/core/report/types.ts';
import { ensureTestPage, repoRoot } from './page/bundle.mjs';

const shots = join(repoRoot, 'test-output', 'e2e');
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

let seeded: Seeded;
let server: TestServer;
let b: Launched;
let element: Page;
let report: Page;
/** Private keys alice's secret storage holds (cross-signing, backup): none may appear anywhere. */
let privateKeys: { name: string; base64: string }[] = [];
const WRONG_KEY = encodeRecoveryKey(new Uint8Array(randomBytes(32))) as string;

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureTestPage((line) => note(line));
  server = await startTestServer();
  seeded = await startSeeded('e2e');
  const { A1 } = seeded.alice;
  // The private keys alice's recovery key unlocks, to look for them later (they must be nowhere).
  const bundle = (await A1.crypto.exportSecretsBundle?.()) as unknown;
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string' && /^[A-Za-z0-9+/]{43}=?$/.test(v)) privateKeys.push({ name: `alice's ${path}`, base64: v });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(bundle, '');
  // The page takes over ALICE1: the Node client stops syncing as that device.
  stopSeedClient(A1);
  server.setSession({ baseUrl: seeded.hs.baseUrl, userId: seeded.alice.userId, deviceId: A1.deviceId, accessToken: A1.accessToken });
  b = await launchExtension();
  element = await b.context.newPage();
  await element.goto(server.elementUrl);
  await element.waitForSelector('html[data-state="signed-in"], html[data-state="failed"]', { timeout: 60_000 });
  const state = await element.getAttribute('html', 'data-state');
  assert.equal(state, 'signed-in', await element.locator('#status').innerText());
});

after(async () => {
  await b?.close();
  await server?.close();
  await stopSeeded(seeded);
});

// ---------- reading the report page ----------
/** The words of a section's state tag ("Not trusted"), without its symbol. */
const sectionState = async (page: Page, id: string) => (await page.locator(`#${id}-title .tag`).evaluate((e) => e.lastChild?.textContent ?? '')).trim();
/** The finding codes shown inside `scope` (details opened first, so quiet findings count too). */
async function codesIn(scope: Locator): Promise<string[]> {
  await scope.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  return (await scope.locator('.finding-code').allTextContents()).map((t) => t.replace('Code:', '').trim());
}
const sessionRow = (page: Page, deviceId: string) => page.locator('#sessions li.row', { has: page.locator('.row-name .mono', { hasText: new RegExp(`^${deviceId}$`) }) });
const personRow = (page: Page, userId: string) => page.locator('#people li.row', { has: page.locator('.row-name', { hasText: new RegExp(`^${userId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
const tagOf = async (row: Locator) => (await row.locator('.row-head .tag').first().evaluate((e) => e.lastChild?.textContent ?? '')).trim();

async function goTo(page: Page, screen: 'Report' | 'Recovery key' | 'Export') {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen, exact: true }).click();
  await page.waitForSelector(`main[data-screen="${screen === 'Recovery key' ? 'recovery' : screen.toLowerCase()}"]`);
}

/** Types a secret into the recovery-key screen, checks it, and returns the result card's title and text. */
async function checkSecret(page: Page, kind: 'Recovery key' | 'Passphrase', secret: string): Promise<{ word: string; text: string; ms: number }> {
  await page.getByRole('radio', { name: kind }).check();
  const before = await page.locator('#rk-result-title').count() > 0 ? await page.locator('section.result').evaluate((e) => e.textContent) : undefined;
  await page.locator('#secret-input').fill(secret);
  const t0 = performance.now();
  await page.getByRole('button', { name: kind === 'Passphrase' ? 'Check passphrase' : 'Check recovery key' }).click();
  // The field is cleared the moment the check starts.
  assert.equal(await page.locator('#secret-input').inputValue(), '', 'the field still holds the secret');
  await page.waitForFunction((prev) => {
    const card = document.querySelector('section.result');
    return card !== null && card.textContent !== prev && !document.querySelector('button[type="submit"][disabled]');
  }, before, { timeout: 60_000 });
  const ms = performance.now() - t0;
  const word = (await page.locator('#rk-result-title .tag').evaluate((e) => e.lastChild?.textContent ?? '')).trim();
  return { word, text: await page.locator('section.result').innerText(), ms };
}

/**
 * Clicks `button` and returns the milliseconds, measured in the page, from the click to the next
 * report on screen (or to an error or confirmation screen; the caller checks which). Measured in
 * the page because Playwright's own waiting polls at growing intervals (up to 500 ms).
 */
async function clickToReport(page: Page, button: Locator): Promise<number> {
  await page.evaluate(() => {
    const t: { click?: number; done?: number } = {};
    (window as unknown as { e2eTiming: typeof t }).e2eTiming = t;
    const old = document.querySelector('main .report');
    let ran = false;
    document.addEventListener('click', () => void (t.click ??= performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      const state = document.querySelector('main')?.dataset['state'];
      if (state === 'running') ran = true;
      const report = document.querySelector('main[data-state="done"] .report');
      if ((report !== null && report !== old) || (ran && (state === 'error' || state === 'needs-confirmation'))) {
        t.done = performance.now();
        observer.disconnect();
      }
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  });
  await button.click();
  await page.waitForFunction(() => (window as unknown as { e2eTiming: { done?: number } }).e2eTiming.done !== undefined, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const t = (window as unknown as { e2eTiming: { click?: number; done?: number } }).e2eTiming;
    return (t.done as number) - (t.click as number);
  });
}

// ---------- the checks on what the extension kept and logged ----------
function needles(): Needle[] {
  const { alice } = seeded;
  return [
    ...recoveryKeyNeedles("alice's recovery key", alice.recoveryKey),
    ...recoveryKeyNeedles('the wrong recovery key', WRONG_KEY),
    ...passphraseNeedles("alice's passphrase", alice.passphrase),
    ...privateKeys.flatMap((k) => privateKeyNeedles(k.name, k.base64)),
  ];
}

async function haystacks(): Promise<{ all: Haystack[]; counts: string }> {
  const dump = await dumpExtensionStorage(b);
  await b.settle();
  const pages = await Promise.all(
    b.context.pages().map(async (p) => ({ where: `DOM of ${p.url()}`, text: await p.evaluate(() => `${document.documentElement.outerHTML} ${Array.from(document.querySelectorAll('input'), (i) => i.value).join(' ')}`).catch(() => '') })),
  );
  const all: Haystack[] = [
    { where: 'chrome.storage.local/session/sync', text: dump.storage },
    { where: `the extension's IndexedDB (${dump.databases.join(', ')})`, text: dump.indexedDB },
    ...b.messages.map((m) => ({ where: `a console ${m.type} message of ${m.where}`, text: m.text })),
    ...pages,
    // Nothing of it may leave the browser either.
    ...b.requests.map((r) => ({ where: `a request from ${r.from} to ${new URL(r.url).origin}`, text: `${r.url} ${JSON.stringify(r.headers)} ${r.body ?? ''}` })),
  ];
  return {
    all,
    counts: `${dump.storage.length} characters of storage, ${dump.indexedDB.length} of IndexedDB (${dump.databases.join(', ')}), ${b.messages.length} console messages, ${pages.length} pages, ${b.requests.length} requests`,
  };
}

describe('alice’s account in Chromium: report, recovery key, changed identity', () => {
  test('the test page is a signed-in matrix-js-sdk client whose session is stored the way Element Web stores it', async () => {
    const stored = await element.evaluate(async () => ({
      keys: Object.keys(localStorage).sort(),
      hsUrl: localStorage.getItem('mx_hs_url'),
      plainToken: localStorage.getItem('mx_access_token'),
      dbs: (await indexedDB.databases()).map((d) => `${d.name}@${d.version}`),
      syncing: (window as unknown as { matrixClient?: { isInitialSyncComplete(): boolean } }).matrixClient?.isInitialSyncComplete() ?? false,
    }));
    assert.ok(stored.syncing, 'the page’s client has not finished its first sync');
    assert.equal(await element.locator('#status').innerText(), `Signed in as ${seeded.alice.userId} (ALICE1), syncing, joined to 3 rooms.`);
    // Its sync delivered alice's rooms (the seeded "main", "history" and "plain").
    await element.waitForFunction(() => (window as unknown as { matrixClient: { getRooms(): unknown[] } }).matrixClient.getRooms().length === 3, undefined, { timeout: 10_000 });
    const names = await element.evaluate(() => (window as unknown as { matrixClient: { getRooms(): { name: string }[] } }).matrixClient.getRooms().map((r) => r.name).sort());
    assert.deepEqual(names, ['history', 'main', 'plain']);
    for (const k of ['mx_hs_url', 'mx_user_id', 'mx_device_id', 'mx_has_access_token', 'mx_has_pickle_key']) assert.ok(stored.keys.includes(k), `localStorage ${k}`);
    assert.equal(stored.hsUrl, seeded.hs.baseUrl);
    assert.equal(stored.plainToken, null, 'the token is in IndexedDB, encrypted, not in localStorage');
    assert.ok(stored.dbs.includes('matrix-react-sdk@1'), stored.dbs.join(', '));
    // In matrix-react-sdk: the token encrypted (tokens.ts), the pickle key under a non-extractable AES-GCM key (pickling.ts).
    const idb = await element.evaluate(
      (ids) =>
        new Promise<{ token: string[]; pickle: string[]; extractable: boolean | undefined; algorithm: string | undefined }>((resolve, reject) => {
          const open = indexedDB.open('matrix-react-sdk');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['account', 'pickleKey'], 'readonly');
            const token = tx.objectStore('account').get('mx_access_token');
            const pickle = tx.objectStore('pickleKey').get(ids);
            tx.oncomplete = () => {
              db.close();
              const key = (pickle.result as { cryptoKey?: CryptoKey } | undefined)?.cryptoKey;
              resolve({
                token: Object.keys((token.result as object | undefined) ?? {}).sort(),
                pickle: Object.keys((pickle.result as object | undefined) ?? {}).sort(),
                extractable: key?.extractable,
                algorithm: key?.algorithm.name,
              });
            };
          };
        }),
      [seeded.alice.userId, 'ALICE1'],
    );
    assert.deepEqual(idb, { token: ['ciphertext', 'iv', 'mac'], pickle: ['cryptoKey', 'encrypted', 'iv'], extractable: false, algorithm: 'AES-GCM' });
  });

  test('the report: nothing is sent before the homeserver is confirmed, the token only in its Authorization header (H7), then the findings for the seeded account', async () => {
    const { alice, carol, hs } = seeded;
    const tabId = await tabIdOf(b, element);
    report = await openReportPage(b, `tabId=${tabId}`);
    await report.waitForSelector('main[data-state="needs-confirmation"]', { timeout: 30_000 });
    const facts = await report.locator('dl.facts dd').allInnerTexts();
    assert.deepEqual(facts, [alice.userId, new URL(hs.baseUrl).origin]);
    await shot(report, 'confirm-homeserver');

    await b.settle();
    const hsOrigin = new URL(hs.baseUrl).origin;
    const fromBackground = () => b.requests.filter((r) => r.from.startsWith('service worker') && r.url.startsWith('http'));
    assert.deepEqual(fromBackground(), [], 'the background asked the homeserver before the user confirmed it');
    const ms = await clickToReport(report, report.getByRole('button', { name: 'Yes, check my keys' }));
    assert.equal(await report.locator('main').getAttribute('data-state'), 'done', await report.locator('main').innerText());
    assert.equal(await report.locator('main').getAttribute('data-screen'), 'report');
    const state = (await extensionStorage(b, 'session'))['auditState'] as { phase: string; tookMs?: number };
    note(`click to report (confirm → report on screen, measured in the page): ${Math.round(ms)} ms; the background's own measure (session read → report stored): ${state.tookMs} ms`);
    assert.ok(ms < 30_000, `the report took ${ms} ms`);

    // H7: the token went only in the Authorization header, only to the confirmed homeserver, never in a URL.
    await b.settle();
    const sent = fromBackground();
    assert.ok(sent.length >= 4, `the background made ${sent.length} requests to the homeserver (is Playwright seeing service-worker requests?)`);
    for (const r of sent) {
      assert.equal(new URL(r.url).origin, hsOrigin, `a request went to ${new URL(r.url).origin}`);
      assert.ok(!/access_token/i.test(r.url), `a URL carries an access token: ${new URL(r.url).pathname}`);
      assert.equal(r.headers['authorization'], `Bearer ${alice.A1.accessToken}`, `${r.method} ${new URL(r.url).pathname} without the session's Authorization header`);
    }
    for (const r of b.requests.filter((x) => !x.from.startsWith('service worker')))
      assert.ok(!Object.values(r.headers).some((v) => v.includes(alice.A1.accessToken)) || r.from.startsWith(server.elementUrl), `the token left ${r.from}`);

    // The summary: no anchor (no recovery key typed yet), so nothing is confirmed and the backup is not trusted.
    assert.equal((await report.locator('#summary-title > span:last-child').innerText()).trim(), 'Nothing confirms that your identity is really yours');
    assert.ok((await report.locator('.summary-more').innerText()).includes('Your key backup cannot be trusted'));
    assert.match(await report.locator('.summary-meta').nth(1).innerText(), new RegExp(`${alice.userId}, session ALICE1`));
    assert.equal(await sectionState(report, 'identity'), 'Not confirmed');

    // The unverified session: ALICE3, never cross-signed.
    assert.equal(await sessionRow(report, 'ALICE1').locator('.pill').innerText(), 'this session');
    const alice3 = sessionRow(report, 'ALICE3');
    assert.equal(await tagOf(alice3), 'Not verified');
    assert.deepEqual(await codesIn(alice3), ['DEVICE_NOT_CROSS_SIGNED']);
    for (const d of ['ALICE1', 'ALICE2']) assert.deepEqual(await codesIn(sessionRow(report, d)), [], `${d} has no finding of its own`);
    assert.equal(await sectionState(report, 'sessions'), '3 not verified');

    // The stale self-signing key: the seeded scenario has it on carol's CAROL2 (signed only by the
    // self-signing key carol replaced), so it shows in the people section, on carol's row.
    const carolRow = personRow(report, carol.userId);
    assert.ok((await codesIn(carolRow)).includes('DEVICE_SIGNED_BY_STALE_KEY'), `carol's findings: ${(await codesIn(carolRow)).join(', ')}`);
    assert.match(await carolRow.innerText(), /CAROL2[^\n]*not signed by them/);
    assert.equal(await sectionState(report, 'people'), '4 not verified');

    // The backup: signed by alice's master key and ALICE1, but nothing anchors them yet.
    assert.equal(await sectionState(report, 'backup'), 'Not trusted');
    assert.deepEqual(await codesIn(report.locator('#backup')), ['BACKUP_NOT_TRUSTED']);
    assert.match(await report.locator('#backup').innerText(), new RegExp(`${seeded.sessions.inBackup.length} keys; none opened`));
    assert.equal(await sectionState(report, 'secret-storage'), 'Set up');

    await shot(report, 'report');
    await report.emulateMedia({ colorScheme: 'dark' });
    await shot(report, 'report-dark');
    await report.emulateMedia({ colorScheme: 'light' });
  });

  test('the recovery-key screen: a wrong key, a mistyped key, the passphrase, the right key', async () => {
    const { alice } = seeded;
    await goTo(report, 'Recovery key');
    await shot(report, 'recovery-key');

    const wrong = await checkSecret(report, 'Recovery key', WRONG_KEY);
    assert.equal(wrong.word, 'Wrong');
    assert.match(wrong.text, /Wrong: this recovery key does not open your secret storage or your key backup\./);
    await shot(report, 'recovery-key-wrong');

    // One character of group 5 mistyped as a character no recovery key has.
    const groups = alice.recoveryKey.split(' ');
    const typo = [...groups.slice(0, 4), `0${(groups[4] as string).slice(1)}`, ...groups.slice(5)].join(' ');
    const malformed = await checkSecret(report, 'Recovery key', typo);
    assert.equal(malformed.word, 'Not a recovery key');
    assert.match(malformed.text, /the problem is at character 21\./);
    assert.match(malformed.text, /That is group 5, character 1 of the key as you typed it/);
    await shot(report, 'recovery-key-malformed');

    const pass = await checkSecret(report, 'Passphrase', alice.passphrase);
    assert.equal(pass.word, 'Correct');
    assert.match(pass.text, /Correct: this is your current passphrase\./);
    note(`passphrase check (PBKDF2 in the popup's Worker): ${(pass.ms / 1000).toFixed(2)} s`);
    await shot(report, 'recovery-key-passphrase');

    const right = await checkSecret(report, 'Recovery key', alice.recoveryKey);
    assert.equal(right.word, 'Correct');
    assert.match(right.text, /Correct: this is your current recovery key\./);
    assert.match(right.text, /It unlocks all 4 secrets in your secret storage\./);
    assert.match(right.text, /It opens your current key backup\./);
    assert.match(right.text, /Your identity is now confirmed by your recovery key\./);
    await shot(report, 'recovery-key-right');

    // The whole report with the key: identity verified, backup trusted.
    await report.getByRole('button', { name: 'See the whole report with this result' }).click();
    await report.waitForSelector('main[data-screen="report"]');
    assert.match(await report.locator('.banner').innerText(), /This report includes the recovery key you checked\./);
    assert.equal(await sectionState(report, 'identity'), 'Verified');
    assert.equal(await sectionState(report, 'backup'), 'Trusted');
    const n = seeded.sessions.inBackup.length;
    assert.match(await report.locator('#backup').innerText(), new RegExp(`${n} keys; ${n} opened`));
    assert.equal(await tagOf(sessionRow(report, 'ALICE3')), 'Not verified');
    assert.equal(await tagOf(sessionRow(report, 'ALICE2')), 'Verified');
    // bob was verified through SAS; carol reset her identity since, so she is not. (/Verified/ is
    // case-sensitive: it does not match the "Not verified" group.)
    const verified = report.locator('#people .group', { has: report.locator('.group-title', { hasText: /Verified/ }) });
    assert.deepEqual(await verified.locator('li.row .row-name').allInnerTexts(), [seeded.bob.userId]);
    await shot(report, 'report-with-recovery-key');

    // The export screen: a redacted preview (IDs hashed by default), no token in it.
    await goTo(report, 'Export');
    const preview = await report.locator('pre.preview').innerText();
    assert.ok(preview.length > 200, 'the export preview is empty');
    assert.ok(!preview.includes(alice.userId), 'the preview shows alice’s user ID although IDs are hashed by default');
    assert.ok(!preview.includes(alice.A1.accessToken), 'the access token is in the export preview');
    await shot(report, 'export');
    await goTo(report, 'Report');
  });

  test('after the checks, nothing of the key, the passphrase or the private keys is in storage, IndexedDB, the console, the pages or any request (F9)', async () => {
    const list = needles();
    assert.deepEqual(privateKeys.map((k) => k.name).sort(), ["alice's backup.key", "alice's cross_signing.master_key", "alice's cross_signing.self_signing_key", "alice's cross_signing.user_signing_key"]);
    // The scanner finds what it looks for (so an empty answer means something).
    const group3 = seeded.alice.recoveryKey.split(' ')[2] as string;
    assert.ok(traces([{ where: 'a probe', text: `failed at "${group3}"` }], list).length > 0, 'the scanner misses a lone group');
    // Every context was watched: the service worker, the offscreen document and its Worker hear a probe.
    const heard = await b.probeConsole();
    for (const t of ['service_worker', 'background_page', 'worker']) assert.ok(heard.has(t), `the console collector does not hear a ${t} (heard: ${[...heard].join(', ')}; attached: ${[...b.attachedTypes].join(', ')})`);
    const { all, counts } = await haystacks();
    assert.ok(all.some((h) => h.where.includes('IndexedDB (') && h.where.includes('crosscheck')), 'the extension’s own database was not found');
    assert.ok(b.messages.some((m) => m.where.startsWith(server.elementUrl)), 'no console message of the test page was collected');
    note(`looked for ${list.length} traces in ${counts}`);
    const perContext = new Map<string, number>();
    for (const m of b.messages.filter((x) => !x.text.startsWith('crosscheck-e2e-console-probe'))) perContext.set(m.where.startsWith(server.elementUrl) ? 'the test page' : m.where, (perContext.get(m.where.startsWith(server.elementUrl) ? 'the test page' : m.where) ?? 0) + 1);
    note(`console messages by context: ${[...perContext].map(([w, n]) => `${w}: ${n}`).join('; ')}`);
    assert.deepEqual(traces(all, list), []);
  });

  test('carol resets her identity again: the next check says it changed since alice’s first audit', async () => {
    const { carol, alice, hs } = seeded;
    // The first audit pinned carol's master key (after her seeded reset); now she resets again.
    const pinned = (await b.serviceWorker.evaluate(async (userId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('crosscheck');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const rows = await new Promise<unknown[]>((resolve) => {
        const r = db.transaction(['pins'], 'readonly').objectStore('pins').getAll();
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return rows.filter((x) => (x as { userId: string }).userId === userId);
    }, carol.userId)) as { masterKey: string; accepted: boolean }[];
    assert.deepEqual(pinned.map((p) => [p.masterKey, p.accepted]), [[carol.masterKeyAfter, true]]);

    await carol.C1.crypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: passwordAuth(carol.C1) });
    const api = clientApi(hs.baseUrl, alice.A1.accessToken);
    await waitFor('carol’s third master key on the server', async () => {
      const r = (await api('POST', '/keys/query', { device_keys: { [carol.userId]: [] } })) as { master_keys?: Record<string, { keys?: Record<string, string> }> };
      const key = Object.values(r.master_keys?.[carol.userId]?.keys ?? {})[0];
      return key !== undefined && key !== carol.masterKeyAfter;
    });

    await goTo(report, 'Report');
    const ms = await clickToReport(report, report.getByRole('button', { name: 'Check again' }));
    // The homeserver was confirmed for alice already: no second confirmation.
    assert.equal(await report.locator('main').getAttribute('data-state'), 'done', await report.locator('main').innerText());
    note(`second audit (Check again → report on screen): ${Math.round(ms)} ms`);

    const changed = report.locator('#people .group', { has: report.locator('.group-title', { hasText: 'Identity changed' }) });
    assert.equal(await changed.locator('li.row').count(), 1);
    const carolRow = personRow(report, carol.userId);
    assert.equal(await changed.locator('li.row .row-name').innerText(), carol.userId);
    assert.ok((await codesIn(carolRow)).includes('IDENTITY_CHANGED'), (await codesIn(carolRow)).join(', '));
    assert.equal(await sectionState(report, 'people'), 'Needs a look');
    await shot(report, 'report-identity-changed');
  });

  test('a new device ALICE4 with rust crypto (the client writes its own store under Element’s pickle key): the report reads that store', async () => {
    const { alice, hs } = seeded;
    const t0 = performance.now();
    server.setLogin({ baseUrl: hs.baseUrl, userId: alice.userId, deviceId: 'ALICE4', password: alice.A1.password });
    const page = await b.context.newPage();
    await page.goto(server.cryptoUrl);
    await page.waitForSelector('html[data-state="signed-in"], html[data-state="failed"]', { timeout: 90_000 });
    assert.equal(await page.getAttribute('html', 'data-state'), 'signed-in', await page.locator('#status').innerText());
    note(`the rust-crypto page: logged in, store written, keys uploaded in ${Math.round(performance.now() - t0)} ms`);
    const local = (await page.evaluate(() => (window as unknown as { e2eLocal: unknown }).e2eLocal)) as { deviceId: string; ed25519: string; curve25519: string; accessToken: string; pickleKey: string };
    assert.equal(local.deviceId, 'ALICE4');
    assert.equal(local.pickleKey.length, 43);
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
    assert.ok(dbs.includes('matrix-js-sdk::matrix-sdk-crypto'), dbs.join(', '));
    assert.ok(dbs.includes('matrix-react-sdk'), dbs.join(', '));

    const tabId = await tabIdOf(b, page);
    const view = await openReportPage(b, `tabId=${tabId}`);
    // Wait for ALICE4's report, or for the question naming alice's homeserver (this page is another
    // origin). Runs before the H1 test: a question cancelled there stays the background's state,
    // and a report page opened for another tab would show that stale question.
    const hsOrigin = new URL(hs.baseUrl).origin;
    let last = '';
    const ready = async () => {
      for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        const seen = await view.evaluate(() => ({
          state: document.querySelector('main')?.dataset['state'],
          meta: document.querySelectorAll('.summary-meta')[1]?.textContent ?? '',
          facts: Array.from(document.querySelectorAll('dl.facts dd'), (d) => (d as HTMLElement).innerText.trim()),
        }));
        last = JSON.stringify(seen);
        if (seen.state === 'done' && /session ALICE4/.test(seen.meta)) return true;
        if (seen.state === 'needs-confirmation' && seen.facts.includes(hsOrigin)) return true;
      }
      return false;
    };
    assert.ok(await ready(), `no report for ALICE4 (last seen ${last}, ${hsOrigin})`);
    if ((await view.locator('main').getAttribute('data-state')) === 'needs-confirmation') {
      // A new page origin for the same account and server is asked about again.
      await clickToReport(view, view.getByRole('button', { name: 'Yes, check my keys' }));
      assert.ok(await ready(), `no report for ALICE4 (last seen ${last}, ${hsOrigin})`);
    }
    assert.equal(await view.locator('main').getAttribute('data-state'), 'done', await view.locator('main').innerText());
    const state = (await extensionStorage(b, 'session'))['auditState'] as { tookMs?: number; report: Report };
    const r = state.report;
    note(`the audit of ALICE4 with its client store: ${state.tookMs} ms; findings ${r.findings.map((f) => f.code).join(', ')}; not checked: ${r.notChecked.join(' | ')}`);

    // The store was read: nothing about it under "Not checked", the report says where its local facts came from.
    assert.ok(!(await view.locator('#not-checked').innerText()).includes('client store'), await view.locator('#not-checked').innerText());
    assert.ok(!r.notChecked.some((n) => /client store/.test(n)), r.notChecked.join(' | '));
    assert.ok(r.clientStore && r.clientStore.client.length > 0, 'report.clientStore is missing');
    assert.deepEqual(r.subject, { userId: alice.userId, deviceId: 'ALICE4' });
    // This session, with the keys the page's OlmMachine holds.
    assert.equal(await sessionRow(view, 'ALICE4').locator('.pill').innerText(), 'this session');
    const me = r.users.find((u) => u.userId === alice.userId)?.devices.find((d) => d.deviceId === 'ALICE4');
    assert.ok(me, 'ALICE4 is not in the report');
    assert.equal(me.ed25519, local.ed25519);
    assert.equal(me.curve25519, local.curve25519);
    // A fresh device never fetched the private cross-signing keys: the store says so.
    const codes = r.findings.map((f) => f.code);
    assert.ok(codes.includes('LOCAL_CROSS_SIGNING_KEYS_MISSING'), codes.join(', '));
    // Nor the backup key (the local fact behind BACKUP_KEY_NOT_CACHED).
    assert.ok(codes.includes('BACKUP_KEY_NOT_CACHED'), codes.join(', '));
    assert.ok((await codesIn(view.locator('main'))).includes('LOCAL_CROSS_SIGNING_KEYS_MISSING'));
    // The popup shows the client's own facts, set against what is published (report.clientStore);
    // each value follows its tone mark (✓ / i / ! / ✗).
    assert.equal(r.clientStore.thisSession, 'matches');
    assert.deepEqual(r.clientStore.crossSigning, { master: 'not-cached', selfSigning: 'not-cached', userSigning: 'not-cached' });
    assert.equal(r.clientStore.backupKey, 'not-cached');
    const facts = await view.locator('#client-store [data-testid="client-store-facts"]').innerText();
    assert.match(facts, /This session’s keys\s+\S?Match the keys your server publishes for it/);
    assert.match(facts, /Master key\s+\S?Not held in this browser/);
    assert.match(facts, /Backup key\s+\S?Not held in this browser/);
    assert.match(facts, /Message keys\s+\S?\d+ keys? in \d+ rooms?/);
    await view.locator('#client-store').scrollIntoViewIfNeeded();
    await shot(view, 'report-client-store');

    // Now the person enters their recovery key in the client (not in Crosscheck): it caches the
    // private cross-signing keys in its store and signs ALICE4. Checked again, the anchor is that
    // cached private key — labelled "per this browser's client store", since the page can write it.
    const cached = await page.evaluate((rk) => (window as unknown as { e2eCacheCrossSigningKeys(k: string): Promise<unknown> }).e2eCacheCrossSigningKeys(rk), alice.recoveryKey);
    assert.deepEqual(cached, { masterKey: true, selfSigningKey: true, userSigningKey: true }, 'the client did not cache the cross-signing keys');
    await clickToReport(view, view.getByRole('button', { name: 'Check again' }));
    const again = ((await extensionStorage(b, 'session'))['auditState'] as { report: Report }).report;
    assert.equal(again.anchor, 'local-private-key');
    assert.deepEqual(again.clientStore?.crossSigning, { master: 'matches', selfSigning: 'matches', userSigning: 'matches' });
    assert.equal(again.users.find((u) => u.userId === alice.userId)?.identity, 'verified');
    assert.ok(!again.findings.some((f) => f.code === 'LOCAL_CROSS_SIGNING_KEYS_MISSING'), again.findings.map((f) => f.code).join(', '));
    assert.match(await view.getByTestId('client-store-label').innerText(), /^Per this browser’s client store \(element-web rust-crypto store v\d+\): the page itself can write that store/);
    assert.match(await view.locator('#client-store [data-testid="client-store-facts"]').innerText(), /Master key\s+\S?Held; matches your published key/);
    await shot(view, 'report-client-store-anchor');

    // The recovery key checked in Crosscheck's popup (its own Worker, on the snapshot the background
    // kept): the report with the key still carries the client store's view.
    await goTo(view, 'Recovery key');
    const rk = await checkSecret(view, 'Recovery key', alice.recoveryKey);
    assert.equal(rk.word, 'Correct');
    await view.getByRole('button', { name: 'See the whole report with this result' }).click();
    await view.waitForSelector('main[data-screen="report"]');
    assert.match(await view.locator('#client-store [data-testid="client-store-facts"]').innerText(), /Master key\s+\S?Held; matches your published key/);
    assert.equal(await sectionState(view, 'identity'), 'Verified');

    // Offline: the homeserver cannot be reached. The page's session now names a loopback port
    // nothing listens on (a new origin, so the person is asked first); the capture fails to
    // connect, and the report is made from this browser's client stores: its crypto store's keys
    // and its sync store's rooms and account data, labelled offline, with the same verdicts.
    const online = again;
    const deadOrigin = `http://127.0.0.1:${await freePort()}`;
    const realHs = await page.evaluate(() => localStorage.getItem('mx_hs_url'));
    await page.evaluate((u) => localStorage.setItem('mx_hs_url', u), deadOrigin);
    try {
      await clickToReport(view, view.getByRole('button', { name: 'Check again' }));
      assert.equal(await view.locator('main').getAttribute('data-state'), 'needs-confirmation', await view.locator('main').innerText());
      assert.ok((await view.locator('main').innerText()).includes(deadOrigin));
      await clickToReport(view, view.getByRole('button', { name: 'Yes, check my keys' }));
      assert.equal(await view.locator('main').getAttribute('data-state'), 'done', await view.locator('main').innerText());
      const st = (await extensionStorage(b, 'session'))['auditState'] as { offlineBecause?: string; report: Report };
      const off = st.report;
      assert.equal(off.capturedFrom, 'client-store');
      assert.ok(st.offlineBecause && st.offlineBecause.length > 0, 'no reason given for the offline report');
      assert.match(await view.getByTestId('offline-note').innerText(), /^Offline\. .+This report checks the keys this browser’s client last saw/s);
      const verdicts = (rep: Report) => Object.fromEntries(rep.users.map((u) => [u.userId, [u.identity, ...u.devices.map((d) => `${d.deviceId} ${d.status}${d.verified ? ' verified' : ''}`).sort()]]));
      const onV = verdicts(online);
      const offV = verdicts(off);
      // The sync store names everyone alice shares an encrypted room with, as the server did.
      assert.deepEqual(Object.keys(offV).sort(), Object.keys(onV).sort());
      for (const u of Object.keys(onV)) assert.deepEqual(offV[u], onV[u], `${u}: offline and live disagree`);
      assert.equal(off.anchor, online.anchor);
      assert.equal(off.secretStorage.status, online.secretStorage.status, 'secret storage from the sync store’s account data');
      assert.ok(off.notChecked.some((n) => n.startsWith('whether the homeserver still serves these keys')), off.notChecked.join(' | '));
      await shot(view, 'report-offline');
    } finally {
      await page.evaluate((u) => (u === null ? undefined : localStorage.setItem('mx_hs_url', u)), realHs);
    }

    // Nothing of ALICE4's token or its pickle key is kept or logged by the extension, or on its pages.
    const dump = await dumpExtensionStorage(b);
    await b.settle();
    const extensionPages = b.context.pages().filter((p) => p.url().startsWith('chrome-extension://'));
    const hay: Haystack[] = [
      { where: 'chrome.storage.local/session/sync', text: dump.storage },
      { where: `the extension's IndexedDB (${dump.databases.join(', ')})`, text: dump.indexedDB },
      ...b.messages.map((m) => ({ where: `a console ${m.type} message of ${m.where}`, text: m.text })),
      ...(await Promise.all(extensionPages.map(async (p) => ({ where: `DOM of ${p.url()}`, text: await p.evaluate(() => document.documentElement.outerHTML) })))),
      { where: 'DOM of the rust-crypto page', text: await page.evaluate(() => document.documentElement.outerHTML) },
    ];
    const secrets: Needle[] = [{ label: 'ALICE4’s access token', test: (t) => t.includes(local.accessToken) }, ...privateKeyNeedles('ALICE4’s pickle key', local.pickleKey)];
    assert.ok(traces([{ where: 'a probe', text: `x${local.pickleKey}x` }], secrets).length > 0, 'the scanner misses the pickle key');
    assert.deepEqual(traces(hay, secrets), []);
    // Nor anything of alice's recovery key, passphrase or private keys.
    assert.deepEqual(traces(hay, needles()), []);
    await view.close();
    await page.close();
  });
  test('H1: the page now names another homeserver — nothing is sent to it, the person is asked first', async () => {
    const { alice } = seeded;
    const other = new URL(server.plainUrl).origin; // another loopback origin, recording every request
    const before = server.plainRequests.length;
    await element.evaluate((url) => localStorage.setItem('mx_hs_url', url), other);
    try {
      const ms = await clickToReport(report, report.getByRole('button', { name: 'Check again' }));
      assert.equal(await report.locator('main').getAttribute('data-state'), 'needs-confirmation', await report.locator('main').innerText());
      note(`a changed homeserver address is caught in ${Math.round(ms)} ms`);
      assert.deepEqual(await report.locator('dl.facts dd').allInnerTexts(), [alice.userId, other]);
      await shot(report, 'confirm-changed-homeserver');
      await report.getByRole('button', { name: 'Cancel' }).click();
      await report.waitForSelector('main[data-state="idle"]');
      await b.settle();
      assert.deepEqual(server.plainRequests.slice(before), [], 'a request reached the other server');
      assert.deepEqual(b.requests.filter((r) => r.url.startsWith(other)), [], 'the browser asked the other server');
    } finally {
      await element.evaluate((url) => localStorage.setItem('mx_hs_url', url), seeded.hs.baseUrl);
    }
  });

  test('H3: the web page has no channel to the extension (externally_connectable is closed)', async () => {
    const channel = await element.evaluate(() => {
      const c = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown; connect?: unknown } } }).chrome;
      return { sendMessage: typeof c?.runtime?.sendMessage, connect: typeof c?.runtime?.connect };
    });
    assert.deepEqual(channel, { sendMessage: 'undefined', connect: 'undefined' });
  });

  test('a crypto store newer than Crosscheck knows is named under "Not checked" and never read', async () => {
    // The element page's origin gets a rust crypto store at schema 200 (what a future client would write).
    await element.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('matrix-js-sdk::matrix-sdk-crypto', 200);
          r.onupgradeneeded = () => void r.result.createObjectStore('core');
          r.onsuccess = () => {
            r.result.close();
            resolve();
          };
          r.onerror = () => reject(r.error);
        }),
    );
    try {
      const before = ((await extensionStorage(b, 'session'))['auditState'] as { finishedAt?: string } | undefined)?.finishedAt;
      const view = await openReportPage(b, `tabId=${await tabIdOf(b, element)}`);
      const state = await waitFor('a new report for the element page', async () => {
        const st = (await extensionStorage(b, 'session'))['auditState'] as { phase: string; finishedAt?: string; report?: Report } | undefined;
        return st?.phase === 'done' && st.finishedAt !== before ? st : undefined;
      });
      const line = state.report?.notChecked.find((n) => n.startsWith("this browser's client store:"));
      assert.ok(line, state.report?.notChecked.join(' | '));
      assert.match(line, /schema version 200, newer than the version 107 Crosscheck understands; update Crosscheck/);
      assert.equal(state.report?.clientStore, undefined, 'nothing was read from it');
      await view.waitForSelector('main[data-state="done"] #not-checked');
      assert.match(await view.locator('#not-checked').innerText(), /schema version 200, newer than the version 107/);
      await view.close();
    } finally {
      await element.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const d = indexedDB.deleteDatabase('matrix-js-sdk::matrix-sdk-crypto');
            d.onsuccess = d.onerror = d.onblocked = () => resolve();
          }),
      );
    }
  });

  test('and still nothing of the key or the passphrase anywhere after the second audit', async () => {
    const { all } = await haystacks();
    assert.deepEqual(traces(all, needles()), []);
  });

});
