/**
 * End-to-end in Firefox ESR against the real thing, the Firefox counterpart of
 * test/e2e/seededAccount.test.ts (whose server, page and secret scanner it reuses): Synapse seeded
 * by real matrix-js-sdk clients, the test page (a real signed-in matrix-js-sdk client storing its
 * session the way Element Web does, as alice's ALICE1), and dist/firefox-test installed
 * temporarily over WebDriver BiDi, auditing that tab the way a toolbar click would: the report page
 * opened with `?tabId=`, the homeserver confirmed, the session read from the page (a Firefox
 * content script, where IndexedDB hands back page-realm Xray objects: client-storage.md §7), the
 * keys captured from Synapse by the background page, the audit run in its Worker, the report shown.
 *
 * In order, one browser: the report → the recovery-key screen (wrong, mistyped, right) → nothing
 * of the key, the passphrase, alice's private keys or her token in storage, IndexedDB, the console
 * or the pages (security.md F9) → carol resets her identity again and the next check says it
 * changed → a new device ALICE4 running rust crypto (the store keyed with Element's
 * pickle key) is read by the extension (the client-store section; the client then caches the
 * cross-signing keys and the anchor becomes that cached key; the recovery key checked keeps the
 * section; offline, the report is made from the browser's stores with the live verdicts), and
 * nothing of its token or pickle key is kept or logged.
 * Screenshots go to test-output/e2e-firefox/.
 */
// Bound, then released: nothing listens there afterwards (a homeserver that cannot be reached).
import { freePort } from '../integration/harness/synapse.ts';
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { note, startSeeded, stopSeeded } from '../integration/live.ts';
import type { Seeded } from '../integration/seed/scenario.ts';
import { passwordAuth, stopSeedClient, waitFor } from '../integration/seed/clients.ts';
import { clientApi } from '../integration/harness/admin.ts';
import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { startTestServer, type TestServer } from '../e2e/harness/server.ts';
import { privateKeyNeedles, recoveryKeyNeedles, passphraseNeedles, traces, type Haystack, type Needle } from '../e2e/harness/secrets.ts';
import { ensureTestPage, repoRoot } from '../e2e/page/bundle.mjs';
import type { Report } from '../../src/core/report/types.ts';
import {
  clickButton,
  clickToNextScreen,
  codesIn,
  dumpExtensionStorage,
  extensionStorage,
  goTo,
  launchFirefox,
  mainState,
  openReportPage,
  rowOf,
  sectionState,
  tabIdOf,
  textOf,
  waitForState,
  type LaunchedFirefox,
} from './harness/firefox.ts';

const shots = join(repoRoot, 'test-output', 'e2e-firefox');
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

let seeded: Seeded;
let server: TestServer;
let b: LaunchedFirefox;
let element: Page;
let report: Page;
/** Private keys alice's secret storage holds (cross-signing, backup): none may appear anywhere. */
const privateKeys: { name: string; base64: string }[] = [];
const WRONG_KEY = encodeRecoveryKey(new Uint8Array(randomBytes(32))) as string;

