/**
 * @module legacyStore/decodeLegacyStore — the pure decoder: a {@link LegacyStoreDump} copied out
 * of the page by ./readLegacyStore.ts, plus the pickle key, in; what the client's legacy libolm
 * crypto store knows, out (client-storage.md §4). No I/O; runs in Node and in the Worker alike.
 *
 * Steps: check the dump (page data) and the database version (an unknown one is "unsupported
 * store version N", never a reading on a guess); derive the libolm pickle cipher's keys once
 * (./pickleCipher.ts) and prove them on the Account pickle — with Element's pickle key, else js-sdk's
 * "DEFAULT_KEY" (a MAC proves which); read our identity keys from the Account pickle, the cached
 * private keys as public keys, the identities, every copied megolm session (its pickle gives the
 * first known index, and must name the same session as its record) and the withheld records.
 *
 * A record that cannot be read is counted in `problems` and leaves its part *unknown*, never
 * "absent": a cross-signing slot is `undefined` when its cache entry did not decrypt, `null` when
 * there is none. Private keys become public keys inside the record parsers and are wiped there;
 * the pickle cipher keys are wiped before this returns.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import { type LegacyStoreDump, type RawValue, validateLegacyStoreDump } from './dump.ts';
import { DEFAULT_PICKLE_KEY, MAX_LEGACY_VERSION, MIN_LEGACY_VERSION, isKnownLegacyVersion } from './schema.ts';
import { type PickleKeys, decryptPickle, pickleKeys, wipePickleKeys } from './pickleCipher.ts';
import { type ClientStack, clientStack } from './stack.ts';
import { type LegacyAccountKeys, parseAccountPickle } from './records/accountPickle.ts';
import { parseMegolmPickle } from './records/megolmPickle.ts';
import { type CachedKeyForm, type CachedKeyName, CACHED_KEY_NAMES, cachedPublicKey } from './records/cachedKeys.ts';
import { type CrossSigningKeysInfo, type LegacyIdentity, parseCrossSigningInfo, parseCrossSigningKeys } from './records/crossSigningInfo.ts';
import { parseSessionRecord, parseWithheldRecord } from './records/sessions.ts';

/** Account pickles are ~7 kB of base64 with 50 one-time keys; megolm pickles 412 characters. */
const MAX_ACCOUNT_PICKLE_CHARS = 200_000;
const MAX_MEGOLM_PICKLE_CHARS = 1_024;

export interface LegacySessionInfo {
  readonly sessionId: string;
  readonly senderKey: string;
  /** From the pickle; absent when the pickle did not decode (counted in `problems`). */
  readonly firstKnownIndex?: number;
  readonly backedUp: boolean;
  readonly untrusted: boolean;
}

export interface Counts {
  readonly total: number;
  readonly notBackedUp: number;
}

