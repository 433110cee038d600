/**
 * @module homeserver/http — one authenticated JSON request to the configured homeserver, done the
 * way security.md §5 "Network" asks: `redirect: 'error'`, `credentials: 'omit'`,
 * `referrerPolicy: 'no-referrer'`, `cache: 'no-store'`, the token only in the `Authorization`
 * header, a time limit per request, a byte limit on the body, the strict JSON reader, and 429
 * retried a bounded number of times, honouring `Retry-After`. Failures come back as
 * {@link CaptureError} data; the token never appears in them.
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type JsonValue, parseStrictJson, describeJsonError, isJsonObject } from '../../core/json/strictJson.ts';
import { type CaptureError, captureError, redact } from './errors.ts';
import { type Homeserver, buildUrl } from './origin.ts';
import { readBodyLimited } from './body.ts';
import { retryAfterMs } from './retryAfter.ts';

export interface HttpLimits {
  /** Per request, from sending to the last body byte. */
  readonly requestTimeoutMs: number;
  /** Per response body, in bytes. */
  readonly maxResponseBytes: number;
  /** How many times a 429 is retried before giving up. */
  readonly maxRetries: number;
  /** The longest single wait we accept from a 429; asking for more fails at once. */
  readonly maxRetryWaitMs: number;
}

export interface HttpDeps {
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (msg: string) => void;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string>>;
  /** JSON body (POST). Built by us from strings and numbers only. */
  readonly body?: unknown;
  /** Overrides the body size limit for this request. */
  readonly maxBytes?: number;
}

export type HomeserverRequest = (method: 'GET' | 'POST', segments: readonly string[], opts?: RequestOptions) => Promise<Result<JsonValue, CaptureError>>;

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