/** Waits until the page at `url` says it is signed in (or failed), and returns its state. */
async function signedIn(page: Page): Promise<string> {
  await page.waitForSelector('html[data-state="signed-in"], html[data-state="failed"]', { timeout: 90_000 });
  return (await page.evaluate(() => document.documentElement.dataset['state'])) as string;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureTestPage((line) => note(line));
  server = await startTestServer();
  seeded = await startSeeded('e2e-firefox');
  const { A1 } = seeded.alice;
  const bundle = (await A1.crypto.exportSecretsBundle?.()) as unknown;
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string' && /^[A-Za-z0-9+/]{43}=?$/.test(v)) privateKeys.push({ name: `alice's ${path}`, base64: v });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(bundle, '');
  // The page takes over ALICE1: the Node client stops syncing as that device.
  stopSeedClient(A1);
  server.setSession({ baseUrl: seeded.hs.baseUrl, userId: seeded.alice.userId, deviceId: A1.deviceId, accessToken: A1.accessToken });
  b = await launchFirefox();
  element = await b.browser.newPage();
  await element.goto(server.elementUrl);
  assert.equal(await signedIn(element), 'signed-in', await textOf(element, '#status'));
});

after(async () => {
  await b?.close();
  await server?.close();
  await stopSeeded(seeded);
});

/** Types a secret into the recovery-key screen, checks it, and returns the result card's word and text. */
async function checkSecret(page: Page, kind: 'recovery-key' | 'passphrase', secret: string): Promise<{ word: string; text: string }> {
  await page.click(`input[type="radio"][value="${kind}"]`);
  const before = await page.evaluate(() => document.querySelector('section.result')?.textContent ?? null);
  await page.click('#secret-input');
  await page.type('#secret-input', secret);
  await clickButton(page, kind === 'passphrase' ? 'Check passphrase' : 'Check recovery key');
  // The field is cleared the moment the check starts.
  assert.equal(await page.$eval('#secret-input', (e) => (e as HTMLInputElement).value), '', 'the field still holds the secret');
  await page.waitForFunction(
    (prev) => {
      const card = document.querySelector('section.result');
      return card !== null && card.textContent !== prev && !document.querySelector('button[type="submit"][disabled]');
    },
    { timeout: 60_000, polling: 100 },
    before,
  );
  const word = await page.evaluate(() => (document.querySelector('#rk-result-title .tag')?.lastChild?.textContent ?? '').trim());
  return { word, text: await textOf(page, 'section.result') };
}

function needles(): Needle[] {
  const { alice } = seeded;
  return [
    ...recoveryKeyNeedles("alice's recovery key", alice.recoveryKey),
    ...recoveryKeyNeedles('the wrong recovery key', WRONG_KEY),
    ...passphraseNeedles("alice's passphrase", alice.passphrase),
    ...privateKeys.flatMap((k) => privateKeyNeedles(k.name, k.base64)),
  ];
}

/** The extension's storage, its IndexedDB, every console message, and the DOM of every tab. */
async function haystacks(): Promise<{ all: Haystack[]; counts: string }> {
  const dump = await dumpExtensionStorage(b);
  const pages = await Promise.all(
    (await b.browser.pages()).map(async (p) => {
      const seen = await p.evaluate(() => ({ url: location.href, text: `${document.documentElement.outerHTML} ${Array.from(document.querySelectorAll('input'), (i) => i.value).join(' ')}` })).catch(() => ({ url: p.url(), text: '' }));
      return { where: `DOM of ${seen.url}`, text: seen.text };
    }),
  );
  const all: Haystack[] = [
    { where: 'browser.storage.local/session/sync', text: dump.storage },
    { where: `the extension's IndexedDB (${dump.databases.join(', ')})`, text: dump.indexedDB },
    ...b.messages.map((m) => ({ where: `a console ${m.type} message (${m.where})`, text: m.text })),
    ...pages,
  ];
  return { all, counts: `${dump.storage.length} characters of storage, ${dump.indexedDB.length} of IndexedDB (${dump.databases.join(', ')}), ${b.messages.length} console lines, ${pages.length} pages` };
}

