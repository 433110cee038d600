/**
 * @module e2e/harness/browser — Debian's Chromium with the test build of the extension
 * (dist/chrome-test) loaded, through scripts/chromium.mjs, plus what the tests need around it:
 * every console message of every context, the extension's storage and IndexedDB read through its
 * service worker, the tab ID of a page, and the report page opened on a tab.
 *
 * Console messages are collected from the start, from every context the tests could leak into:
 * - pages (the test page, the report page) and their dedicated Workers (the recovery-key Worker):
 *   Playwright's `console`, `pageerror` and `weberror` events;
 * - the service worker, the offscreen document and its audit Worker: Playwright does not attach
 *   to offscreen documents (CDP type `background_page`), so a CDP session on a blank control tab
 *   discovers every target and attaches to these (non-flattened: its messages come back through
 *   `Target.receivedMessageFromTarget`), with `Runtime` and `Log` enabled. V8 keeps a context's
 *   console messages and replays them on `Runtime.enable`, so what was logged before the attach
 *   (the service worker starts with the browser) is collected too. Object arguments are
 *   serialised (JSON and String) in their own context, so a key inside an object is seen.
 */
import type { BrowserContext, ConsoleMessage, Page, Worker as PwWorker, CDPSession } from 'playwright-core';
import { fileURLToPath } from 'node:url';

interface ChromiumModule {
  launchWithExtension(dir: string, opts?: { headless?: boolean; userDataDir?: string }): Promise<{ context: BrowserContext; extensionId: string; serviceWorker: PwWorker }>;
}

/** The extension API as the service worker's evaluate callbacks use it (no @types/chrome here). */
declare const chrome: {
  tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> };
  storage: Record<'local' | 'session' | 'sync', { get(keys: null): Promise<Record<string, unknown>> }>;
};

export const extensionDir = fileURLToPath(new URL('../../../dist/chrome-test', import.meta.url));

export interface LoggedMessage {
  /** Where it was logged: a page URL, or `<CDP target type> <url>`. */
  readonly where: string;
  readonly type: string;
  /** The message text with every argument serialised. */
  readonly text: string;
}

export interface Launched {
  readonly context: BrowserContext;
  readonly extensionId: string;
  readonly serviceWorker: PwWorker;
  /** Every console message, error and log entry seen so far (call `settle()` first). */
  readonly messages: LoggedMessage[];
  /** Waits for pending argument serialisations. */
  settle(): Promise<void>;
  /** CDP target types the collector attached to (e.g. service_worker, background_page, worker). */
  readonly attachedTypes: Set<string>;
  close(): Promise<void>;
}

const ATTACH_TYPES = new Set(['service_worker', 'background_page', 'worker', 'shared_worker']);

/** Serialises a value in its own realm: JSON (binary as hex) and String, so nothing inside hides. */
const SERIALISE = `function () {
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  let json = '';
  try {
    json = JSON.stringify(this, (k, v) => (v instanceof ArrayBuffer ? hex(new Uint8Array(v)) : ArrayBuffer.isView(v) ? hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) : v));
  } catch (e) { json = ''; }
  let str = '';
  try { str = String(this); if (this instanceof Error) str += ' ' + (this.stack || ''); } catch (e) { str = ''; }
  return json + ' ' + str;
}`;

async function collectCdp(cdp: CDPSession, log: (m: LoggedMessage) => void, pending: Set<Promise<unknown>>, attachedTypes: Set<string>): Promise<void> {
  const targets = new Map<string, { type: string; url: string }>(); // sessionId → target
  const attached = new Set<string>(); // targetIds
  const replies = new Map<string, (r: { result?: { result?: { value?: unknown } } }) => void>();
  let nextId = 0;
  const sendTo = (sessionId: string, method: string, params: object = {}): Promise<{ result?: { result?: { value?: unknown } } }> => {
    const id = ++nextId;
    const reply = new Promise<{ result?: { result?: { value?: unknown } } }>((resolve) => replies.set(`${sessionId}:${id}`, resolve));
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => replies.get(`${sessionId}:${id}`)?.({}));
    return reply;
  };
  const attach = async (info: { targetId: string; type: string; url: string }) => {
    if (!ATTACH_TYPES.has(info.type) || attached.has(info.targetId)) return;
    attached.add(info.targetId);
    try {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: info.targetId, flatten: false });
      targets.set(sessionId, { type: info.type, url: info.url });
      attachedTypes.add(info.type);
      await Promise.all([sendTo(sessionId, 'Runtime.enable'), sendTo(sessionId, 'Log.enable')]);
      await sendTo(sessionId, 'Runtime.runIfWaitingForDebugger');
    } catch {
      // gone already
    }
  };
  cdp.on('Target.targetCreated', ({ targetInfo }) => void attach(targetInfo));
  // An offscreen document first appears as type "other", then becomes "background_page".
  cdp.on('Target.targetInfoChanged', ({ targetInfo }) => {
    for (const t of targets.values()) if (t.url === '' && t.type === targetInfo.type) t.url = targetInfo.url;
    void attach(targetInfo);
  });
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const m = JSON.parse(message) as { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown };
    if (m.id !== undefined) {
      replies.get(`${sessionId}:${m.id}`)?.(m as never);
      replies.delete(`${sessionId}:${m.id}`);
      return;
    }
    const t = targets.get(sessionId);
    const where = `${t?.type ?? 'target'} ${t?.url ?? ''}`.trim();
    if (m.method === 'Runtime.consoleAPICalled') {
      const p = m.params as { type: string; args: { type: string; value?: unknown; description?: string; objectId?: string }[] };
      const work = Promise.all(
        p.args.map(async (a) => {
          if (!a.objectId) return a.value !== undefined ? String(a.value) : (a.description ?? '');
          const r = await sendTo(sessionId, 'Runtime.callFunctionOn', { objectId: a.objectId, functionDeclaration: SERIALISE, returnByValue: true });
          return `${a.description ?? ''} ${String(r.result?.result?.value ?? '')}`;
        }),
      ).then((parts) => log({ where, type: p.type, text: parts.join(' ') }));
      pending.add(work);
      void work.finally(() => pending.delete(work));
    } else if (m.method === 'Runtime.exceptionThrown') {
      const d = (m.params as { exceptionDetails: { text?: string; exception?: { description?: string } } }).exceptionDetails;
      log({ where, type: 'exception', text: `${d.text ?? ''} ${d.exception?.description ?? ''}` });
    } else if (m.method === 'Log.entryAdded') {
      const e = (m.params as { entry: { level: string; text: string; url?: string } }).entry;
      log({ where, type: `log-${e.level}`, text: `${e.text} ${e.url ?? ''}` });
    }
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
}

