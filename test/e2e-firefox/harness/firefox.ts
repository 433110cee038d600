/**
 * @module e2e-firefox/harness/firefox — Debian's Firefox ESR with the test build of the extension
 * (dist/firefox-test) installed as a temporary add-on over WebDriver BiDi (scripts/firefox.mjs,
 * puppeteer-core), plus what the tests need around it. The Chromium harness
 * (test/e2e/harness/browser.ts) speaks CDP; here everything goes through BiDi and the extension's
 * own pages:
 *
 * - Extension pages: BiDi refuses to navigate a tab to moz-extension:// unless Firefox runs with
 *   `--remote-allow-system-access` (scripts/firefox.mjs passes it). The navigation switches the tab
 *   into the extension process, and puppeteer-core 25.16 reports the old frame as detached and
 *   keeps `page.url()` at about:blank; the tab itself works (evaluate, input, screenshots), so
 *   `openExtensionPage` ignores that one rejection and checks `location.href` instead.
 * - A control tab (`popup.html?view=page`, which starts no audit) stands in for Chromium's
 *   service worker: tab IDs (`browser.tabs.query`), the extension's storage and IndexedDB (the
 *   background page and the extension tabs share the moz-extension:// origin).
 * - Console messages: Firefox writes every console call of web and extension contexts (pages, the
 *   background page, Workers) to its stdout with `devtools.console.stdout.content`; the harness
 *   keeps all of the browser's stdout and stderr, and puppeteer's `console`/`pageerror` events of
 *   the pages it opened. `probeConsole()` shows which contexts are heard.
 * - Not observable here: the requests of the background page (BiDi's network events cover tabs).
 */
import type { Browser, Page } from 'puppeteer-core';
import { fileURLToPath } from 'node:url';
import { extensionDumpScript } from '../../e2e/harness/browser.ts';

interface FirefoxModule {
  launchFirefoxWithExtension(dir: string, opts?: { headless?: boolean; uuid?: string }): Promise<{ browser: Browser; extensionOrigin: string; userDataDir: string; close(): Promise<void> }>;
}

/** The WebExtension API as extension pages see it (no @types for it here). */
declare const browser: {
  tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> };
  storage: Record<'local' | 'session' | 'sync', { get(keys: null): Promise<Record<string, unknown>> }>;
  runtime: { getBackgroundPage(): Promise<{ console: Console } | null> };
  permissions: { contains(p: { origins: string[] }): Promise<boolean> };
};

export const extensionDir = fileURLToPath(new URL('../../../dist/firefox-test', import.meta.url));

export interface LoggedMessage {
  /** Where it was seen: `firefox stdout`, `firefox stderr`, or a page URL. */
  readonly where: string;
  readonly type: string;
  readonly text: string;
}

