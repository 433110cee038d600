/**
 * @module rustStore/decodeRustStore — the pure decoder: a {@link RustStoreDump} copied out of the
 * page by ./readRustStore.ts, plus Element's pickle key, in; what the client's own crypto store
 * knows, out (client-storage.md §9(b)). No I/O; runs in Node and in the Worker alike.
 *
 * Steps: check the dump (page data) and the schema version (an unknown one is "unsupported store
 * version N", never a reading on a guess); unwrap the store cipher (./storeCipher.ts); decode every
 * record (./valueCodec.ts, all four encodings, mixed stores included); parse each record type
 * (./records/*); check each hashed record key against the IDs inside the record, so a record
 * filed under another room, user or session is refused rather than believed.
 *
 * A record that cannot be read is counted in `problems` and leaves its part *unknown* — never
 * "absent": `crossSigning` is `undefined` when `private_identity` did not decode, while `null`
 * slots mean the store holds no such private key. Private keys are turned into public keys inside
 * the record parsers and wiped; the store keys are wiped before this returns.
 */
import { type Result, ok, err } from '../../../core/result.ts';
import { decodeBase64 } from '../../../core/encoding/base64.ts';
import { type RawRecord, type RawValue, type RustStoreDump, validateRustStoreDump } from './dump.ts';
import { MAX_SCHEMA_VERSION, MIN_SCHEMA_VERSION, KEYS, STORES, isKnownSchema } from './schema.ts';
import { type Pbkdf2Sha256, type StoreCipherErrorCode, type StoreKeys, parseStoreCipherExport, unwrapStoreCipher, wipeStoreKeys } from './storeCipher.ts';
import { type KeyHasher, KEY_SEPARATOR, keyHasher } from './keyHash.ts';
import { type DecodedValue, type ValueEncoding, type ValueError, decodeLegacyValue, decodeValue } from './valueCodec.ts';
import type { JsonB } from './jsonBytes.ts';
import type { Parsed, RecordProblemCode } from './records/fields.ts';
import { type AccountKeys, parseAccount } from './records/account.ts';
import { parsePrivateIdentity } from './records/privateIdentity.ts';
import { parseBackupDecryptionKey, parseBackupVersion } from './records/backupKeys.ts';
import { type StoredIdentity, parseIdentity } from './records/identities.ts';
import { type StoredDevice, parseDevice } from './records/devices.ts';
import { type SenderTrust, parseSession, parseSessionEnvelope } from './records/sessions.ts';
import { parseWithheld } from './records/withheld.ts';

/** How the store is keyed (`kdf_info`), or that it is not encrypted. */
export type StoreKeying = 'key-hkdf-sha256' | 'key-hkdf' | 'passphrase-pbkdf2' | 'unencrypted';

export interface SessionInfo {
  readonly sessionId: string;
  readonly senderKey: string;
  readonly firstKnownIndex: number;
  readonly backedUp: boolean;
  readonly imported: boolean;
  readonly senderTrust?: SenderTrust;
}

export interface Counts {
  readonly total: number;
  readonly notBackedUp: number;
}

