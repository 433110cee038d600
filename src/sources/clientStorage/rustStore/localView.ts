/**
 * @module rustStore/localView — the snapshot's `local` part (DESIGN.md "Snapshot",
 * src/core/snapshot/snapshot.ts LocalView) from what the decoder read, and the one-call entry the
 * extension wires in: {@link readLocalView}(dump, pickle key) → `local`.
 *
 * Mapping, field by field (absent = unknown, `null` = known to be not there):
 * - `deviceKeys`: the public keys of the account's own private keys (not the `devices` record,
 *   which only repeats what was published; a disagreement is a decoder problem, and then the
 *   account's keys still win: they are what this browser uses);
 * - `crossSigning`: public keys derived from the cached private keys, `null` per slot not cached;
 *   absent when `private_identity` could not be read;
 * - `backupKey`: `{version, publicKey}` from the cached decryption key, `null` when none is cached;
 * - `identities`: own — master key, `verified` (state `Verified`), `previouslyVerified` (verified
 *   now or a verification violation); others — the master key the client holds,
 *   `previouslyVerified` (when the store records it), and `pinnedMasterKey` when the pin differs
 *   from it. `verified` is not given for others: the store does not keep it (the library derives it
 *   from our user-signing key's signature, which the audit checks itself from the server's data);
 * - `sessions`, `sessionCounts`, `withheld`: as read.
 * The page can write its own store (security.md D4): every fact here is "per this browser's
 * client store", and the report must say so where a verdict rests on it.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import type { LocalSession, LocalView } from '../../../core/snapshot/snapshot.ts';
import type { RustStoreContents, RustStoreDecodeError, DecodeOptions } from './decodeRustStore.ts';
import { decodeRustStore } from './decodeRustStore.ts';

export interface LocalViewOptions {
  /** The session being audited: the store must belong to it. */
  readonly userId?: string;
  readonly deviceId?: string;
  /** `local.client` text (default: "element-web rust-crypto store vN" for Element's prefix). */
  readonly client?: string;
}

export type LocalViewErrorCode =
  /** The store holds no account: encryption was never set up in this browser. */
  | 'no-account'
  /** The store's account is another user's or another device's. */
  | 'account-mismatch';

export interface LocalViewError {
  readonly code: LocalViewErrorCode | RustStoreDecodeError['code'];
  readonly message: string;
  readonly version?: number;
}

/**
 * Builds `local` from decoded contents.
 * @returns the view, or why the store cannot describe the session in `opts`
 */
export function toLocalView(c: RustStoreContents, opts: LocalViewOptions = {}): Result<LocalView, LocalViewError> {
  const a = c.account;
  if (a === undefined) {
    const unreadable = (c.problems['core'] ?? {}) as Record<string, number>;
    if (Object.keys(unreadable).length === 0) return err({ code: 'no-account', message: 'The client’s crypto store holds no account: encryption was not set up in this browser.' });
  } else if ((opts.userId !== undefined && a.userId !== opts.userId) || (opts.deviceId !== undefined && a.deviceId !== opts.deviceId)) {
    return err({ code: 'account-mismatch', message: 'The client’s crypto store belongs to another account or session than the one signed in.' });
  }
  const identities: Record<string, { masterKey?: string; verified?: boolean; previouslyVerified?: boolean; pinnedMasterKey?: string }> = Object.create(null);
  for (const [userId, id] of Object.entries(c.identities)) {
    if (id.kind === 'own') {
      // Only our own identity may be stored as "Own"; another user's claiming it is ignored.
      if (a !== undefined && userId !== a.userId) continue;
      identities[userId] = { masterKey: id.masterKey, verified: id.verified === 'verified', previouslyVerified: id.verified !== 'never-verified' };
    } else {
      identities[userId] = {
        masterKey: id.masterKey,
        ...(id.previouslyVerified !== undefined ? { previouslyVerified: id.previouslyVerified } : {}),
        ...(id.pinnedMasterKey !== id.masterKey ? { pinnedMasterKey: id.pinnedMasterKey } : {}),
      };
    }
  }
  const sessions: Record<string, LocalSession[]> = Object.create(null);
  for (const [room, list] of Object.entries(c.sessions))
    sessions[room] = list.map((s) => ({ sessionId: s.sessionId, senderKey: s.senderKey, firstKnownIndex: s.firstKnownIndex, backedUp: s.backedUp }));
  const cs = c.crossSigning;
  const crossSigning =
    cs === undefined
      ? undefined
      : {
          ...(cs.master !== undefined ? { master: cs.master } : {}),
          ...(cs.selfSigning !== undefined ? { selfSigning: cs.selfSigning } : {}),
          ...(cs.userSigning !== undefined ? { userSigning: cs.userSigning } : {}),
        };
  const backupKey =
    c.backup.state === 'none' ? null : c.backup.state === 'cached' ? { publicKey: c.backup.publicKey, ...(c.backup.version !== undefined ? { version: c.backup.version } : {}) } : undefined;
  const view: LocalView = {
    client: opts.client ?? (c.prefix === 'matrix-js-sdk' ? `element-web rust-crypto store v${c.schemaVersion}` : `rust-crypto store v${c.schemaVersion}`),
    ...(a ? { deviceKeys: { ed25519: a.ed25519, curve25519: a.curve25519 } } : {}),
    ...(crossSigning ? { crossSigning } : {}),
    ...(backupKey !== undefined ? { backupKey } : {}),
    identities,
    sessions,
    sessionCounts: c.sessionCounts,
    withheld: c.withheld,
  };
  return ok(view);
}

/**
 * The whole path the extension needs: a dump from the page and the pickle key → `local`.
 * @param dump `readRustStore`'s `dump` (validated here)
 * @param pickleKey `readRustStore`'s `pickleKey`; the caller drops its copy afterwards
 */
export async function readLocalView(dump: unknown, pickleKey: string | null | undefined, opts: LocalViewOptions & DecodeOptions = {}): Promise<Result<{ local: LocalView; contents: RustStoreContents }, LocalViewError>> {
  const decoded = await decodeRustStore(dump, pickleKey, opts.pbkdf2 ? { pbkdf2: opts.pbkdf2 } : {});
  if (!decoded.ok) return err(decoded.error);
  const view = toLocalView(decoded.value, opts);
  return view.ok ? ok({ local: view.value, contents: decoded.value }) : view;
}