export interface LaunchedFirefox {
  readonly browser: Browser;
  /** `moz-extension://<uuid>` (the UUID chosen at launch through `extensions.webextensions.uuids`). */
  readonly extensionOrigin: string;
  /** An extension tab that starts nothing: the harness's window onto the extension's API. */
  readonly control: Page;
  /** Every console message seen so far. */
  readonly messages: LoggedMessage[];
  /** Logs a marker in the contexts the harness can reach, returns those whose marker was heard. */
  probeConsole(webPage: Page): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Opens an extension page (path + query) in a new tab and waits for its document. */
export async function openExtensionPage(b: { browser: Browser; extensionOrigin: string }, path: string): Promise<Page> {
  const page = await b.browser.newPage();
  const url = `${b.extensionOrigin}/${path}`;
  // See the module comment: the navigation works, but its promise only settles with a timeout or
  // "Frame detached"; the page's own location says when it is there.
  void page.goto(url, { timeout: 0 }).catch(() => {});
  const deadline = Date.now() + 20_000;
  for (;;) {
    const here = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => '');
    if (here === `${url} complete`) break;
    if (Date.now() > deadline) throw new Error(`the extension page ${url} did not load (the tab shows ${here || 'nothing readable'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return page;
}

/** Waits for the child process's output to be read: a marker written to stdout comes back. */
const quiet = () => new Promise((r) => setTimeout(r, 300));

/** Launches Firefox ESR (headless) with dist/firefox-test and starts collecting its console output. */
export async function launchFirefox(): Promise<LaunchedFirefox> {
  const mod = (await import(new URL('../../../scripts/firefox.mjs', import.meta.url).href)) as FirefoxModule;
  const launched = await mod.launchFirefoxWithExtension(extensionDir, { headless: true });
  const messages: LoggedMessage[] = [];
  const proc = launched.browser.process();
  if (!proc?.stdout || !proc.stderr) throw new Error('firefox: no stdout/stderr to collect the console from');
  for (const [stream, where] of [[proc.stdout, 'firefox stdout'], [proc.stderr, 'firefox stderr']] as const) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) messages.push({ where, type: /^console\.(\w+):/.exec(line)?.[1] ?? 'output', text: line });
    });
  }
  const watch = (p: Page) => {
    p.on('console', (m) => messages.push({ where: p.url(), type: m.type(), text: m.text() }));
    p.on('pageerror', (e) => messages.push({ where: p.url(), type: 'pageerror', text: e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e) }));
  };
  launched.browser.on('targetcreated', (t) => void t.page().then((p) => p && watch(p), () => {}));

  let control: Page;
  try {
    control = await openExtensionPage(launched, 'popup.html?view=page');
  } catch (e) {
    await launched.close();
    throw e;
  }
  return {
    browser: launched.browser,
    extensionOrigin: launched.extensionOrigin,
    control,
    messages,
    async probeConsole(webPage) {
      const marker = `crosscheck-e2e-console-probe-${Math.random().toString(36).slice(2)}`;
      // An extension tab, the background page (through runtime.getBackgroundPage: its own console),
      // and a dedicated Worker (on the web page: extension pages' CSP allows no blob: Worker).
      await control.evaluate((m) => console.log(`${m} extension-page`, { inside: 'an object' }), marker);
      await control.evaluate(async (m) => {
        const bg = await browser.runtime.getBackgroundPage();
        bg?.console.log(`${m} background-page`);
      }, marker);
      await webPage.evaluate(
        (m) =>
          new Promise<void>((resolve) => {
            const w = new Worker(URL.createObjectURL(new Blob([`console.log(${JSON.stringify(`${m} worker`)}); postMessage(1);`], { type: 'text/javascript' })));
            w.onmessage = () => {
              w.terminate();
              resolve();
            };
          }),
        marker,
      );
      await quiet();
      const heard = new Set<string>();
      for (const msg of messages) {
        const at = msg.text.indexOf(marker);
        if (at >= 0) heard.add(msg.text.slice(at + marker.length + 1).split(/[\s"]/)[0] as string);
        if (at >= 0 && msg.text.includes('an object')) heard.add('object-argument');
      }
      return heard;
    },
    close: launched.close,
  };
}

/** The tab ID of the tab showing `url`, as the extension sees it (tabs.query in the control tab). */
export async function tabIdOf(b: LaunchedFirefox, url: string): Promise<number> {
  const tabs = await b.control.evaluate(async () => (await browser.tabs.query({})).map((t) => ({ id: t.id, url: t.url })));
  const hits = tabs.filter((t) => t.url === url);
  if (hits.length !== 1 || hits[0]?.id === undefined) throw new Error(`expected one tab at ${url}, found ${hits.length} (tabs: ${tabs.map((t) => t.url).join(', ')})`);
  return hits[0].id;
}

/** One `browser.storage` area of the extension. */
export function extensionStorage(b: LaunchedFirefox, area: 'local' | 'session' | 'sync'): Promise<Record<string, unknown>> {
  return b.control.evaluate((a) => browser.storage[a].get(null), area);
}

/** Whether the test build's host permission is granted (a temporary install may withhold it). */
export function hasHostPermission(b: LaunchedFirefox, origin: string): Promise<boolean> {
  return b.control.evaluate((o) => browser.permissions.contains({ origins: [o] }), origin);
}

/** The extension's report page (`popup.html?view=page&…`) in a new tab. */
export function openReportPage(b: LaunchedFirefox, params: string): Promise<Page> {
  return openExtensionPage(b, `popup.html?view=page&${params}`);
}

/**
 * Everything the extension keeps, as text: browser.storage.local/session/sync, and every IndexedDB
 * database of the extension's origin (binary as hex and base64). Plain JavaScript in a string, as
 * in the Chromium harness.
 */
// The same dump as the Chromium harness, over Firefox's `browser` namespace.
const DUMP = extensionDumpScript('browser');

export async function dumpExtensionStorage(b: LaunchedFirefox): Promise<{ storage: string; indexedDB: string; databases: string[] }> {
  return (await b.control.evaluate(DUMP)) as { storage: string; indexedDB: string; databases: string[] };
}

// ---------- reading and driving the report page (puppeteer has no Playwright locators) ----------

/** The visible text of the first element matching `selector` ('' when there is none). */
export const textOf = (page: Page, selector: string): Promise<string> => page.evaluate((s) => (document.querySelector(s) as HTMLElement | null)?.innerText.trim() ?? '', selector);

/** The words of a section's state tag ("Not trusted"), without its symbol. */
export const sectionState = (page: Page, id: string): Promise<string> => page.evaluate((i) => (document.querySelector(`#${i}-title .tag`)?.lastChild?.textContent ?? '').trim(), id);

/** `main`'s data-state. */
export const mainState = (page: Page): Promise<string | undefined> => page.evaluate(() => document.querySelector('main')?.dataset['state']);

/**
 * The finding codes shown in the session/person row named `name` (or in `scope` itself when no
 * name is given), details opened first so quiet findings count too.
 */
export function codesIn(page: Page, scope: string, rowName?: string): Promise<string[]> {
  return page.evaluate(
    (s, n) => {
      let roots = Array.from(document.querySelectorAll(s));
      if (n !== undefined) roots = roots.filter((r) => Array.from(r.querySelectorAll('.row-name, .row-name .mono')).some((e) => (e.textContent ?? '').trim() === n));
      const root = roots[0];
      if (!root) return [`(no ${s}${n ? ` named ${n}` : ''})`];
      root.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true));
      return Array.from(root.querySelectorAll('.finding-code'), (e) => (e.textContent ?? '').replace('Code:', '').trim());
    },
    scope,
    rowName,
  );
}

/** A session or person row: its state tag, its pill and its text. */
export function rowOf(page: Page, section: 'sessions' | 'people', name: string): Promise<{ tag: string; pill: string; text: string } | undefined> {
  return page.evaluate(
    (sec, n) => {
      const row = Array.from(document.querySelectorAll(`#${sec} li.row`)).find((r) => Array.from(r.querySelectorAll('.row-name, .row-name .mono')).some((e) => (e.textContent ?? '').trim() === n));
      if (!row) return undefined;
      return {
        tag: (row.querySelector('.row-head .tag')?.lastChild?.textContent ?? '').trim(),
        pill: (row.querySelector('.pill')?.textContent ?? '').trim(),
        text: (row as HTMLElement).innerText,
      };
    },
    section,
    name,
  );
}

/** Clicks (real input through BiDi) the button whose text is exactly `label`, inside `within`. */
export async function clickButton(page: Page, label: string, within = 'body'): Promise<void> {
  const handle = await page.waitForFunction(
    (l, w) => Array.from(document.querySelectorAll(`${w} button`)).find((b) => (b.textContent ?? '').trim() === l && !(b as HTMLButtonElement).disabled) ?? null,
    { timeout: 30_000 },
    label,
    within,
  );
  const el = handle.asElement();
  if (!el) throw new Error(`no button "${label}"`);
  await (el as import('puppeteer-core').ElementHandle<Element>).click();
  await handle.dispose();
}

/** Goes to one of the report page's screens. */
export async function goTo(page: Page, screen: 'Report' | 'Recovery key' | 'Export'): Promise<void> {
  await clickButton(page, screen, 'nav');
  await page.waitForSelector(`main[data-screen="${screen === 'Recovery key' ? 'recovery' : screen.toLowerCase()}"]`, { timeout: 15_000 });
}

/**
 * Waits (polling in the page, not timing anything) until `main` is in one of `states`, and
 * returns that state.
 */
export async function waitForState(page: Page, states: readonly string[], timeout = 60_000): Promise<string> {
  await page.waitForFunction((ss) => ss.includes(document.querySelector('main')?.dataset['state'] ?? ''), { timeout, polling: 100 }, states);
  return (await mainState(page)) as string;
}

/**
 * Clicks the button `label` and waits (an observer in the page, nothing timed) for what follows:
 * a new report on screen, or an error or confirmation screen the click led to. Returns `main`'s
 * data-state then; the caller checks which.
 */
export async function clickToNextScreen(page: Page, label: string, timeout = 60_000): Promise<string> {
  await page.evaluate(() => {
    const w = window as unknown as { e2eNext: { done: boolean } };
    w.e2eNext = { done: false };
    const old = document.querySelector('main .report');
    const initial = document.querySelector('main')?.dataset['state'];
    let ran = false;
    new MutationObserver((_, observer) => {
      const state = document.querySelector('main')?.dataset['state'];
      if (state === 'running') ran = true;
      const report = document.querySelector('main[data-state="done"] .report');
      if ((report !== null && report !== old) || ((state === 'error' || state === 'needs-confirmation') && (ran || state !== initial))) {
        w.e2eNext.done = true;
        observer.disconnect();
      }
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  });
  await clickButton(page, label);
  await page.waitForFunction(() => (window as unknown as { e2eNext: { done: boolean } }).e2eNext.done, { timeout, polling: 100 });
  return (await mainState(page)) as string;
}