/** Everything the decoder read. Public data only: no private key, no store key. */
export interface RustStoreContents {
  readonly prefix: string;
  readonly schemaVersion: number;
  readonly keying: StoreKeying;
  /** Our device, from the account's private keys; `undefined` when the account is absent or unreadable. */
  readonly account: AccountKeys | undefined;
  /** How the `devices` record of our own device compares with the keys derived from the account. */
  readonly ownDeviceRecord: 'matches' | 'differs' | 'absent';
  /** Public keys of the cached private cross-signing keys (`null` = not cached); `undefined` = unreadable. */
  readonly crossSigning: { readonly master: string | null | undefined; readonly selfSigning: string | null | undefined; readonly userSigning: string | null | undefined } | undefined;
  /** The cached backup key (`none` = not cached), as its public key and the version it belongs to. */
  readonly backup: { readonly state: 'cached'; readonly publicKey: string; readonly version?: string } | { readonly state: 'none' } | { readonly state: 'unreadable' };
  readonly identities: Readonly<Record<string, StoredIdentity>>;
  readonly devices: readonly StoredDevice[];
  /** Users whose devices the client tracks → whether their list is out of date ("dirty"). */
  readonly trackedUsers: Readonly<Record<string, boolean>>;
  /** Sessions per room (those the dump carried). */
  readonly sessions: Readonly<Record<string, readonly SessionInfo[]>>;
  /** Exact per-room counts from the store's keys and `backup` index, even when `sessions` is capped. */
  readonly sessionCounts: Readonly<Record<string, Counts>>;
  /** Sessions in rooms no readable record named (only when records failed to decode). */
  readonly unattributedSessions: Counts;
  readonly sessionTotals: Counts;
  readonly withheld: Readonly<Record<string, Readonly<Record<string, { readonly code: string; readonly sender: string }>>>>;
  /** False where the reader capped a store and only some of its records were read. */
  readonly complete: { readonly identities: boolean; readonly devices: boolean; readonly trackedUsers: boolean; readonly sessions: boolean; readonly withheld: boolean };
  /** How many values had each encoding (a store reopened by a newer library mixes them). */
  readonly encodings: Readonly<Partial<Record<ValueEncoding, number>>>;
  /** Records that could not be used, per store and reason. */
  readonly problems: Readonly<Record<string, Readonly<Partial<Record<RecordProblemCode | ValueError['code'] | 'wrong-key-for-record', number>>>>>;
}

export type RustStoreDecodeErrorCode =
  /** The dump is not what the reader produces (page data that was tampered with, or a bug). */
  | 'bad-dump'
  /** The store's schema is one this reader does not know. */
  | 'unsupported-store-version'
  | StoreCipherErrorCode;

export interface RustStoreDecodeError {
  readonly code: RustStoreDecodeErrorCode;
  /** One plain sentence. */
  readonly message: string;
  /** For `unsupported-store-version`. */
  readonly version?: number;
}

export interface DecodeOptions {
  /** PBKDF2-HMAC-SHA-256 for passphrase-era stores (WebCrypto in the extension); noble by default. */
  readonly pbkdf2?: Pbkdf2Sha256;
}

const KEYING: Record<'none' | 'hkdf-sha256' | 'pbkdf2', StoreKeying> = { none: 'key-hkdf', 'hkdf-sha256': 'key-hkdf-sha256', pbkdf2: 'passphrase-pbkdf2' };

/**
 * Decodes a dump.
 * @param input the reader's `dump` (validated here: it comes from the page)
 * @param pickleKey Element's pickle key (43 characters), or null for an unencrypted store
 */
export async function decodeRustStore(input: unknown, pickleKey: string | null | undefined, opts: DecodeOptions = {}): Promise<Result<RustStoreContents, RustStoreDecodeError>> {
  const v = validateRustStoreDump(input);
  if (!v.ok) return err({ code: 'bad-dump', message: `The client store data is not usable: ${v.error.message}.` });
  const dump = v.value;
  if (!isKnownSchema(dump.schemaVersion))
    return err({
      code: 'unsupported-store-version',
      version: dump.schemaVersion,
      message: `unsupported store version ${dump.schemaVersion}: Crosscheck reads the client's crypto store at schema versions ${MIN_SCHEMA_VERSION} to ${MAX_SCHEMA_VERSION}.`,
    });

  let keys: StoreKeys | undefined;
  let keying: StoreKeying = 'unencrypted';
  if (dump.storeCipher !== null) {
    const raw = 'b' in dump.storeCipher ? decodeBase64(dump.storeCipher.b) : undefined;
    const exp = raw?.ok ? parseStoreCipherExport(raw.value) : undefined;
    if (!exp) return err({ code: 'malformed-export', message: 'The rust crypto store’s key record (store_cipher) is not a byte array.' });
    if (!exp.ok) return err(exp.error);
    const unwrapped = await unwrapStoreCipher(exp.value, pickleKey, opts.pbkdf2 ? { pbkdf2: opts.pbkdf2 } : {});
    if (!unwrapped.ok) return err(unwrapped.error);
    keys = unwrapped.value;
    keying = KEYING[exp.value.kdf.kind];
  }
  const hasher = keyHasher(keys?.macKeySeed);
  try {
    return ok(decodeRecords(dump, keys?.encryptionKey, hasher, keying));
  } finally {
    hasher.wipe();
    wipeStoreKeys(keys);
  }
}

