/**
 * @module protocol/session — what the content script hands back after reading a signed-in web
 * client's storage (once, as the `scripting.executeScript` result; no channel stays open).
 * The access token is in it, so only the background may receive it (security.md §5).
 */
import type { Result } from '../core/result.ts';
import { err, ok } from '../core/result.ts';
import { object, str, literal, optional, type Check } from './validate.ts';

/** Which client layout the session was read from. */
export type ClientKind = 'element-web';

export interface ClientSession {
  readonly client: ClientKind;
  /** `mx_hs_url` as Element resolved it at login. */
  readonly homeserverUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  /** Secret: background only, Authorization header only. */
  readonly accessToken: string;
  /**
   * Where Element kept the token: `encrypted` (IndexedDB, under the pickle key: the normal case),
   * `plain-indexeddb` (no pickle key when it was written), `plain-localstorage` (pre-2021 builds,
   * or Element's fallback when IndexedDB failed). Optional: readers of other clients may omit it.
   */
  readonly tokenStorage?: TokenStorage;
}

export type TokenStorage = 'encrypted' | 'plain-indexeddb' | 'plain-localstorage';

export type SessionReadErrorCode =
  /** No Matrix client layout recognised on this page. */
  | 'not-a-matrix-client'
  /** A known client, but nobody is signed in. */
  | 'not-signed-in'
  /** Element marked the session soft-logged-out: the token is known to be rejected. */
  | 'soft-logged-out'
  /** Element expects a token in IndexedDB but it is gone (browser storage evicted). */
  | 'storage-evicted'
  /** The stored session is inconsistent (e.g. encrypted token without a pickle key). */
  | 'storage-corrupt'
  /** The client's database has a newer schema version than we understand (STYLE §9.19). */
  | 'schema-too-new'
  /** Reading failed (IndexedDB error, WebCrypto error). */
  | 'read-failed';

export interface SessionReadError {
  readonly code: SessionReadErrorCode;
  /** One plain sentence; never contains the token or key material. */
  readonly message: string;
}

export type SessionReadResult = Result<ClientSession, SessionReadError>;

const sessionCheck: Check<ClientSession> = object({
  client: literal('element-web'),
  homeserverUrl: str(2048),
  userId: str(512),
  deviceId: str(512),
  accessToken: str(8192),
  tokenStorage: optional(literal('encrypted', 'plain-indexeddb', 'plain-localstorage')),
});
const errorCheck = object({
  code: literal('not-a-matrix-client', 'not-signed-in', 'soft-logged-out', 'storage-evicted', 'storage-corrupt', 'schema-too-new', 'read-failed'),
  message: str(1000),
});

/** Validates what came back from the injected function (the page can tamper with the isolated world's result only as data). */
export function validateSessionReadResult(v: unknown): Result<SessionReadResult, string> {
  const shape = object({ ok: (x, p) => (typeof x === 'boolean' ? ok(x) : err(`${p} must be a boolean`)), value: optional((x) => ok(x)), error: optional((x) => ok(x)) })(v, 'result');
  if (!shape.ok) return shape;
  if (shape.value.ok) {
    const s = sessionCheck(shape.value.value, 'result.value');
    return s.ok ? ok(ok(s.value)) : s;
  }
  const e = errorCheck(shape.value.error, 'result.error');
  return e.ok ? ok(err(e.value)) : e;
}
