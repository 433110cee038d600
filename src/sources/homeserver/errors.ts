/**
 * @module homeserver/errors — what can go wrong while reading a homeserver, as data. Every error
 * carries a one-line message for people and a code for programs; none ever contains the access
 * token (messages that could echo server text are passed through {@link redact}).
 */
import type { JsonError } from '../../core/json/strictJson.ts';

export type CaptureErrorCode =
  /** The homeserver URL is not a usable absolute URL (or carries credentials, a query or a fragment). */
  | 'bad-homeserver-url'
  /** Plain http to a host that is not loopback. */
  | 'insecure-homeserver'
  /** The access token is empty or not a header-safe string. */
  | 'bad-token'
  /** 401: the token was rejected (M_UNKNOWN_TOKEN) or not received (M_MISSING_TOKEN). */
  | 'token-rejected'
  /** 403. */
  | 'forbidden'
  /** 404 where the part cannot simply be left out (or M_UNRECOGNIZED: the server lacks the endpoint). */
  | 'not-found'
  /** 429 still after the allowed retries, or the server asked for a longer wait than allowed. */
  | 'rate-limited'
  /** The per-request time limit ran out. */
  | 'timeout'
  /** The caller aborted the capture. */
  | 'aborted'
  /** The server answered with a redirect; redirects are never followed (the token must not travel). */
  | 'redirect-refused'
  /** The response body passed the size limit. */
  | 'too-large'
  /** The body is not strict JSON, or not the shape the endpoint promises. */
  | 'malformed-response'
  /** Any other non-success HTTP status. */
  | 'http-error'
  /** The request did not reach the server (DNS, refused connection, TLS). */
  | 'network'
  /** The server lacks something the snapshot cannot do without (e.g. no device ID from whoami). */
  | 'unsupported'
  /** A URL would have left the configured origin (a bug or a hostile value from the server). */
  | 'url-refused';

export interface CaptureError {
  readonly code: CaptureErrorCode;
  /** One line, plain language, never the token. */
  readonly message: string;
  /** Method and path of the request, e.g. `GET /_matrix/client/v3/account/whoami` (no query string). */
  readonly endpoint?: string;
  readonly status?: number;
  /** Matrix `errcode`, when the server sent one. */
  readonly errcode?: string;
  /** For `rate-limited`: the wait the server last asked for. */
  readonly retryAfterMs?: number;
  /** For `malformed-response` from the strict reader: where the JSON went wrong. */
  readonly json?: JsonError;
}

/** Replaces every occurrence of the secret in `text` and keeps it to one short line. */
export function redact(text: string, secret: string | undefined, maxLength = 300): string {
  let s = text;
  if (secret && secret.length > 0) s = s.split(secret).join('[access token]');
  // One line, no control characters, no bidi overrides (server text is shown to people).
  s = s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return s.length > maxLength ? s.slice(0, maxLength - 1) + '…' : s;
}

export function captureError(code: CaptureErrorCode, message: string, extra: Omit<CaptureError, 'code' | 'message'> = {}): CaptureError {
  return { code, message, ...extra };
}

/**
 * The homeserver could not be reached at all (no connection, no answer in time, or a 5xx from it
 * or its proxy): the case where an audit of the client's own stores can stand in (issue 5).
 * A refused token, a malformed answer or a redirect is not: those are findings about the server.
 */
export function isUnreachable(e: CaptureError): boolean {
  return e.code === 'network' || e.code === 'timeout' || (e.code === 'http-error' && e.status !== undefined && e.status >= 500);
}

