/**
 * @module popup/api — the popup's only way to talk to the background: `{ type, payload }`
 * envelopes from the one message map (src/protocol/messages.ts), replies unwrapped into
 * `Reply<T>`. A failure to deliver (no background, a closed port, a malformed reply) becomes
 * `{ ok: false, error }` data, never a thrown Error (STYLE §12). The extension API is reached only
 * through src/platform/browser.ts, lazily (STYLE §9.6), so this module imports in Node.
 */
import type { Envelope, MessageError, Reply, RequestType, Requests } from '../protocol/messages.ts';
import { getBrowser } from '../platform/browser.ts';

/** Sends one message and resolves with whatever came back (`runtime.sendMessage`). */
export type Send = (message: Envelope) => Promise<unknown>;

export interface PopupApi {
  /**
   * Sends one request.
   * @returns the reply, with every failure as data
   */
  request<K extends RequestType>(type: K, payload: Requests[K]['req']): Promise<Reply<Requests[K]['res']>>;
}

const internal = (message: string): { ok: false; error: MessageError } => ({ ok: false, error: { code: 'internal', message } });

const CODES: ReadonlySet<string> = new Set<MessageError['code']>(['bad-request', 'no-active-tab', 'unsupported-page', 'needs-confirmation', 'capture-failed', 'audit-failed', 'no-snapshot', 'internal']);

/**
 * Checks the outer shape of a reply (`{ ok: true, value }` or `{ ok: false, error: { code, message } }`).
 * The value's own shape is the background's promise (same extension, same message map).
 */
export function unwrapReply<T>(raw: unknown): Reply<T> {
  if (typeof raw !== 'object' || raw === null) return internal('The background sent no reply. Try again, or reload the extension.');
  const r = raw as { ok?: unknown; value?: unknown; error?: unknown };
  if (r.ok === true && 'value' in r) return { ok: true, value: r.value as T };
  if (r.ok === false && typeof r.error === 'object' && r.error !== null) {
    const e = r.error as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string' && CODES.has(e.code) && typeof e.message === 'string') return { ok: false, error: { code: e.code as MessageError['code'], message: e.message } };
  }
  return internal('The background sent a reply Crosscheck does not understand.');
}

/**
 * A client over any `send` (tests pass a fake; the popup passes `runtime.sendMessage`).
 * @param send delivers one envelope
 */
export function createApi(send: Send): PopupApi {
  return {
    async request(type, payload) {
      try {
        return unwrapReply(await send({ type, payload }));
      } catch (e) {
        return internal(`Could not reach the background: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

/** The client the popup uses: `runtime.sendMessage` of the extension API, looked up on first use. */
export function backgroundApi(): PopupApi {
  return createApi(async (message) => (await getBrowser()).runtime.sendMessage(message));
}

/**
 * The tab the popup was opened over (the one the toolbar click granted access to), or the tab a
 * report page names with `?tabId=` (end-to-end tests open the page as a tab).
 * @returns the tab ID, or undefined when there is none
 */
export async function targetTabId(search: string): Promise<number | undefined> {
  const named = new URLSearchParams(search).get('tabId');
  if (named !== null && /^\d{1,10}$/.test(named) && Number(named) <= 0x7fffffff) return Number(named);
  try {
    const [tab] = await (await getBrowser()).tabs.query({ active: true, currentWindow: true });
    return tab?.id;
  } catch {
    return undefined;
  }
}

/** The URL of a file packaged with the extension (e.g. `worker.js`). */
export async function extensionUrl(path: string): Promise<string> {
  return (await getBrowser()).runtime.getURL(path);
}
