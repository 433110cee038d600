/**
 * @module background/main — the service worker (Chrome) / event page (Firefox) entry. Wires the
 * real browser parts into the orchestrator and registers every listener synchronously at the
 * top level, as MV3 requires.
 *
 * Accepted messages: only from this extension's own popup/report page (sender checks below,
 * security.md H3); none from content scripts (the session reader returns its result through
 * `scripting.executeScript`, once) and none from other extensions or pages (no external
 * listeners; `externally_connectable` is closed in the Chrome manifest).
 */
import { browser } from '../platform/browserEager.ts';
import type { Browser } from '../platform/browser.ts';
import { err, ok } from '../core/result.ts';
import { validateEnvelope, type MessageError } from '../protocol/messages.ts';
import { validateSessionReadResult } from '../protocol/session.ts';
import { readElementSession } from '../content/readElementSession.ts';
import { readRustStore } from '../sources/clientStorage/rustStore/readRustStore.ts';
import { readLegacyStore } from '../sources/clientStorage/legacyStore/readLegacyStore.ts';
import { readClientStoreInTab } from './clientStoreReader.ts';
import { readSyncStore } from '../sources/clientStorage/syncStore/readSyncStore.ts';
import { syncStoreInput } from './syncStoreReader.ts';
import { captureSnapshot } from '../sources/homeserver/capture.ts';
import { isUnreachable } from '../sources/homeserver/errors.ts';
import { dexiePinStore } from '../store/pinStore.ts';
import { createOrchestrator } from './orchestrator.ts';
import { offscreenRunner, workerRunner } from './auditRunner.ts';
import { sessionStateStore, localApprovals } from './stores.ts';
import { setBadge } from './badge.ts';

declare const BUILD_TARGET: 'chrome' | 'firefox';
declare const CROSSCHECK_TEST_BUILD: boolean;

const runners = BUILD_TARGET === 'chrome' ? offscreenRunner(browser) : workerRunner(browser.runtime.getURL('worker.js'));

const orchestrator = createOrchestrator({
  async readSession(tabId) {
    let results: Browser.Scripting.InjectionResult[];
    try {
      // Isolated world, top frame only, injected on this click only (activeTab).
      results = await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func: readElementSession });
    } catch (e) {
      return err<MessageError>({ code: 'unsupported-page', message: `Crosscheck cannot read this page (${e instanceof Error ? e.message : 'no access'}). Open it on the tab where your Matrix client is signed in.` });
    }
    const checked = validateSessionReadResult(results[0]?.result);
    if (!checked.ok) return err<MessageError>({ code: 'unsupported-page', message: 'This page is not a supported signed-in Matrix client.' });
    const r = checked.value;
    return r.ok ? ok(r.value) : err<MessageError>({ code: 'unsupported-page', message: r.error.message });
  },
  readClientStore(tabId) {
    // The rust store first; the legacy libolm store only when the page has no rust store.
    return readClientStoreInTab(
      async (func) => (await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func }))[0]?.result,
      { rust: readRustStore, legacy: readLegacyStore },
    );
  },
  async readSyncStore(tabId) {
    try {
      return syncStoreInput((await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func: readSyncStore }))[0]?.result);
    } catch {
      return { unavailable: 'the sync store could not be read on this page' };
    }
  },
  async capture(session, onStep) {
    const snap = await captureSnapshot({ homeserver: session.homeserverUrl, accessToken: session.accessToken, now: () => new Date(), onProgress: onStep, includeBackupSessions: true });
    if (!snap.ok) return err({ code: 'capture-failed', message: snap.error.message, ...(isUnreachable(snap.error) ? { unreachable: true } : {}) });
    return ok(snap.value as unknown as Record<string, never>);
  },
  ...runners,
  async demoSnapshotJson() {
    const res = await fetch(browser.runtime.getURL('demo/demo-snapshot.json'));
    return res.text();
  },
  approvals: localApprovals(browser),
  pins: dexiePinStore,
  state: sessionStateStore(browser),
  badge: (report) => setBadge(browser, report),
  now: () => new Date(),
  allowLoopbackHttp: CROSSCHECK_TEST_BUILD,
});

const extensionOrigin = new URL(browser.runtime.getURL('')).origin;

/** Only our own popup/report page may ask anything (security.md §5 "Content scripts and messaging"). */
function fromOwnPage(sender: Browser.Runtime.MessageSender): boolean {
  if (sender.id !== browser.runtime.id || !sender.url) return false;
  const url = new URL(sender.url);
  return url.origin === extensionOrigin && url.pathname === '/popup.html' && (sender.frameId === undefined || sender.frameId === 0);
}

browser.runtime.onMessage.addListener((message: unknown, sender: Browser.Runtime.MessageSender) => {
  if (typeof message === 'object' && message !== null && (message as { target?: unknown }).target === 'offscreen') return undefined; // for the offscreen document
  if (!fromOwnPage(sender)) return undefined;
  const envelope = validateEnvelope(message);
  if (!envelope.ok) return Promise.resolve(err<MessageError>({ code: 'bad-request', message: envelope.error }));
  return orchestrator.handle(envelope.value);
});