function decodeRecords(dump: RustStoreDump, key: Uint8Array | undefined, hasher: KeyHasher, keying: StoreKeying): RustStoreContents {
  const encodings: Partial<Record<ValueEncoding, number>> = {};
  const problems: Record<string, Partial<Record<string, number>>> = {};
  const note = (store: string, code: string) => {
    const p = (problems[store] ??= {});
    p[code] = (p[code] ?? 0) + 1;
  };
  /** Decodes then parses one value; counts what happened. */
  const read = <T>(store: string, raw: RawValue, parse: (j: JsonB) => Parsed<T>, legacy = false): T | undefined => {
    const d: Result<DecodedValue, ValueError> = legacy ? decodeLegacyValue(raw, key) : decodeValue(raw, key);
    if (!d.ok) {
      note(store, d.error.code);
      return undefined;
    }
    encodings[d.value.encoding] = (encodings[d.value.encoding] ?? 0) + 1;
    const p = parse(d.value.value);
    if (!p.ok) {
      note(store, p.problem.code);
      return undefined;
    }
    return p.value;
  };
  const get = (records: readonly RawRecord[], k: string): RawValue | undefined => records.find(([rk]) => rk === k)?.[1];

  // ---- core: our device, our cached cross-signing keys ----
  const accountRaw = get(dump.core.records, KEYS.account);
  const account = accountRaw ? read(STORES.core, accountRaw, parseAccount) : undefined;
  const piRaw = get(dump.core.records, KEYS.privateIdentity);
  let crossSigning: RustStoreContents['crossSigning'];
  if (!piRaw) crossSigning = { master: null, selfSigning: null, userSigning: null };
  else {
    const pi = read(STORES.core, piRaw, parsePrivateIdentity);
    if (pi) {
      for (const pr of pi.problems) note(STORES.core, pr.code);
      // Keys of another user are no anchor for this one.
      if (account && pi.userId !== account.userId) note(STORES.core, 'inconsistent');
      else crossSigning = { master: pi.master, selfSigning: pi.selfSigning, userSigning: pi.userSigning };
    }
  }

  // ---- backup key ----
  let backup: RustStoreContents['backup'];
  const rkRaw = get(dump.backupKeys.records, KEYS.recoveryKey);
  if (!rkRaw) backup = { state: 'none' };
  else {
    const pub = read(STORES.backupKeys, rkRaw, parseBackupDecryptionKey);
    const verRaw = get(dump.backupKeys.records, KEYS.backupVersion);
    const oldRaw = get(dump.backupKeys.records, KEYS.backupVersionBefore11);
    const version = verRaw ? read(STORES.backupKeys, verRaw, parseBackupVersion) : oldRaw ? read(STORES.backupKeys, oldRaw, parseBackupVersion, true) : undefined;
    backup = pub === undefined ? { state: 'unreadable' } : { state: 'cached', publicKey: pub, ...(version !== undefined ? { version } : {}) };
  }

  // ---- identities ----
  const identities: Record<string, StoredIdentity> = Object.create(null);
  for (const [k, raw] of dump.identities.records) {
    const id = read(STORES.identities, raw, parseIdentity);
    if (!id) continue;
    if (hasher.key(STORES.identities, id.userId) !== k) note(STORES.identities, 'wrong-key-for-record');
    else identities[id.userId] = id;
  }

  // ---- devices ----
  const devices: StoredDevice[] = [];
  for (const [k, raw] of dump.devices.records) {
    const d = read(STORES.devices, raw, parseDevice);
    if (!d) continue;
    if (hasher.key(STORES.devices, d.userId, d.deviceId) !== k) note(STORES.devices, 'wrong-key-for-record');
    else devices.push(d);
  }
  let ownDeviceRecord: RustStoreContents['ownDeviceRecord'] = 'absent';
  if (account) {
    const own = devices.find((d) => d.userId === account.userId && d.deviceId === account.deviceId);
    if (own) ownDeviceRecord = own.ed25519 === account.ed25519 && own.curve25519 === account.curve25519 ? 'matches' : 'differs';
  }

  // ---- tracked users (plain keys, plain boolean values) ----
  const trackedUsers: Record<string, boolean> = Object.create(null);
  for (const [k, raw] of dump.trackedUsers.records) {
    if ('j' in raw && typeof raw.j === 'boolean') trackedUsers[k] = raw.j;
    else note(STORES.trackedUsers, 'unexpected-shape');
  }

  // ---- sessions ----
  const sessions: Record<string, SessionInfo[]> = Object.create(null);
  const bucketRoom = new Map<string, string>();
  for (const [k, raw] of dump.sessions.records) {
    const env = parseSessionEnvelope(raw);
    if (!env.ok) {
      note(STORES.sessions, env.problem.code);
      continue;
    }
    const s = read(STORES.sessions, env.value.pickled, parseSession);
    if (!s) continue;
    const roomKey = hasher.key(STORES.sessions, s.roomId);
    if (`${roomKey}${KEY_SEPARATOR}${hasher.key(STORES.sessions, s.sessionId)}` !== k) {
      note(STORES.sessions, 'wrong-key-for-record');
      continue;
    }
    bucketRoom.set(roomKey, s.roomId);
    (sessions[s.roomId] ??= []).push({
      sessionId: s.sessionId,
      senderKey: s.senderKey,
      firstKnownIndex: s.firstKnownIndex,
      backedUp: !env.value.needsBackup,
      imported: s.imported,
      ...(s.senderTrust ? { senderTrust: s.senderTrust } : {}),
    });
  }
  for (const list of Object.values(sessions)) list.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const sessionCounts: Record<string, Counts> = Object.create(null);
  let unTotal = 0;
  let unPending = 0;
  for (const [bucket, total, notBackedUp] of dump.sessions.buckets) {
    const room = bucketRoom.get(bucket);
    if (room === undefined) {
      unTotal += total;
      unPending += notBackedUp;
      continue;
    }
    const c = sessionCounts[room];
    sessionCounts[room] = { total: (c?.total ?? 0) + total, notBackedUp: (c?.notBackedUp ?? 0) + notBackedUp };
  }

  // ---- withheld ----
  const withheld: Record<string, Record<string, { code: string; sender: string }>> = Object.create(null);
  if (dump.withheld.store !== null) {
    for (const [k, raw] of dump.withheld.records) {
      const w = read(dump.withheld.store, raw, parseWithheld);
      if (!w) continue;
      // Keyed (room, session) since schema 100; (session, room) in `direct_withheld_info` before.
      const expected = dump.withheld.store === STORES.withheld ? hasher.key(STORES.withheld, w.roomId, w.sessionId) : hasher.key(STORES.withheldBefore101, w.sessionId, w.roomId);
      if (expected !== k) {
        note(dump.withheld.store, 'wrong-key-for-record');
        continue;
      }
      (withheld[w.roomId] ??= Object.create(null) as Record<string, { code: string; sender: string }>)[w.sessionId] = { code: w.code, sender: w.sender };
    }
  }

  return {
    prefix: dump.prefix,
    schemaVersion: dump.schemaVersion,
    keying,
    account,
    ownDeviceRecord,
    crossSigning,
    backup,
    identities,
    devices,
    trackedUsers,
    sessions,
    sessionCounts,
    unattributedSessions: { total: unTotal, notBackedUp: unPending },
    sessionTotals: { total: dump.sessions.total, notBackedUp: dump.sessions.notBackedUp },
    withheld,
    complete: {
      identities: dump.identities.records.length >= dump.identities.total,
      devices: dump.devices.records.length >= dump.devices.total,
      trackedUsers: dump.trackedUsers.records.length >= dump.trackedUsers.total,
      sessions: dump.sessions.records.length >= dump.sessions.total,
      withheld: dump.withheld.records.length >= dump.withheld.total,
    },
    encodings,
    problems,
  };
}
