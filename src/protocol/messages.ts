/**
 * @module protocol/messages — the one typed message map between the popup (or report page) and
 * the background, with a runtime validator per request (STYLE §16). Replies carry errors as data:
 * `{ ok: false, error: { code, message } }`, never a thrown Error (STYLE §12).
 *
 * Nothing here carries a secret: the access token never leaves the background, and a recovery
 * key never reaches it (the popup hands it straight to its own Worker; see ./worker.ts).
 */
import type { Result } from '../core/result.ts';
import type { Report } from '../core/report/types.ts';
import { object, int, str, optional, type Check } from './validate.ts';

export interface MessageError {
  readonly code: 'bad-request' | 'no-active-tab' | 'unsupported-page' | 'needs-confirmation' | 'capture-failed' | 'audit-failed' | 'no-snapshot' | 'internal';
  readonly message: string;
}

export type Reply<T> = Result<T, MessageError>;

/** Where the background is with the latest audit (kept in storage.session; no secrets). */
export type AuditState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'needs-confirmation'; readonly tabId: number; readonly homeserverOrigin: string; readonly userId: string }
  | { readonly phase: 'running'; readonly step: string }
  | {
      readonly phase: 'done';
      readonly report: Report;
      readonly source: 'tab' | 'demo';
      readonly homeserverOrigin?: string;
      /** Present when the homeserver could not be reached and the report comes from this browser's client stores: why. */
      readonly offlineBecause?: string;
      readonly finishedAt: string;
      readonly tookMs: number;
    }
  | { readonly phase: 'error'; readonly error: MessageError };

/** One remembered master key of a user (our own dexie store, src/store). */
export interface PinRecord {
  readonly userId: string;
  readonly masterKey: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The key the report compares against (the first one seen, or one the user accepted). */
  readonly accepted: boolean;
}

/** Every request the popup/report page may send, with its reply. */
export interface Requests {
  /** The latest audit state. */
  'get-state': { req: Record<string, never>; res: AuditState };
  /** Read the session of the given tab and audit it (the user clicked). */
  'audit-tab': { req: { tabId: number }; res: AuditState };
  /** The user confirmed the homeserver origin shown in `needs-confirmation`. */
  'confirm-homeserver': { req: { tabId: number; homeserverOrigin: string }; res: AuditState };
  /** Audit the embedded demo account. */
  'load-demo': { req: Record<string, never>; res: AuditState };
  /** The snapshot behind the latest report (public data), for a recovery-key check in the popup's Worker. */
  'get-snapshot': { req: Record<string, never>; res: { snapshotJson: string } };
  /** Master-key history of one user (or everyone). */
  'get-pins': { req: { userId?: string }; res: { pins: PinRecord[] } };
  /** The user checked a changed identity out of band and accepts its new master key. */
  'accept-identity': { req: { userId: string; masterKey: string }; res: { accepted: boolean } };
}

export type RequestType = keyof Requests;
export interface Envelope<K extends RequestType = RequestType> {
  readonly type: K;
  readonly payload: Requests[K]['req'];
}

const empty = object({});
const VALIDATORS: { [K in RequestType]: Check<Requests[K]['req']> } = {
  'get-state': empty,
  'audit-tab': object({ tabId: int }),
  'confirm-homeserver': object({ tabId: int, homeserverOrigin: str(512) }),
  'load-demo': empty,
  'get-snapshot': empty,
  'get-pins': object({ userId: optional(str(512)) }),
  'accept-identity': object({ userId: str(512), masterKey: str(64) }),
};

/** Validates an incoming message: a known type and a payload of exactly the declared shape. */
export function validateEnvelope(v: unknown): Result<Envelope, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'message must be an object' };
  const { type, payload, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return { ok: false, error: `unexpected field ${Object.keys(rest)[0]}` };
  if (typeof type !== 'string' || !Object.hasOwn(VALIDATORS, type)) return { ok: false, error: `unknown message type ${JSON.stringify(type)}` };
  const check = VALIDATORS[type as RequestType] as Check<unknown>;
  const p = check(payload ?? {}, 'payload');
  return p.ok ? { ok: true, value: { type: type as RequestType, payload: p.value as Requests[RequestType]['req'] } } : { ok: false, error: p.error };
}
