/**
 * @module clientStorage/elementSession — the pure checks the background runs on a session read
 * from the page, after `validateSessionReadResult` (src/protocol/session.ts) has checked its shape.
 *
 * Page storage is hostile input (STYLE §9.18, security.md H1): a script on the client's origin can
 * rewrite `mx_hs_url` so the token would go to an attacker's host. So the homeserver URL must be an
 * absolute https URL (plain http only to loopback, for tests), its origin is what the user confirms
 * the first time and what the token is bound to afterwards, and the user ID, device ID and token
 * must have the shapes Matrix gives them. No I/O here; every failure is data.
 */
import { type Result, ok, err } from '../../core/result.ts';
import type { ClientSession, TokenStorage } from '../../protocol/session.ts';
import { parseHomeserver, type Homeserver } from '../homeserver/origin.ts';

export type SessionCheckErrorCode =
  /** `mx_hs_url` is not a usable absolute URL. */
  | 'bad-homeserver-url'
  /** `mx_hs_url` is plain http to a host that is not loopback: the token would travel in clear. */
  | 'insecure-homeserver'
  /** `mx_user_id` is not `@localpart:server.name`. */
  | 'bad-user-id'
  /** `mx_device_id` holds control characters. */
  | 'bad-device-id'
  /** The token is empty, too long, or cannot go in an HTTP header. */
  | 'bad-token'
  /** The homeserver says the token belongs to another user or device than the page's storage. */
  | 'session-mismatch';

export interface SessionCheckError {
  readonly code: SessionCheckErrorCode;
  /** One plain sentence; never the token. */
  readonly message: string;
}

/** A session whose parts have been checked; `homeserver.origin` is what the token is bound to. */
export interface CheckedSession {
  readonly homeserver: Homeserver;
  readonly userId: string;
  /** The server name part of the user ID (not necessarily the homeserver's host: delegation). */
  readonly serverName: string;
  /** `null` when Element stored none (it then uses ""); take it from `/account/whoami`. */
  readonly deviceId: string | null;
  /** Secret: Authorization header only. */
  readonly accessToken: string;
  readonly tokenStorage?: TokenStorage;
}

/** Same bound as the homeserver client (src/sources/homeserver/http.ts checkToken). */
export const MAX_TOKEN_LENGTH = 4096;
/** Matrix spec, "User Identifiers": at most 255 bytes including the sigil and the server name. */
export const MAX_USER_ID_LENGTH = 255;

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;
/** Historical user ID grammar: U+0021–U+0039 and U+003B–U+007E (everything printable but ':'). */
const LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;
/** Spec "Server Name": IPv4, bracketed IPv6, or a DNS name, then an optional port. */
const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(?::(\d{1,5}))?$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const fail = (code: SessionCheckErrorCode, message: string) => err<SessionCheckError>({ code, message });

/** True for a server name as the spec's grammar allows it (`example.org`, `1.2.3.4:8448`, `[::1]`). */
export function isServerName(name: string): boolean {
  const m = SERVER_NAME.exec(name);
  if (!m) return false;
  const port = m[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** Splits `@localpart:server.name` at the first colon (a server name may contain more: port, IPv6). */
export function parseUserId(userId: string): Result<{ localpart: string; serverName: string }, SessionCheckError> {
  const shape = 'the signed-in user ID is not of the form @name:server.example';
  if (userId.length > MAX_USER_ID_LENGTH) return fail('bad-user-id', 'the signed-in user ID is longer than the 255 characters Matrix allows');
  if (!userId.startsWith('@')) return fail('bad-user-id', shape);
  const colon = userId.indexOf(':');
  if (colon < 2) return fail('bad-user-id', shape);
  const localpart = userId.slice(1, colon);
  const serverName = userId.slice(colon + 1);
  if (!LOCALPART.test(localpart) || !isServerName(serverName)) return fail('bad-user-id', shape);
  return ok({ localpart, serverName });
}

/**
 * The homeserver a session's token may be sent to: https (or http to loopback), no credentials,
 * query or fragment. Its `origin` is what the user confirms and what the token is bound to.
 */
export function sessionHomeserver(homeserverUrl: string): Result<Homeserver, SessionCheckError> {
  const hs = parseHomeserver(homeserverUrl);
  if (hs.ok) return hs;
  const code = hs.error.code === 'insecure-homeserver' ? 'insecure-homeserver' : 'bad-homeserver-url';
  return fail(code, `Element's stored homeserver address is not usable: ${hs.error.message}`);
}

/** Checks every part of a session read from the page; the first problem found is returned. */
export function checkClientSession(session: ClientSession): Result<CheckedSession, SessionCheckError> {
  const hs = sessionHomeserver(session.homeserverUrl);
  if (!hs.ok) return hs;
  const user = parseUserId(session.userId);
  if (!user.ok) return user;
  if (CONTROL.test(session.deviceId)) return fail('bad-device-id', 'the stored device ID contains control characters');
  const token = session.accessToken;
  if (token.length === 0) return fail('bad-token', 'the stored access token is empty');
  if (token.length > MAX_TOKEN_LENGTH) return fail('bad-token', `the stored access token is implausibly long (over ${MAX_TOKEN_LENGTH} characters)`);
  if (!TOKEN_SHAPE.test(token)) return fail('bad-token', 'the stored access token contains spaces or characters that cannot go in an HTTP header');
  return ok({
    homeserver: hs.value,
    userId: session.userId,
    serverName: user.value.serverName,
    deviceId: session.deviceId === '' ? null : session.deviceId,
    accessToken: token,
    ...(session.tokenStorage ? { tokenStorage: session.tokenStorage } : {}),
  });
}

/**
 * Whether the token may be sent now: only to an origin the user has already confirmed
 * (security.md H1). `needs-confirmation` means: ask the user, naming `origin`, before any request.
 */
export function originDecision(session: CheckedSession, confirmedOrigins: Iterable<string>): { readonly origin: string; readonly status: 'confirmed' | 'needs-confirmation' } {
  const origin = session.homeserver.origin;
  for (const o of confirmedOrigins) if (o === origin) return { origin, status: 'confirmed' };
  return { origin, status: 'needs-confirmation' };
}

/**
 * Compares the page's session with what `/account/whoami` said about the token (the snapshot's
 * `userId` / `deviceId`). A different user means the page's storage is inconsistent or hostile;
 * a different device likewise. With no stored device ID, whoami's is taken.
 */
export function matchWhoami(session: CheckedSession, whoami: { readonly userId: string; readonly deviceId: string }): Result<{ readonly userId: string; readonly deviceId: string }, SessionCheckError> {
  if (whoami.userId !== session.userId) return fail('session-mismatch', 'the homeserver says this access token belongs to a different user than the one Element shows as signed in');
  if (session.deviceId !== null && whoami.deviceId !== session.deviceId)
    return fail('session-mismatch', 'the homeserver says this access token belongs to a different device than the one Element stored');
  return ok({ userId: whoami.userId, deviceId: whoami.deviceId });
}

/** The parts of a session that may be shown, logged or kept in `storage.session`: no token. */
export function publicSessionInfo(session: CheckedSession): { readonly homeserver: string; readonly userId: string; readonly deviceId: string | null; readonly tokenStorage?: TokenStorage } {
  return {
    homeserver: session.homeserver.baseUrl,
    userId: session.userId,
    deviceId: session.deviceId,
    ...(session.tokenStorage ? { tokenStorage: session.tokenStorage } : {}),
  };
}
