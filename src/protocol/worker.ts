/**
 * @module protocol/worker — messages to and from the audit Worker (src/worker). The snapshot
 * travels as JSON text so the Worker parses it with the strict reader itself. A secret (recovery
 * key or passphrase) travels as bytes, only from the popup to its own Worker, and is wiped there.
 */
import type { Result } from '../core/result.ts';
import type { Report } from '../core/report/types.ts';
import { object, str, literal, optional, bytes, type Check } from './validate.ts';

export interface WorkerAuditRequest {
  readonly kind: 'audit';
  readonly id: string;
  readonly snapshotJson: string;
  /** ISO time of the audit (core has no clock). */
  readonly now: string;
  readonly secret?: { readonly kind: 'recovery-key' | 'passphrase'; readonly text: Uint8Array };
  /**
   * What the client's own crypto store holds (issue 5): the raw records the injected reader copied,
   * as JSON text, and Element's pickle key to decrypt them (sensitive: decoded in the Worker only,
   * then dropped). Decoded into the snapshot's `local` part before the audit.
   */
  readonly clientStore?: ClientStoreInput;
  /**
   * An offline audit (the homeserver could not be reached): the Worker builds the snapshot from
   * the client's own stores (sources/clientStorage/offlineSnapshot.ts) instead of parsing
   * `snapshotJson`, which then carries only the base parts the background adds (`pins`). The
   * reply carries the snapshot it built.
   */
  readonly offline?: OfflineInput;
}

export interface OfflineInput {
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserver?: string;
  /** readSyncStore's dump, as JSON text; or why there is none. */
  readonly syncStoreJson?: string;
  readonly syncUnavailable?: string;
}

export interface ClientStoreInput {
  /**
   * Which reader produced `dumpJson`: `rust` (readRustStore, the default when absent) or `legacy`
   * (readLegacyStore: the libolm store `matrix-js-sdk:crypto`, read when the page has no rust store).
   */
  readonly kind?: 'rust' | 'legacy';
  readonly dumpJson?: string;
  readonly pickleKey?: string;
  /** Why the store could not be read, when it could not (shown as "not checked"). */
  readonly unavailable?: string;
}

export interface WorkerError {
  readonly code: 'bad-request' | 'bad-snapshot' | 'internal';
  readonly message: string;
}

export interface WorkerReply {
  readonly id: string;
  readonly result: Result<Report, WorkerError>;
  /**
   * When the Worker changed the snapshot (added the client store's `local`, or built an offline
   * one): the snapshot it audited (public data, no secret), for a later recovery-key check.
   */
  readonly snapshotJson?: string;
}

const MAX_SNAPSHOT_CHARS = 256 * 1024 * 1024;

export const validateWorkerRequest: Check<WorkerAuditRequest> = object({
  kind: literal('audit'),
  id: str(100),
  snapshotJson: str(MAX_SNAPSHOT_CHARS),
  now: str(40),
  secret: optional(object({ kind: literal('recovery-key', 'passphrase'), text: bytes(4096) })),
  clientStore: optional(object({ kind: optional(literal('rust', 'legacy')), dumpJson: optional(str(MAX_SNAPSHOT_CHARS)), pickleKey: optional(str(200)), unavailable: optional(str(1000)) })),
  offline: optional(object({ userId: str(255), deviceId: str(255), homeserver: optional(str(2048)), syncStoreJson: optional(str(MAX_SNAPSHOT_CHARS)), syncUnavailable: optional(str(1000)) })),
});
