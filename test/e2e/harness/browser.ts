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
 *   `Target.receivedMessageFromTarget`), with `Runtime` and `Log` enabled, and through them
 *   (auto-attach, nested) to every Worker they start, paused until the collector listens. V8
 *   keeps a context's console messages and replays them on `Runtime.enable`, so what was logged
 *   before the attach (the service worker starts with the browser) is collected too. Object
 *   arguments are serialised (JSON and String) in their own context, so a key inside an object
 *   is seen. `probeConsole()` proves each of these contexts is heard.
 */
import type { BrowserContext, ConsoleMessage, Page, Worker as PwWorker, CDPSession } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A request the browser made, with the context that made it. */
export interface SeenRequest {
  readonly url: string;
  readonly method: string;
  /** The page that made it, or `service worker <url>`. */
  readonly from: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Launched {
  readonly context: BrowserContext;
  readonly extensionId: string;
  readonly serviceWorker: PwWorker;
  /** Every console message, error and log entry seen so far (call `settle()` first). */
  readonly messages: LoggedMessage[];
  /** Every request made by a page or the service worker since launch. */
  readonly requests: SeenRequest[];
  /** Waits for pending argument serialisations. */
  settle(): Promise<void>;
  /** CDP target types the collector attached to (e.g. service_worker, background_page, worker). */
  readonly attachedTypes: Set<string>;
  /**
   * Logs a marker in every extension context the CDP collector is attached to and still alive,
   * and returns the target types whose marker came back as a collected message.
   */
  probeConsole(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Top-level targets the collector attaches to; their Workers are reached through them. */
const ATTACH_TYPES = new Set(['service_worker', 'background_page', 'shared_worker']);

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

type Reply = { result?: { result?: { value?: unknown } } };
type Message = { id?: number; method?: string; params?: Record<string, unknown> };
type TargetInfo = { targetId: string; type: string; url: string };

/**
 * One attached target, spoken to through its parent (non-flattened CDP sessions nest: a message
 * for a Worker of the offscreen document travels inside a `Target.sendMessageToTarget` to the
 * offscreen document, and its answers come back wrapped in `Target.receivedMessageFromTarget`).
 */
interface Node {
  readonly info: TargetInfo;
  send(method: string, params?: object): Promise<Reply>;
  /** A message from this target (already unwrapped from its parents). */
  receive(m: Message): void;
}

/**
 * Attaches (non-flattened) to the service worker and the offscreen document as they appear, and,
 * through them, to every Worker they start (auto-attach, paused until the collector listens).
 * @returns a probe: logs `marker <type>` in every attached target
 */
async function collectCdp(cdp: CDPSession, log: (m: LoggedMessage) => void, pending: Set<Promise<unknown>>, attachedTypes: Set<string>): Promise<(marker: string) => Promise<void>> {
  const nodes = new Map<string, Node>(); // targetId → node
  const topLevel = new Map<string, Node>(); // sessionId (of the control session) → node
  let nextId = 0;

  function makeNode(info: TargetInfo, deliver: (message: string) => Promise<unknown>): Node {
    const replies = new Map<number, (r: Reply) => void>();
    const children = new Map<string, Node>(); // sessionId (inside this target) → node
    const node: Node = {
      info,
      send(method, params = {}) {
        const id = ++nextId;
        // A target that went away never answers: give up after 3 s.
        const reply = new Promise<Reply>((resolve) => {
          const timer = setTimeout(() => {
            replies.delete(id);
            resolve({});
          }, 3000);
          replies.set(id, (r) => {
            clearTimeout(timer);
            resolve(r);
          });
        });
        deliver(JSON.stringify({ id, method, params })).catch(() => replies.get(id)?.({}));
        return reply;
      },
      receive(m) {
        if (m.id !== undefined) {
          replies.get(m.id)?.(m as Reply);
          replies.delete(m.id);
          return;
        }
        const p = m.params ?? {};
        const where = `${info.type} ${info.url}`.trim();
        switch (m.method) {
          case 'Target.attachedToTarget': {
            const child = p['sessionId'] as string;
            const ti = p['targetInfo'] as TargetInfo;
            const via = (message: string) => node.send('Target.sendMessageToTarget', { sessionId: child, message });
            if (nodes.has(ti.targetId)) {
              // Known already (the service worker, seen from the offscreen document): just let it run.
              void via(JSON.stringify({ id: ++nextId, method: 'Runtime.runIfWaitingForDebugger', params: {} }));
              return;
            }
            const c = makeNode(ti, via);
            children.set(child, c);
            void start(c);
            return;
          }
          case 'Target.receivedMessageFromTarget':
            children.get(p['sessionId'] as string)?.receive(JSON.parse(p['message'] as string) as Message);
            return;
          case 'Target.targetInfoChanged': {
            const ti = p['targetInfo'] as TargetInfo;
            for (const c of children.values()) if (c.info.targetId === ti.targetId) c.info.url = ti.url;
            return;
          }
          case 'Runtime.consoleAPICalled': {
            const args = p['args'] as { type: string; value?: unknown; description?: string; objectId?: string }[];
            const work = Promise.all(
              args.map(async (a) => {
                if (!a.objectId) return a.value !== undefined ? String(a.value) : (a.description ?? '');
                const r = await node.send('Runtime.callFunctionOn', { objectId: a.objectId, functionDeclaration: SERIALISE, returnByValue: true });
                return `${a.description ?? ''} ${String(r.result?.result?.value ?? '')}`;
              }),
            ).then((parts) => log({ where, type: String(p['type']), text: parts.join(' ') }));
            pending.add(work);
            void work.finally(() => pending.delete(work));
            return;
          }
          case 'Runtime.exceptionThrown': {
            const d = p['exceptionDetails'] as { text?: string; exception?: { description?: string } };
            log({ where, type: 'exception', text: `${d.text ?? ''} ${d.exception?.description ?? ''}` });
            return;
          }
          case 'Log.entryAdded': {
            const e = p['entry'] as { level: string; text: string; url?: string };
            log({ where, type: `log-${e.level}`, text: `${e.text} ${e.url ?? ''}` });
            return;
          }
        }
      },
    };
    return node;
  }

  async function start(n: Node): Promise<void> {
    nodes.set(n.info.targetId, n);
    attachedTypes.add(n.info.type);
    await Promise.all([n.send('Runtime.enable'), n.send('Log.enable')]);
    // Its Workers, existing and future, paused at start until their collector listens.
    if (n.info.type !== 'worker') await n.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    await n.send('Runtime.runIfWaitingForDebugger');
  }

  const attach = async (info: TargetInfo) => {
    if (!ATTACH_TYPES.has(info.type) || nodes.has(info.targetId)) return;
    nodes.set(info.targetId, undefined as unknown as Node); // claimed
    try {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: info.targetId, flatten: false });
      const n = makeNode({ ...info }, (message) => cdp.send('Target.sendMessageToTarget', { sessionId, message }));
      topLevel.set(sessionId, n);
      await start(n);
    } catch {
      // gone already
    }
  };
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => topLevel.get(sessionId)?.receive(JSON.parse(message) as Message));
  cdp.on('Target.targetCreated', ({ targetInfo }) => void attach(targetInfo));
  // An offscreen document first appears as type "other", then becomes "background_page".
  cdp.on('Target.targetInfoChanged', ({ targetInfo }) => {
    const n = nodes.get(targetInfo.targetId);
    if (n) (n.info as { url: string }).url = targetInfo.url;
    void attach(targetInfo);
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });

  return async (marker) => {
    await Promise.all([...nodes.values()].filter(Boolean).map((n) => n.send('Runtime.evaluate', { expression: `console.log(${JSON.stringify(`${marker} ${n.info.type}`)})` })));
  };
}

/** Launches Chromium (headless) with dist/chrome-test and starts collecting every console message. */
export async function launchExtension(): Promise<Launched> {
  const mod = (await import(new URL('../../../scripts/chromium.mjs', import.meta.url).href)) as ChromiumModule;
  // Our own profile folder, removed on close (launchWithExtension would leave its temporary one behind).
  const userDataDir = mkdtempSync(join(tmpdir(), 'crosscheck-e2e-chromium-'));
  const { context, extensionId, serviceWorker } = await mod.launchWithExtension(extensionDir, { headless: true, userDataDir });
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
  const requests: SeenRequest[] = [];
  context.on('request', (r) => {
    const sw = r.serviceWorker();
    let from = 'a worker';
    try {
      from = sw ? `service worker ${sw.url()}` : r.frame().page().url();
    } catch {
      // a dedicated Worker's request has no frame
    }
    // headers(): what the context asked to send (fetch's own headers, Authorization included);
    // allHeaders() would wait for the response, and the test page's /sync long-polls.
    const body = r.postData();
    requests.push({ url: r.url(), method: r.method(), from, headers: r.headers(), ...(body !== null ? { body } : {}) });
  });
  context.on('console', fromPlaywright);
  context.on('weberror', (e) => log({ where: e.page()?.url() ?? 'context', type: 'weberror', text: String(e.error()) }));
  context.on('page', watchPage);
  for (const p of context.pages()) watchPage(p);

  // A blank tab that is never navigated carries the CDP session for the other targets.
  const control = context.pages()[0] ?? (await context.newPage());
  const probe = await collectCdp(await context.newCDPSession(control), log, pending, attachedTypes);
  const settle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    context,
    extensionId,
    serviceWorker,
    messages,
    requests,
    attachedTypes,
    settle,
    probeConsole: async () => {
      const marker = `crosscheck-e2e-console-probe-${Math.random().toString(36).slice(2)}`;
      await probe(marker);
      await new Promise((r) => setTimeout(r, 200));
      await settle();
      return new Set(messages.filter((m) => m.text.startsWith(marker)).map((m) => m.text.slice(marker.length + 1).split(' ')[0] as string));
    },
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
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
 * Plain JavaScript in a string: tsx would wrap the named helpers in a `__name` call the service
 * worker does not have.
 */
/** The dump as a script for `api` (`chrome` in Chromium's service worker, `browser` in a Firefox extension page). */
export const extensionDumpScript = (api: 'chrome' | 'browser'): string => `(async () => {
  const b64 = (u) => btoa(Array.from(u, (x) => String.fromCharCode(x)).join(''));
  const hex = (u) => Array.from(u, (x) => x.toString(16).padStart(2, '0')).join('');
  const bin = (k, v) => {
    const u = v instanceof ArrayBuffer ? new Uint8Array(v) : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : undefined;
    return u ? hex(u) + ' ' + b64(u) : v;
  };
  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const storage = JSON.stringify({ local: await ${api}.storage.local.get(null), session: await ${api}.storage.session.get(null), sync: await ${api}.storage.sync.get(null) }, bin);
  const infos = await indexedDB.databases();
  const dbs = {};
  for (const info of infos) {
    const db = await req(indexedDB.open(info.name));
    const stores = {};
    for (const name of Array.from(db.objectStoreNames)) {
      const store = db.transaction([name], 'readonly').objectStore(name);
      stores[name] = { keys: await req(store.getAllKeys()), values: await req(store.getAll()) };
    }
    db.close();
    dbs[info.name + '@v' + info.version] = stores;
  }
  return { storage, indexedDB: JSON.stringify(dbs, bin), databases: infos.map((i) => String(i.name)) };
})()`;

export async function dumpExtensionStorage(b: Launched): Promise<{ storage: string; indexedDB: string; databases: string[] }> {
  return (await b.serviceWorker.evaluate(extensionDumpScript('chrome'))) as { storage: string; indexedDB: string; databases: string[] };
}