export function checkToken(token: string): Result<string, CaptureError> {
  if (typeof token !== 'string' || token.length === 0) return err(captureError('bad-token', 'no access token was given (set CROSSCHECK_ACCESS_TOKEN)'));
  if (!TOKEN_SHAPE.test(token)) return err(captureError('bad-token', 'the access token contains spaces or characters that cannot go in an HTTP header'));
  if (token.length > 4096) return err(captureError('bad-token', 'the access token is implausibly long (over 4096 characters)'));
  return ok(token);
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function anySignal(signals: AbortSignal[]): AbortSignal {
  if (signals.length === 1) return signals[0] as AbortSignal;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const c = new AbortController();
  for (const s of signals) {
    if (s.aborted) c.abort(s.reason);
    else s.addEventListener('abort', () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}

function errorName(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
}

function causeMessage(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const c = typeof cause === 'object' && cause !== null && 'message' in cause ? String((cause as { message: unknown }).message) : '';
  const m = 'message' in e ? String((e as { message: unknown }).message) : '';
  return c ? `${m}: ${c}` : m;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** A request function bound to one homeserver and token. The token stays in this closure. */
export function createRequest(hs: Homeserver, token: string, limits: HttpLimits, deps: HttpDeps): HomeserverRequest {
  const clean = (text: string) => redact(text, token);

  const thrown = (e: unknown, endpoint: string, timeoutSignal: AbortSignal): CaptureError => {
    const name = errorName(e);
    if (deps.signal?.aborted) return captureError('aborted', `${endpoint}: the capture was cancelled`, { endpoint });
    if (name === 'TimeoutError' || (name === 'AbortError' && timeoutSignal.aborted))
      return captureError('timeout', `${endpoint}: no complete answer within ${seconds(limits.requestTimeoutMs)}; the homeserver is slow or unreachable (try again, or raise the time limit)`, { endpoint });
    const detail = causeMessage(e);
    if (/redirect/i.test(detail))
      return captureError('redirect-refused', `${endpoint}: the homeserver answered with a redirect, which Crosscheck never follows (the access token must not be sent elsewhere); use the homeserver's final URL`, { endpoint });
    return captureError('network', `${endpoint}: could not reach ${hs.origin} (${clean(detail) || 'network error'})`, { endpoint });
  };

  /** One fetch and its body, under one time limit (sending, waiting and reading). */
  const exchange = async (url: URL, method: string, endpoint: string, body: unknown, maxBytes: number): Promise<Result<{ response: Response; text: string }, CaptureError>> => {
    // A timer of our own rather than AbortSignal.timeout, whose timer does not keep Node's event
    // loop alive; cleared once the body is read.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException('request time limit reached', 'TimeoutError')), limits.requestTimeoutMs);
    const signal = anySignal(deps.signal ? [timeout.signal, deps.signal] : [timeout.signal]);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const response = await deps.fetch(url.href, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
        mode: 'cors',
        signal,
      });
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => {});
        return err(captureError('redirect-refused', `${endpoint}: the homeserver answered with a redirect (${response.status}), which Crosscheck never follows (the access token must not be sent elsewhere); use the homeserver's final URL`, { endpoint, status: response.status }));
      }
      const read = await readBodyLimited(response, maxBytes);
      if (read.ok) return ok({ response, text: read.value });
      if (read.error.kind === 'too-large')
        return err(captureError('too-large', `${endpoint}: the response is larger than the limit of ${maxBytes} bytes (stopped reading at ${read.error.bytes})`, { endpoint, status: response.status }));
      if (read.error.kind === 'bad-utf8') return err(captureError('malformed-response', `${endpoint}: the response is not valid UTF-8`, { endpoint, status: response.status }));
      return err(thrown(read.error.cause, endpoint, timeout.signal));
    } catch (e) {
      return err(thrown(e, endpoint, timeout.signal));
    } finally {
      clearTimeout(timer);
    }
  };

  return async (method, segments, opts = {}) => {
    const built = buildUrl(hs, segments, opts.query);
    if (!built.ok) return built;
    const url = built.value;
    const endpoint = `${method} ${url.pathname}`;
    const maxBytes = opts.maxBytes ?? limits.maxResponseBytes;

    for (let attempt = 0; ; attempt++) {
      if (deps.signal?.aborted) return err(captureError('aborted', `${endpoint}: the capture was cancelled`, { endpoint }));
      const exchanged = await exchange(url, method, endpoint, opts.body, maxBytes);
      if (!exchanged.ok) return exchanged;
      const { response, text } = exchanged.value;
      const parsed = text.length === 0 ? undefined : parseStrictJson(text, { maxLength: maxBytes });
      if (response.ok) {
        if (parsed === undefined) return err(captureError('malformed-response', `${endpoint}: the response body is empty (expected JSON)`, { endpoint, status: response.status }));
        if (!parsed.ok)
          return err(captureError('malformed-response', `${endpoint}: the response is not valid JSON: ${describeJsonError(parsed.error)}`, { endpoint, status: response.status, json: parsed.error }));
        return ok(parsed.value);
      }

      // An error status. Read the Matrix error if there is one; a non-JSON body is just "no errcode".
      const body = parsed?.ok && isJsonObject(parsed.value) ? parsed.value : undefined;
      const errcode = typeof body?.['errcode'] === 'string' ? body['errcode'] : undefined;
      const serverText = typeof body?.['error'] === 'string' ? clean(body['error']) : '';
      const status = response.status;
      const what = `${status}${errcode ? ` ${clean(errcode).slice(0, 60)}` : ''}${serverText ? `: ${serverText}` : ''}`;
      const extra = { endpoint, status, ...(errcode !== undefined ? { errcode: clean(errcode).slice(0, 60) } : {}) };

      if (status === 429 || errcode === 'M_LIMIT_EXCEEDED') {
        const asked = retryAfterMs(response.headers.get('retry-after'), body, deps.now());
        const wait = asked ?? Math.min(1000 * 2 ** attempt, limits.maxRetryWaitMs);
        if (wait > limits.maxRetryWaitMs)
          return err(captureError('rate-limited', `${endpoint}: the homeserver is rate-limiting us and asks to wait ${seconds(wait)}, longer than the ${seconds(limits.maxRetryWaitMs)} allowed; try again later`, { ...extra, retryAfterMs: wait }));
        if (attempt >= limits.maxRetries)
          return err(captureError('rate-limited', `${endpoint}: still rate-limited (429) after ${limits.maxRetries} polite retries; try again later`, { ...extra, ...(asked !== undefined ? { retryAfterMs: asked } : {}) }));
        deps.onProgress?.(`rate-limited on ${endpoint}; waiting ${seconds(wait)} as asked (retry ${attempt + 1} of ${limits.maxRetries})`);
        try {
          await deps.sleep(wait, deps.signal);
        } catch {
          return err(captureError('aborted', `${endpoint}: the capture was cancelled`, { endpoint }));
        }
        continue;
      }
      if (errcode === 'M_UNKNOWN_TOKEN' || (status === 401 && errcode !== 'M_MISSING_TOKEN')) {
        const soft = body?.['soft_logout'] === true ? ' (soft logout: sign in again on that client to refresh the session)' : '';
        return err(captureError('token-rejected', `the access token was rejected by the homeserver (${status} ${errcode ?? 'no errcode'}): it is wrong, expired or its session was signed out; use a fresh token from a signed-in client${soft}`, extra));
      }
      if (errcode === 'M_MISSING_TOKEN')
        return err(captureError('token-rejected', `the homeserver did not receive the access token (${status} M_MISSING_TOKEN); a proxy in front of it may be dropping the Authorization header`, extra));
      if (errcode === 'M_FORBIDDEN' || (status === 403 && errcode === undefined))
        return err(captureError('forbidden', `${endpoint}: the homeserver refused the request (${what})`, extra));
      if (errcode === 'M_UNRECOGNIZED')
        return err(captureError('not-found', `${endpoint}: the homeserver does not support this endpoint (${what})`, extra));
      if (status === 404 || errcode === 'M_NOT_FOUND') return err(captureError('not-found', `${endpoint}: not found (${what})`, extra));
      return err(captureError('http-error', `${endpoint}: the homeserver answered ${what}`, extra));
    }
  };
}