/** Everything the decoder read. Public data only: no private key, no pickle key. */
export interface LegacyStoreContents {
  readonly dbName: string;
  readonly version: number;
  /** Which crypto stack the client uses (./stack.ts). */
  readonly stack: ClientStack;
  /** `account` `migrationState` (0 when absent, as js-sdk reads it). */
  readonly migrationState: number;
  /** Which pickle key opened the store: the one given, or js-sdk's "DEFAULT_KEY". Unknown when there was no pickle to prove it on. */
  readonly pickleKeyUsed: 'given' | 'default' | 'unproven';
  /** Our device from the Account pickle; `undefined` when absent or unreadable (see `problems`). */
  readonly account: LegacyAccountKeys | undefined;
  /** Our own cross-signing public keys the client trusts (`account` `crossSigningKeys`); `null` = none stored. */
  readonly trustedCrossSigning: CrossSigningKeysInfo | null | undefined;
  /** Public keys of the cached private cross-signing keys (`null` = not cached, `undefined` = unreadable). */
  readonly crossSigning: { readonly master: string | null | undefined; readonly selfSigning: string | null | undefined; readonly userSigning: string | null | undefined };
  /** The cached backup key as its public key (the legacy store keeps no backup version with it). */
  readonly backup: { readonly state: 'cached'; readonly publicKey: string } | { readonly state: 'none' } | { readonly state: 'unreadable' };
  /** How each cached key was stored (old clients kept raw bytes). */
  readonly cachedKeyForms: Readonly<Partial<Record<CachedKeyName, CachedKeyForm>>>;
  readonly identities: Readonly<Record<string, LegacyIdentity>>;
  /** Sessions per room (those the dump carried). */
  readonly sessions: Readonly<Record<string, readonly LegacySessionInfo[]>>;
  /** Per-room counts over every session the reader counted. */
  readonly sessionCounts: Readonly<Record<string, Counts>>;
  /** `total`: the store's count; `notBackedUp`: `sessions_needing_backup`'s count. */
  readonly sessionTotals: Counts;
  readonly withheld: Readonly<Record<string, Readonly<Record<string, { readonly code: string }>>>>;
  /** False where the reader capped a store and only some of its records were read or counted. */
  readonly complete: { readonly identities: boolean; readonly sessions: boolean; readonly sessionCounts: boolean; readonly withheld: boolean };
  /** Records that could not be used, per store and reason. */
  readonly problems: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export type LegacyStoreDecodeErrorCode =
  /** The dump is not what the reader produces (tampered page data, or a bug). */
  | 'bad-dump'
  /** The database version is one this reader does not know. */
  | 'unsupported-store-version'
  /** Neither the given pickle key nor "DEFAULT_KEY" opens the Account pickle. */
  | 'wrong-pickle-key';

export interface LegacyStoreDecodeError {
  readonly code: LegacyStoreDecodeErrorCode;
  /** One plain sentence. */
  readonly message: string;
  /** For `unsupported-store-version`. */
  readonly version?: number;
}

const SLOT: Record<'master' | 'self_signing' | 'user_signing', 'master' | 'selfSigning' | 'userSigning'> = { master: 'master', self_signing: 'selfSigning', user_signing: 'userSigning' };

/**
 * Decodes a dump.
 * @param input the reader's `dump` (validated here: it comes from the page)
 * @param pickleKey Element's pickle key string, or null/undefined when the client had none (js-sdk then uses "DEFAULT_KEY")
 */
export function decodeLegacyStore(input: unknown, pickleKey: string | null | undefined): Result<LegacyStoreContents, LegacyStoreDecodeError> {
  const v = validateLegacyStoreDump(input);
  if (!v.ok) return err({ code: 'bad-dump', message: `The client store data is not usable: ${v.error.message}.` });
  const dump = v.value;
  if (!isKnownLegacyVersion(dump.version))
    return err({
      code: 'unsupported-store-version',
      version: dump.version,
      message: `unsupported store version ${dump.version}: Crosscheck reads the legacy crypto store at versions ${MIN_LEGACY_VERSION} to ${MAX_LEGACY_VERSION}.`,
    });

  const problems: Record<string, Record<string, number>> = {};
  const note = (store: string, code: string) => {
    const p = (problems[store] ??= {});
    p[code] = (p[code] ?? 0) + 1;
  };
  const accountRecord = (k: string): RawValue | undefined => dump.account.records.find(([rk]) => rk === k)?.[1];

  // ---- the pickle key, proven on the Account pickle ----
  const candidates = typeof pickleKey === 'string' && pickleKey.length > 0 && pickleKey !== DEFAULT_PICKLE_KEY ? [pickleKey, DEFAULT_PICKLE_KEY] : [DEFAULT_PICKLE_KEY];
  const accountRaw = accountRecord('-');
  const accountPickle = accountRaw && 'j' in accountRaw && typeof accountRaw.j === 'string' ? accountRaw.j : undefined;
  if (accountRaw && accountPickle === undefined) note('account', 'unexpected-shape');
  let keys: PickleKeys | undefined;
  let usedKey: string = candidates[0] as string;
  let pickleKeyUsed: LegacyStoreContents['pickleKeyUsed'] = 'unproven';
  let account: LegacyAccountKeys | undefined;
  try {
    if (accountPickle !== undefined) {
      let sawMacMismatch = false;
      for (const candidate of candidates) {
        const k = pickleKeys(candidate);
        const plain = decryptPickle(k, accountPickle, MAX_ACCOUNT_PICKLE_CHARS);
        if (!plain.ok) {
          wipePickleKeys(k);
          if (plain.error.code === 'mac-mismatch') {
            sawMacMismatch = true;
            continue;
          }
          note('account', plain.error.code);
          break;
        }
        keys = k;
        usedKey = candidate;
        pickleKeyUsed = candidate === pickleKey ? 'given' : 'default';
        const parsed = parseAccountPickle(plain.value);
        if (parsed.ok) account = parsed.value;
        else note('account', parsed.problem);
        break;
      }
      if (!keys && sawMacMismatch)
        return err({ code: 'wrong-pickle-key', message: 'The client’s legacy crypto store does not open with its pickle key: Crosscheck was given another session’s key, or the store is damaged.' });
    }
    // No account to prove a key on: use the given one (or the default) for what else there is.
    keys ??= pickleKeys(usedKey);
    return ok(decodeRest(dump, keys, usedKey, { account, pickleKeyUsed }, note, problems, accountRecord));
  } finally {
    wipePickleKeys(keys);
  }
}

function decodeRest(
  dump: LegacyStoreDump,
  keys: PickleKeys,
  pickleKey: string,
  first: { account: LegacyAccountKeys | undefined; pickleKeyUsed: LegacyStoreContents['pickleKeyUsed'] },
  note: (store: string, code: string) => void,
  problems: Record<string, Record<string, number>>,
  accountRecord: (k: string) => RawValue | undefined,
): LegacyStoreContents {
  // ---- migration state (backend.ts getMigrationState: absent = NOT_STARTED) ----
  let migrationState = 0;
  const ms = accountRecord('migrationState');
  if (ms) {
    if ('j' in ms && typeof ms.j === 'number' && Number.isSafeInteger(ms.j) && ms.j >= 0 && ms.j <= 100) migrationState = ms.j;
    else note('account', 'unexpected-shape');
  }

  // ---- our trusted public cross-signing keys ----
  const csk = accountRecord('crossSigningKeys');
  let trustedCrossSigning: LegacyStoreContents['trustedCrossSigning'] = null;
  if (csk) {
    trustedCrossSigning = 'j' in csk ? parseCrossSigningKeys(csk.j) : undefined;
    if (trustedCrossSigning === undefined) note('account', 'unexpected-shape');
  }

  // ---- cached private keys → public keys ----
  const crossSigning: { master: string | null | undefined; selfSigning: string | null | undefined; userSigning: string | null | undefined } = { master: null, selfSigning: null, userSigning: null };
  let backup: LegacyStoreContents['backup'] = { state: 'none' };
  const cachedKeyForms: Partial<Record<CachedKeyName, CachedKeyForm>> = {};
  for (const name of CACHED_KEY_NAMES) {
    const raw = accountRecord(`ssss_cache:${name}`);
    // js-sdk stores `null` to clear a cache (dehydration.ts does; treat any null as "none").
    if (!raw || ('j' in raw && raw.j === null)) continue;
    const pub = cachedPublicKey(name, raw, pickleKey);
    if (pub.ok) cachedKeyForms[name] = pub.value.form;
    else note('account', `ssss_cache:${pub.error}`);
    if (name === 'm.megolm_backup.v1') backup = pub.ok ? { state: 'cached', publicKey: pub.value.publicKey } : { state: 'unreadable' };
    else crossSigning[SLOT[name]] = pub.ok ? pub.value.publicKey : undefined;
  }

  // ---- identities ----
  const identities: Record<string, LegacyIdentity> = Object.create(null);
  if (dump.crossSigningInfo) {
    for (const [userId, raw] of dump.crossSigningInfo.records) {
      const id = 'j' in raw ? parseCrossSigningInfo(userId, raw.j) : undefined;
      if (id) identities[userId] = id;
      else note('device_data', 'unexpected-shape');
    }
  }

  // ---- sessions ----
  const pending = new Set<string>();
  for (const [senderKey, sessionId] of dump.needingBackup.keys) pending.add(`${senderKey}|${sessionId}`);
  const sessions: Record<string, LegacySessionInfo[]> = Object.create(null);
  for (const raw of dump.sessions.records) {
    const rec = 'j' in raw ? parseSessionRecord(raw.j) : undefined;
    if (!rec) {
      note('inbound_group_sessions', 'unexpected-shape');
      continue;
    }
    let firstKnownIndex: number | undefined;
    const plain = decryptPickle(keys, rec.pickle, MAX_MEGOLM_PICKLE_CHARS);
    if (!plain.ok) note('inbound_group_sessions', plain.error.code);
    else {
      const p = parseMegolmPickle(plain.value);
      if (!p.ok) note('inbound_group_sessions', p.problem);
      else if (p.value.sessionId !== rec.sessionId) {
        // A pickle filed under another session's ID: refuse the record rather than believe either.
        note('inbound_group_sessions', 'inconsistent');
        continue;
      } else firstKnownIndex = p.value.firstKnownIndex;
    }
    (sessions[rec.roomId] ??= []).push({
      sessionId: rec.sessionId,
      senderKey: rec.senderKey,
      ...(firstKnownIndex !== undefined ? { firstKnownIndex } : {}),
      backedUp: !pending.has(`${rec.senderKey}|${rec.sessionId}`),
      untrusted: rec.untrusted,
    });
  }
  for (const list of Object.values(sessions)) list.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const sessionCounts: Record<string, Counts> = Object.create(null);
  for (const [room, total, notBackedUp] of dump.sessions.buckets) {
    const c = sessionCounts[room];
    sessionCounts[room] = { total: (c?.total ?? 0) + total, notBackedUp: (c?.notBackedUp ?? 0) + notBackedUp };
  }

  // ---- withheld ----
  const withheld: Record<string, Record<string, { code: string }>> = Object.create(null);
  for (const raw of dump.withheld.records) {
    const w = 'j' in raw ? parseWithheldRecord(raw.j) : undefined;
    if (!w) {
      note('inbound_group_sessions_withheld', 'unexpected-shape');
      continue;
    }
    (withheld[w.roomId] ??= Object.create(null) as Record<string, { code: string }>)[w.sessionId] = { code: w.code };
  }

  return {
    dbName: dump.dbName,
    version: dump.version,
    stack: clientStack(dump.rustStores, migrationState),
    migrationState,
    pickleKeyUsed: first.pickleKeyUsed,
    account: first.account,
    trustedCrossSigning,
    crossSigning,
    backup,
    cachedKeyForms,
    identities,
    sessions,
    sessionCounts,
    sessionTotals: { total: dump.sessions.total, notBackedUp: dump.needingBackup.total },
    withheld,
    complete: {
      identities: dump.crossSigningInfo === null || dump.crossSigningInfo.records.length >= dump.crossSigningInfo.total,
      sessions: dump.sessions.records.length >= dump.sessions.total,
      sessionCounts: dump.sessions.counted >= dump.sessions.total,
      withheld: dump.withheld.records.length >= dump.withheld.total,
    },
    problems,
  };
}
