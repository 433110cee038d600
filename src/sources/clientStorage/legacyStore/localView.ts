/**
 * @module legacyStore/localView — the snapshot's `local` part (DESIGN.md "Snapshot",
 * src/core/snapshot/snapshot.ts LocalView) from what the legacy decoder read, and the one-call
 * entry the extension wires in: {@link readLegacyLocalView}(dump, pickle key) → `local`.
 * The same shape rustStore/localView.ts fills; field by field (absent = unknown, `null` = known
 * not to be there):
 * - `deviceKeys`: the public identity keys of the Account pickle (checked against its private keys);
 * - `crossSigning`: public keys derived from the cached private keys (`ssss_cache:*`), `null` per
 *   slot not cached, absent per slot whose cache did not decrypt;
 * - `backupKey`: `{publicKey}` from the cached decryption key (no `version`: the legacy store does
 *   not keep it), `null` when none is cached;
 * - `identities`: per user of `device_data.crossSigningInfo`, the master key the client holds and
 *   `previouslyVerified` (= `crossSigningVerifiedBefore`); for our own user also `verified`: the
 *   legacy client trusts its own identity when the master key it holds is the one in
 *   `account` `crossSigningKeys` (crypto/index.ts checkOwnCrossSigningTrust). Others' `verified`
 *   is not stored (it is derived from our user-signing key's signature, which the audit checks);
 * - `sessions` (with `firstKnownIndex` from each pickle), `sessionCounts`, `withheld` (no `sender`:
 *   the legacy store keeps only the sender's Curve25519 key).
 * The page can write its own store (security.md D4): every fact here is "per this browser's client
 * store", and once the client migrated (`stack` ≠ `libolm`) the legacy store is leftover data: its
 * sessions were moved out and deleted.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import type { LocalSession, LocalView } from '../../../core/snapshot/snapshot.ts';
import { type LegacyStoreContents, type LegacyStoreDecodeError, decodeLegacyStore } from './decodeLegacyStore.ts';
import type { ClientStack } from './stack.ts';
import { LEGACY_DB_NAME } from './dump.ts';

export interface LegacyLocalViewOptions {
  /** The session being audited: the store must belong to it. */
  readonly userId?: string;
  /** `local.client` text (default: "element-web legacy libolm store vN" for Element's database). */
  readonly client?: string;
}

export type LegacyLocalViewErrorCode =
  /** The store holds no Account pickle: encryption was never set up with this store. */
  | 'no-account'
  /** Our own identity in the store is another user's. */
  | 'account-mismatch';

export interface LegacyLocalViewError {
  readonly code: LegacyLocalViewErrorCode | LegacyStoreDecodeError['code'];
  readonly message: string;
  readonly version?: number;
}

/**
 * Builds `local` from decoded contents.
 * @returns the view, or why the store cannot describe the session in `opts`
 */
export function toLegacyLocalView(c: LegacyStoreContents, opts: LegacyLocalViewOptions = {}): Result<LocalView, LegacyLocalViewError> {
  const a = c.account;
  if (a === undefined && Object.keys(c.problems['account'] ?? {}).length === 0)
    return err({ code: 'no-account', message: 'The client’s legacy crypto store holds no account: encryption was not set up with it.' });
  // The Account pickle names no user or device: `verified` is given only for the user the caller names as ours.
  const identities: Record<string, { masterKey?: string; verified?: boolean; previouslyVerified?: boolean }> = Object.create(null);
  for (const [userId, id] of Object.entries(c.identities)) {
    const own = opts.userId !== undefined && userId === opts.userId;
    identities[userId] = {
      masterKey: id.masterKey,
      ...(own && c.trustedCrossSigning !== undefined ? { verified: c.trustedCrossSigning !== null && c.trustedCrossSigning.master === id.masterKey } : {}),
      previouslyVerified: id.previouslyVerified,
    };
  }
  const sessions: Record<string, LocalSession[]> = Object.create(null);
  for (const [room, list] of Object.entries(c.sessions))
    sessions[room] = list.map((s) => ({ sessionId: s.sessionId, senderKey: s.senderKey, ...(s.firstKnownIndex !== undefined ? { firstKnownIndex: s.firstKnownIndex } : {}), backedUp: s.backedUp }));
  const cs = c.crossSigning;
  const crossSigning = {
    ...(cs.master !== undefined ? { master: cs.master } : {}),
    ...(cs.selfSigning !== undefined ? { selfSigning: cs.selfSigning } : {}),
    ...(cs.userSigning !== undefined ? { userSigning: cs.userSigning } : {}),
  };
  const backupKey = c.backup.state === 'none' ? null : c.backup.state === 'cached' ? { publicKey: c.backup.publicKey } : undefined;
  const view: LocalView = {
    client: opts.client ?? `${c.dbName === LEGACY_DB_NAME ? 'element-web ' : ''}legacy libolm store v${c.version}${STACK_NOTE[c.stack]}`,
    ...(a ? { deviceKeys: { ed25519: a.ed25519, curve25519: a.curve25519 } } : {}),
    crossSigning,
    ...(backupKey !== undefined ? { backupKey } : {}),
    identities,
    sessions,
    sessionCounts: c.sessionCounts,
    withheld: c.withheld,
  };
  return ok(view);
}

const STACK_NOTE: Record<ClientStack, string> = {
  libolm: '',
  'libolm-migrating': ' (migration to rust crypto unfinished)',
  'libolm-migrated': ' (migrated to rust crypto: leftover data)',
  rust: ' (the client now uses its rust crypto store: leftover data)',
};

/**
 * The whole path the extension needs: a dump from the page and the pickle key → `local`.
 * @param dump `readLegacyStore`'s `dump` (validated here)
 * @param pickleKey `readLegacyStore`'s `pickleKey` (null: none, js-sdk's "DEFAULT_KEY" is tried); the caller drops its copy afterwards
 */
export function readLegacyLocalView(
  dump: unknown,
  pickleKey: string | null | undefined,
  opts: LegacyLocalViewOptions = {},
): Result<{ local: LocalView; contents: LegacyStoreContents; stack: ClientStack }, LegacyLocalViewError> {
  const decoded = decodeLegacyStore(dump, pickleKey);
  if (!decoded.ok) return err(decoded.error);
  if (opts.userId !== undefined && decoded.value.trustedCrossSigning) {
    // Own trusted keys exist only for our user: if the store's identities give that master key to someone else, it is not our store.
    const owner = Object.values(decoded.value.identities).find((id) => id.masterKey === decoded.value.trustedCrossSigning?.master);
    if (owner && owner.userId !== opts.userId) return err({ code: 'account-mismatch', message: 'The client’s legacy crypto store belongs to another account than the one signed in.' });
  }
  const view = toLegacyLocalView(decoded.value, opts);
  return view.ok ? ok({ local: view.value, contents: decoded.value, stack: decoded.value.stack }) : view;
}