/** Launches Chromium (headless) with dist/chrome-test and starts collecting every console message. */
export async function launchExtension(): Promise<Launched> {
  const mod = (await import(new URL('../../../scripts/chromium.mjs', import.meta.url).href)) as ChromiumModule;
  const { context, extensionId, serviceWorker } = await mod.launchWithExtension(extensionDir, { headless: true });
  const messages: LoggedMessage[] = [];
  const pending = new Set<Promise<unknown>>();
  const attachedTypes = new Set<string>();
  const log = (m: LoggedMessage) => messages.push(m);

  const fromPlaywright = (m: ConsoleMessage) => {
    const where = m.page()?.url() ?? m.worker()?.url() ?? 'context';
    const work = Promise.all(m.args().map((a) => a.jsonValue().then((v) => JSON.stringify(v) ?? '', () => ''))).then((parts) => log({ where, type: m.type(), text: `${m.text()} ${parts.join(' ')}` }));
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const watchPage = (p: Page) => {
    p.on('pageerror', (e) => log({ where: p.url(), type: 'pageerror', text: `${e.message} ${e.stack ?? ''}` }));
    p.on('worker', (w) => w.on('console', fromPlaywright));
  };
  context.on('console', fromPlaywright);
  context.on('weberror', (e) => log({ where: e.page()?.url() ?? 'context', type: 'weberror', text: String(e.error()) }));
  context.on('page', watchPage);
  for (const p of context.pages()) watchPage(p);

  // A blank tab that is never navigated carries the CDP session for the other targets.
  const control = context.pages()[0] ?? (await context.newPage());
  await collectCdp(await context.newCDPSession(control), log, pending, attachedTypes);

  return {
    context,
    extensionId,
    serviceWorker,
    messages,
    attachedTypes,
    settle: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: () => context.close(),
  };
}

/** The tab ID of `page`, as the extension sees it (tabs.query through the service worker). */
export async function tabIdOf(b: Launched, page: Page): Promise<number> {
  const url = page.url();
  const tabs = (await b.serviceWorker.evaluate(() => chrome.tabs.query({}))) as { id?: number; url?: string }[];
  const hits = tabs.filter((t) => t.url === url);
  if (hits.length !== 1 || hits[0]?.id === undefined) throw new Error(`expected one tab at ${url}, found ${hits.length} (tabs: ${tabs.map((t) => t.url).join(', ')})`);
  return hits[0].id;
}

/** One `chrome.storage` area of the extension, read through its service worker. */
export function extensionStorage(b: Launched, area: 'local' | 'session' | 'sync'): Promise<Record<string, unknown>> {
  return b.serviceWorker.evaluate((a) => chrome.storage[a].get(null), area);
}

/** The extension's report page (`popup.html?view=page&…`) in a new tab. */
export async function openReportPage(b: Launched, params: string): Promise<Page> {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/popup.html?view=page&${params}`);
  return page;
}

/**
 * Everything the extension keeps, as text: chrome.storage.local/session/sync, and every IndexedDB
 * database of the extension's origin (names, stores, keys, values; binary as hex and base64).
 */
export async function dumpExtensionStorage(b: Launched): Promise<{ storage: string; indexedDB: string; databases: string[] }> {
  return b.serviceWorker.evaluate(async () => {
    const b64 = (u: Uint8Array) => btoa(Array.from(u, (x) => String.fromCharCode(x)).join(''));
    const hex = (u: Uint8Array) => Array.from(u, (x) => x.toString(16).padStart(2, '0')).join('');
    const bin = (_k: string, v: unknown) => {
      const u = v instanceof ArrayBuffer ? new Uint8Array(v) : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : undefined;
      return u ? `${hex(u)} ${b64(u)}` : v;
    };
    const storage = JSON.stringify({ local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null), sync: await chrome.storage.sync.get(null) }, bin);
    const infos = await indexedDB.databases();
    const dbs: Record<string, unknown> = {};
    for (const info of infos) {
      const name = info.name as string;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const stores: Record<string, unknown> = {};
      for (const s of Array.from(db.objectStoreNames)) {
        const store = db.transaction([s], 'readonly').objectStore(s);
        const [keys, values] = await Promise.all(
          [store.getAllKeys(), store.getAll()].map(
            (r) =>
              new Promise<unknown>((resolve, reject) => {
                r.onsuccess = () => resolve(r.result);
                r.onerror = () => reject(r.error);
              }),
          ),
        );
        stores[s] = { keys, values };
      }
      db.close();
      dbs[`${name}@v${info.version}`] = stores;
    }
    return { storage, indexedDB: JSON.stringify(dbs, bin), databases: infos.map((i) => String(i.name)) };
  });
}