describe('alice’s account in Firefox ESR: report, recovery key, changed identity, client store', () => {
  test('the test page is a signed-in matrix-js-sdk client whose session is stored the way Element Web stores it', async () => {
    assert.equal(await textOf(element, '#status'), `Signed in as ${seeded.alice.userId} (ALICE1), syncing, joined to 3 rooms.`);
    const stored = await element.evaluate(async () => ({
      keys: Object.keys(localStorage).sort(),
      plainToken: localStorage.getItem('mx_access_token'),
      dbs: (await indexedDB.databases()).map((d) => `${d.name}@${d.version}`),
    }));
    for (const k of ['mx_hs_url', 'mx_user_id', 'mx_device_id', 'mx_has_access_token', 'mx_has_pickle_key']) assert.ok(stored.keys.includes(k), `localStorage ${k}`);
    assert.equal(stored.plainToken, null, 'the token is in IndexedDB, encrypted, not in localStorage');
    assert.ok(stored.dbs.includes('matrix-react-sdk@1'), stored.dbs.join(', '));
  });

  test('the report: the homeserver is asked about first, then the findings for the seeded account', async () => {
    const { alice, carol, hs } = seeded;
    const tabId = await tabIdOf(b, server.elementUrl);
    report = await openReportPage(b, `tabId=${tabId}`);
    assert.equal(await waitForState(report, ['needs-confirmation', 'error', 'done'], 30_000), 'needs-confirmation', await textOf(report, 'main'));
    const facts = await report.$$eval('dl.facts dd', (ds) => ds.map((d) => (d as HTMLElement).innerText.trim()));
    assert.deepEqual(facts, [alice.userId, new URL(hs.baseUrl).origin]);
    await shot(report, 'confirm-homeserver');

    await clickButton(report, 'Yes, check my keys');
    assert.equal(await waitForState(report, ['done', 'error']), 'done', await textOf(report, 'main'));
    assert.equal(await report.evaluate(() => document.querySelector('main')?.dataset['screen']), 'report');
    const state = (await extensionStorage(b, 'session'))['auditState'] as { tookMs?: number; report: Report };
    note(`Firefox: the background's own measure (session read → report stored): ${state.tookMs} ms`);
    assert.deepEqual(state.report.subject, { userId: alice.userId, deviceId: 'ALICE1' });

    // The summary: no anchor yet, so nothing is confirmed and the backup is not trusted.
    assert.equal(await textOf(report, '#summary-title > span:last-child'), 'Nothing confirms that your identity is really yours');
    assert.ok((await textOf(report, '.summary-more')).includes('Your key backup cannot be trusted'));
    const meta = await report.$$eval('.summary-meta', (es) => es.map((e) => (e as HTMLElement).innerText));
    assert.match(meta[1] ?? '', new RegExp(`${alice.userId}, session ALICE1`));
    assert.equal(await sectionState(report, 'identity'), 'Not confirmed');

    // The unverified session: ALICE3, never cross-signed.
    assert.equal((await rowOf(report, 'sessions', 'ALICE1'))?.pill, 'this session');
    assert.equal((await rowOf(report, 'sessions', 'ALICE3'))?.tag, 'Not verified');
    assert.deepEqual(await codesIn(report, '#sessions li.row', 'ALICE3'), ['DEVICE_NOT_CROSS_SIGNED']);
    for (const d of ['ALICE1', 'ALICE2']) assert.deepEqual(await codesIn(report, '#sessions li.row', d), [], `${d} has no finding of its own`);
    assert.equal(await sectionState(report, 'sessions'), '3 not verified');

    // The stale self-signing key on carol's CAROL2, shown on carol's row.
    const carolCodes = await codesIn(report, '#people li.row', carol.userId);
    assert.ok(carolCodes.includes('DEVICE_SIGNED_BY_STALE_KEY'), `carol's findings: ${carolCodes.join(', ')}`);
    assert.match((await rowOf(report, 'people', carol.userId))?.text ?? '', /CAROL2[^\n]*not signed by them/);
    assert.equal(await sectionState(report, 'people'), '4 not verified');

    // The backup: signed, but nothing anchors it yet.
    assert.equal(await sectionState(report, 'backup'), 'Not trusted');
    assert.deepEqual(await codesIn(report, '#backup'), ['BACKUP_NOT_TRUSTED']);
    assert.match(await textOf(report, '#backup'), new RegExp(`${seeded.sessions.inBackup.length} keys; none opened`));
    assert.equal(await sectionState(report, 'secret-storage'), 'Set up');
    await shot(report, 'report');
  });

  test('the recovery-key screen: a wrong key, a mistyped key, the right key (the check runs in the popup’s Worker)', async () => {
    const { alice } = seeded;
    await goTo(report, 'Recovery key');
    await shot(report, 'recovery-key');

    const wrong = await checkSecret(report, 'recovery-key', WRONG_KEY);
    assert.equal(wrong.word, 'Wrong');
    assert.match(wrong.text, /Wrong: this recovery key does not open your secret storage or your key backup\./);
    await shot(report, 'recovery-key-wrong');

    const groups = alice.recoveryKey.split(' ');
    const typo = [...groups.slice(0, 4), `0${(groups[4] as string).slice(1)}`, ...groups.slice(5)].join(' ');
    const malformed = await checkSecret(report, 'recovery-key', typo);
    assert.equal(malformed.word, 'Not a recovery key');
    assert.match(malformed.text, /the problem is at character 21\./);

    const right = await checkSecret(report, 'recovery-key', alice.recoveryKey);
    assert.equal(right.word, 'Correct');
    assert.match(right.text, /Correct: this is your current recovery key\./);
    assert.match(right.text, /It unlocks all 4 secrets in your secret storage\./);
    assert.match(right.text, /It opens your current key backup\./);
    assert.match(right.text, /Your identity is now confirmed by your recovery key\./);
    await shot(report, 'recovery-key-right');

    await clickButton(report, 'See the whole report with this result');
    await report.waitForSelector('main[data-screen="report"]');
    assert.match(await textOf(report, '.banner'), /This report includes the recovery key you checked\./);
    assert.equal(await sectionState(report, 'identity'), 'Verified');
    assert.equal(await sectionState(report, 'backup'), 'Trusted');
    const n = seeded.sessions.inBackup.length;
    assert.match(await textOf(report, '#backup'), new RegExp(`${n} keys; ${n} opened`));
    assert.equal((await rowOf(report, 'sessions', 'ALICE2'))?.tag, 'Verified');
    assert.equal((await rowOf(report, 'sessions', 'ALICE3'))?.tag, 'Not verified');
    await shot(report, 'report-with-recovery-key');
    await goTo(report, 'Report');
  });

  test('after the checks, nothing of the key, the passphrase, the private keys or the token is in storage, IndexedDB, the console or the pages (F9)', async () => {
    const list = needles();
    assert.deepEqual(privateKeys.map((k) => k.name).sort(), ["alice's backup.key", "alice's cross_signing.master_key", "alice's cross_signing.self_signing_key", "alice's cross_signing.user_signing_key"]);
    const group3 = seeded.alice.recoveryKey.split(' ')[2] as string;
    assert.ok(traces([{ where: 'a probe', text: `failed at "${group3}"` }], list).length > 0, 'the scanner misses a lone group');
    // The console collector hears an extension tab (and an object argument's content), the
    // background page, and a Worker.
    const heard = await b.probeConsole(element);
    for (const t of ['extension-page', 'object-argument', 'background-page', 'worker']) assert.ok(heard.has(t), `the console collector does not hear ${t} (heard: ${[...heard].join(', ')})`);
    const { all, counts } = await haystacks();
    assert.ok(all.some((h) => h.where.includes('IndexedDB (') && h.where.includes('crosscheck')), 'the extension’s own database was not found');
    assert.ok(all.some((h) => h.where.includes('browser.storage') && h.text.includes('auditState')), 'the extension’s session storage was not read');
    note(`looked for ${list.length} traces in ${counts}`);
    assert.deepEqual(traces(all, list), []);
    // Nor ALICE1's access token: the background holds it, and nothing of ours keeps or logs it
    // (the test page's own DOM is left out: it is the client that owns the token).
    const token: Needle = { label: 'ALICE1’s access token', test: (t) => t.includes(seeded.alice.A1.accessToken) };
    assert.ok(traces([{ where: 'a probe', text: `Bearer ${seeded.alice.A1.accessToken}` }], [token]).length > 0);
    assert.deepEqual(traces(all.filter((h) => !h.where.startsWith(`DOM of ${server.elementUrl}`)), [token]), []);
  });

  test('carol resets her identity again: the next check says it changed since alice’s first audit', async () => {
    const { carol, alice, hs } = seeded;
    await carol.C1.crypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: passwordAuth(carol.C1) });
    const api = clientApi(hs.baseUrl, alice.A1.accessToken);
    await waitFor('carol’s third master key on the server', async () => {
      const r = (await api('POST', '/keys/query', { device_keys: { [carol.userId]: [] } })) as { master_keys?: Record<string, { keys?: Record<string, string> }> };
      const key = Object.values(r.master_keys?.[carol.userId]?.keys ?? {})[0];
      return key !== undefined && key !== carol.masterKeyAfter;
    });
    const before = ((await extensionStorage(b, 'session'))['auditState'] as { report?: { generatedAt?: string } }).report?.generatedAt;
    await clickButton(report, 'Check again');
    // The homeserver was confirmed for alice already: no second question, a new report (a new
    // generatedAt in the background's state; waited for in steps, not timed).
    let after: string | undefined;
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const now = (await extensionStorage(b, 'session'))['auditState'] as { phase: string; report?: { generatedAt?: string } };
      if (now.phase !== 'running' && now.report?.generatedAt !== before) {
        after = now.report?.generatedAt;
        break;
      }
    }
    assert.ok(after !== undefined, 'no second report');
    assert.equal(await waitForState(report, ['done', 'error', 'needs-confirmation']), 'done', await textOf(report, 'main'));
    const changed = await report.evaluate(() => {
      const group = Array.from(document.querySelectorAll('#people .group')).find((g) => (g.querySelector('.group-title')?.textContent ?? '').includes('Identity changed'));
      return group ? Array.from(group.querySelectorAll('li.row .row-name'), (e) => (e as HTMLElement).innerText.trim()) : [];
    });
    assert.deepEqual(changed, [carol.userId]);
    assert.ok((await codesIn(report, '#people li.row', carol.userId)).includes('IDENTITY_CHANGED'));
    assert.equal(await sectionState(report, 'people'), 'Needs a look');
    await shot(report, 'report-identity-changed');
  });

  test('a new device ALICE4 with rust crypto (its store keyed with Element’s pickle key): the extension reads that store in Firefox', async () => {
    const { alice, hs } = seeded;
    server.setLogin({ baseUrl: hs.baseUrl, userId: alice.userId, deviceId: 'ALICE4', password: alice.A1.password });
    const page = await b.browser.newPage();
    await page.goto(server.cryptoUrl);
    assert.equal(await signedIn(page), 'signed-in', await textOf(page, '#status'));
    const local = (await page.evaluate(() => (window as unknown as { e2eLocal: unknown }).e2eLocal)) as { deviceId: string; ed25519: string; curve25519: string; accessToken: string; pickleKey: string };
    assert.equal(local.deviceId, 'ALICE4');
    assert.equal(local.pickleKey.length, 43);
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
    assert.ok(dbs.includes('matrix-js-sdk::matrix-sdk-crypto'), dbs.join(', '));

    const tabId = await tabIdOf(b, server.cryptoUrl);
    const view = await openReportPage(b, `tabId=${tabId}`);
    // A new page origin for the same account and server may be asked about again.
    let state = await waitForState(view, ['done', 'needs-confirmation', 'error']);
    if (state === 'needs-confirmation') {
      const facts = await view.$$eval('dl.facts dd', (ds) => ds.map((d) => (d as HTMLElement).innerText.trim()));
      assert.deepEqual(facts, [alice.userId, new URL(hs.baseUrl).origin]);
      await clickButton(view, 'Yes, check my keys');
      await view.waitForFunction(() => document.querySelector('main')?.dataset['state'] !== 'needs-confirmation', { timeout: 30_000, polling: 100 });
      state = await waitForState(view, ['done', 'error']);
    }
    assert.equal(state, 'done', await textOf(view, 'main'));
    const r = ((await extensionStorage(b, 'session'))['auditState'] as { report: Report }).report;
    note(`Firefox, ALICE4 with its client store: findings ${r.findings.map((f) => f.code).join(', ')}; not checked: ${r.notChecked.join(' | ')}`);
    assert.deepEqual(r.subject, { userId: alice.userId, deviceId: 'ALICE4' });

    // The store was read: nothing about it under "Not checked", the report names the client store.
    assert.ok(!(await textOf(view, '#not-checked')).includes('client store'), await textOf(view, '#not-checked'));
    assert.ok(!r.notChecked.some((x) => /client store/.test(x)), r.notChecked.join(' | '));
    assert.ok(r.clientStore && r.clientStore.client.length > 0, 'report.clientStore is missing');
    assert.equal((await rowOf(view, 'sessions', 'ALICE4'))?.pill, 'this session');
    const me = r.users.find((u) => u.userId === alice.userId)?.devices.find((d) => d.deviceId === 'ALICE4');
    assert.ok(me, 'ALICE4 is not in the report');
    assert.equal(me.ed25519, local.ed25519);
    assert.equal(me.curve25519, local.curve25519);
    // Local facts only the store knows: no private cross-signing keys, no backup key cached.
    const codes = r.findings.map((f) => f.code);
    assert.ok(codes.includes('LOCAL_CROSS_SIGNING_KEYS_MISSING'), codes.join(', '));
    assert.ok(codes.includes('BACKUP_KEY_NOT_CACHED'), codes.join(', '));
    assert.ok((await codesIn(view, 'main')).includes('LOCAL_CROSS_SIGNING_KEYS_MISSING'));
    assert.equal(await mainState(view), 'done');
    // The popup's client-store section: the client's own facts, set against what is published
    // (report.clientStore); each value follows its tone mark (✓ / i / ! / ✗).
    assert.equal(r.clientStore.thisSession, 'matches');
    assert.deepEqual(r.clientStore.crossSigning, { master: 'not-cached', selfSigning: 'not-cached', userSigning: 'not-cached' });
    assert.equal(r.clientStore.backupKey, 'not-cached');
    const storeFacts = '#client-store [data-testid="client-store-facts"]';
    const facts = await textOf(view, storeFacts);
    assert.match(facts, /This session’s keys\s+\S?Match the keys your server publishes for it/);
    assert.match(facts, /Master key\s+\S?Not held in this browser/);
    assert.match(facts, /Backup key\s+\S?Not held in this browser/);
    assert.match(facts, /Message keys\s+\S?\d+ keys? in \d+ rooms?/);
    await view.evaluate(() => document.querySelector('#client-store')?.scrollIntoView());
    await shot(view, 'report-client-store');

    // The person enters their recovery key in the client (not in Crosscheck): it caches the private
    // cross-signing keys in its store and signs ALICE4. Checked again, the anchor is that cached
    // private key, labelled "per this browser's client store" (the page can write it).
    const cached = await page.evaluate((rk) => (window as unknown as { e2eCacheCrossSigningKeys(k: string): Promise<unknown> }).e2eCacheCrossSigningKeys(rk), alice.recoveryKey);
    assert.deepEqual(cached, { masterKey: true, selfSigningKey: true, userSigningKey: true }, 'the client did not cache the cross-signing keys');
    assert.equal(await clickToNextScreen(view, 'Check again'), 'done', await textOf(view, 'main'));
    const again = ((await extensionStorage(b, 'session'))['auditState'] as { report: Report }).report;
    assert.equal(again.anchor, 'local-private-key');
    assert.deepEqual(again.clientStore?.crossSigning, { master: 'matches', selfSigning: 'matches', userSigning: 'matches' });
    assert.equal(again.users.find((u) => u.userId === alice.userId)?.identity, 'verified');
    assert.ok(!again.findings.some((f) => f.code === 'LOCAL_CROSS_SIGNING_KEYS_MISSING'), again.findings.map((f) => f.code).join(', '));
    assert.match(await textOf(view, '[data-testid="client-store-label"]'), /^Per this browser’s client store \(element-web rust-crypto store v\d+\): the page itself can write that store/);
    assert.match(await textOf(view, storeFacts), /Master key\s+\S?Held; matches your published key/);
    await shot(view, 'report-client-store-anchor');

    // The recovery key checked in Crosscheck's page (its own Worker, on the snapshot the background
    // kept): the report with the key still carries the client store's view.
    await goTo(view, 'Recovery key');
    const rk = await checkSecret(view, 'recovery-key', alice.recoveryKey);
    assert.equal(rk.word, 'Correct', rk.text);
    await clickButton(view, 'See the whole report with this result');
    await view.waitForSelector('main[data-screen="report"]');
    assert.match(await textOf(view, storeFacts), /Master key\s+\S?Held; matches your published key/);
    assert.equal(await sectionState(view, 'identity'), 'Verified');

    // Offline: the page's session now names a loopback port nothing listens on (a new origin, so
    // the person is asked first); the background's fetch fails to connect, and the report is made
    // from this browser's client stores (crypto store and sync store), with the same verdicts.
    const online = again;
    const deadOrigin = `http://127.0.0.1:${await freePort()}`;
    const realHs = await page.evaluate(() => localStorage.getItem('mx_hs_url'));
    await page.evaluate((u) => localStorage.setItem('mx_hs_url', u), deadOrigin);
    try {
      assert.equal(await clickToNextScreen(view, 'Check again'), 'needs-confirmation', await textOf(view, 'main'));
      assert.ok((await textOf(view, 'main')).includes(deadOrigin), await textOf(view, 'main'));
      assert.equal(await clickToNextScreen(view, 'Yes, check my keys'), 'done', await textOf(view, 'main'));
      const st = (await extensionStorage(b, 'session'))['auditState'] as { offlineBecause?: string; report: Report };
      const off = st.report;
      note(`Firefox, ALICE4 offline: ${st.offlineBecause}`);
      assert.equal(off.capturedFrom, 'client-store');
      assert.ok(st.offlineBecause && st.offlineBecause.length > 0, 'no reason given for the offline report');
      assert.match(await textOf(view, '[data-testid="offline-note"]'), /^Offline\. .+This report checks the keys this browser’s client last saw/s);
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

    // Nothing of ALICE4's token or pickle key kept or logged by the extension or on its pages.
    const { all } = await haystacks();
    const hay = all.filter((h) => !h.where.startsWith(`DOM of ${server.cryptoUrl}`) && !h.where.startsWith(`DOM of ${server.elementUrl}`));
    hay.push({ where: 'DOM of the rust-crypto page', text: await page.evaluate(() => document.documentElement.outerHTML) });
    const secrets: Needle[] = [{ label: 'ALICE4’s access token', test: (t) => t.includes(local.accessToken) }, ...privateKeyNeedles('ALICE4’s pickle key', local.pickleKey)];
    assert.ok(traces([{ where: 'a probe', text: `x${local.pickleKey}x` }], secrets).length > 0, 'the scanner misses the pickle key');
    assert.deepEqual(traces(hay, secrets), []);
    assert.deepEqual(traces(hay, needles()), []);
    await view.close();
    await page.close();
  });
});
