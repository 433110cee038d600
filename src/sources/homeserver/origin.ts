/**
 * @module homeserver/origin — the configured homeserver and the only URLs we build for it
 * (security.md H1, H7): https, or plain http to loopback only; no credentials, query or fragment
 * in the configured URL; every request URL is checked to stay under it; the token never goes into
 * a URL (there is no parameter for it here, and a query named `access_token` is refused).
 */
import { type Result, ok, err } from '../../core/result.ts';
import { type CaptureError, captureError } from './errors.ts';

export interface Homeserver {
  /** `scheme://host[:port]`. */
  readonly origin: string;
  /** Path prefix without a trailing slash ('' for most servers). */
  readonly basePath: string;
  /** `origin + basePath`: what the snapshot records as `homeserver`. */
  readonly baseUrl: string;
}

/** 127.0.0.0/8, ::1 and `localhost` (exactly; no `*.localhost`, no IPv4-mapped forms). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

export function parseHomeserver(input: string): Result<Homeserver, CaptureError> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return err(captureError('bad-homeserver-url', `the homeserver URL ${JSON.stringify(input.slice(0, 100))} is not an absolute URL (expected e.g. https://matrix.example.org)`));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return err(captureError('bad-homeserver-url', `the homeserver URL must start with https:// (got ${url.protocol}//)`));
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return err(captureError('insecure-homeserver', `refusing plain http to ${url.hostname}: the access token would travel unencrypted; use https:// (http is allowed only for 127.0.0.1, ::1 and localhost)`));
  if (url.username !== '' || url.password !== '')
    return err(captureError('bad-homeserver-url', 'the homeserver URL must not contain a user name or password'));
  if (url.search !== '' || url.hash !== '')
    return err(captureError('bad-homeserver-url', 'the homeserver URL must not contain a query string or fragment'));
  const basePath = url.pathname.replace(/\/+$/, '');
  if (basePath.includes('/_matrix')) return err(captureError('bad-homeserver-url', 'give the homeserver base URL, without /_matrix/…'));
  return ok({ origin: url.origin, basePath, baseUrl: url.origin + basePath });
}

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Builds `base + /_matrix/client/v3/<segments>`: each segment is percent-encoded (session IDs
 * contain `/` and `+`), dot segments are refused (they would climb out of the endpoint), and the
 * result must keep the configured origin and the expected path exactly.
 */
export function buildUrl(hs: Homeserver, segments: readonly string[], query: Readonly<Record<string, string>> = {}): Result<URL, CaptureError> {
  const encoded: string[] = [];
  for (const s of segments) {
    const e = encodeURIComponent(s);
    if (s.length === 0 || DOT_SEGMENT.test(s) || DOT_SEGMENT.test(e))
      return err(captureError('url-refused', `refusing to build a request URL with the path segment ${JSON.stringify(s.slice(0, 80))}`));
    encoded.push(e);
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k.toLowerCase() === 'access_token') return err(captureError('url-refused', 'refusing to put an access token in a URL; it goes only in the Authorization header'));
    params.set(k, v);
  }
  const path = `${hs.basePath}/_matrix/client/v3/${encoded.join('/')}`;
  const search = params.toString();
  let url: URL;
  try {
    url = new URL(path + (search ? `?${search}` : ''), hs.origin);
  } catch {
    return err(captureError('url-refused', 'refusing to build an invalid request URL'));
  }
  if (url.origin !== hs.origin || url.pathname !== path || url.username !== '' || url.password !== '')
    return err(captureError('url-refused', `refusing to send a request outside ${hs.baseUrl}`));
  return ok(url);
}
