/**
 * @module checks/check — the shape of one check: a pure function from the evaluated audit
 * context to findings. One check per file; the list in ./registry.ts is explicit.
 */
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { TrustModel } from '../trust/model.ts';
import type { BackupModel } from '../backup/backupTrust.ts';
import type { BackupSessionCounts } from '../backup/sessions.ts';
import type { Finding } from '../report/types.ts';

/** Backup session counts, as backup/sessions.ts computes them. */
export type SessionCounts = BackupSessionCounts;

export interface AuditContext {
  readonly snapshot: Snapshot;
  readonly model: TrustModel;
  readonly backup: BackupModel;
  /** Backup session counts when /room_keys/keys was captured; decrypted only with a key. */
  readonly sessions: SessionCounts | undefined;
  /** Findings the secret-storage audit already made. */
  readonly secretFindings: readonly Finding[];
}

export interface Check {
  readonly id: string;
  readonly title: string;
  run(ctx: AuditContext): Finding[];
}

/** A short, recognisable form of a public key for messages: the first 8 characters. */
export const short = (key: string): string => (key.length > 12 ? `${key.slice(0, 8)}…` : key);
