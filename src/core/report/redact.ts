/**
 * @module report/redact — the report as it may leave the browser (issue 4 item 6, DESIGN.md
 * "Report"): a copy rebuilt field by field from the contract, so nothing outside it is carried
 * along; optionally with every Matrix ID (user, room, alias, event) and the server names in them
 * replaced by a salted, truncated SHA-256, and device display names dropped.
 *
 * A report never holds an access token, a private key or a recovery key (core never puts one in
 * it); as a second line of defence, evidence fields whose names say they hold such a thing are
 * dropped here. Pure: the salt (random per export) is passed in, so one export is consistent (the
 * same ID always gives the same hash) and two exports cannot be linked by their hashes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { BackupReport, DeviceReport, Finding, RecoveryKeyReport, Report, SecretStorageReport, UserReport } from './types.ts';

export interface RedactOptions {
  /** Replace Matrix IDs, and the server names in them, by salted SHA-256 hashes. */
  readonly hashIds: boolean;
  /** The export's salt (at least 16 random bytes), required with `hashIds`. */
  readonly salt?: Uint8Array;
  /** Drop device display names (they are chosen by people and often name them or their devices). */
  readonly dropDisplayNames: boolean;
}

/** What was done to the exported copy, written into it so a reader knows. */
export interface Redaction {
  readonly idsHashed: boolean;
  readonly displayNamesDropped: boolean;
  /** How IDs were hashed, when they were. */
  readonly method?: string;
}

export type RedactedReport = Report & { readonly redaction: Redaction };

/** Hex digits of SHA-256 kept per ID: 48 bits, far from colliding within one account's report. */
export const HASH_HEX_DIGITS = 12;
const MIN_SALT_BYTES = 16;

/** Evidence field names that would mean a secret slipped into a report; such fields are dropped. */
const SECRET_FIELD = /token|private|passphrase|password|recovery_?key|secret_?key|ciphertext/i;

/**
 * A Matrix ID as it appears in text: sigil, localpart, `:`, server name (hostname, IPv4 or [IPv6],
 * optional port). The hostname never ends with `.`, so "…verified @bob:example.org." stops
 * before the full stop.
 */
const MATRIX_ID = /[@!#$][^\s:'"()<>[\]{},;]+:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::\d{1,5})?/g;

const SIGIL_WORD: Record<string, string> = { '@': 'user', '!': 'room', '#': 'alias', $: 'event' };

/**
 * Returns the redacted copy of a report. Never mutates `report`.
 * @param report the report to export
 * @param options what to hide
 * @returns a new report with a `redaction` field saying what was done
 * @throws TypeError when `hashIds` is asked without a salt of at least 16 bytes
 */
export function redactReport(report: Report, options: RedactOptions): RedactedReport {
  if (options.hashIds && !(options.salt instanceof Uint8Array && options.salt.length >= MIN_SALT_BYTES))
    throw new TypeError(`redactReport: hashIds needs a salt of at least ${MIN_SALT_BYTES} bytes`);
  const rewrite = makeRewriter(report, options) ?? ((s: string) => s);
  const out = rebuild(report, options.dropDisplayNames, rewrite);
  const redaction: Redaction = {
    idsHashed: options.hashIds,
    displayNamesDropped: options.dropDisplayNames,
    ...(options.hashIds ? { method: `SHA-256 of a random per-export salt and the ID, first ${HASH_HEX_DIGITS} hex digits` } : {}),
  };
  return { ...out, redaction };
}

// ---- rebuilding from the contract -------------------------------------------------------------

/**
 * Copies the report field by field. `t` rewrites the free text and the user IDs only: status
 * words, codes, device IDs and public keys are never touched, so a display name such as
 * "verified" cannot change a verdict.
 */
function rebuild(r: Report, dropNames: boolean, t: Rewrite): Report {
  return {
    format: r.format,
    subject: { userId: t(r.subject.userId), deviceId: r.subject.deviceId },
    generatedAt: r.generatedAt,
    anchor: r.anchor,
    users: r.users.map((u) => user(u, dropNames, t)),
    backup: backup(r.backup),
    secretStorage: secretStorage(r.secretStorage),
    recoveryKey: recoveryKey(r.recoveryKey),
    findings: r.findings.map((f) => finding(f, t)),
    notChecked: r.notChecked.map(t),
    // Which kind of store the local facts came from ("element-web rust-crypto store v107"): no ID in it.
    // Counts and match words only: nothing in the summary names a user or a room.
    ...(r.clientStore
      ? {
          clientStore: {
            client: r.clientStore.client,
            thisSession: r.clientStore.thisSession,
            crossSigning: { ...r.clientStore.crossSigning },
            backupKey: r.clientStore.backupKey,
            ...(r.clientStore.backupKeyVersion !== undefined ? { backupKeyVersion: r.clientStore.backupKeyVersion } : {}),
            ...(r.clientStore.sessions ? { sessions: { ...r.clientStore.sessions } } : {}),
            ...(r.clientStore.withheld !== undefined ? { withheld: r.clientStore.withheld } : {}),
            identities: { ...r.clientStore.identities },
          },
        }
      : {}),
    ...(r.capturedFrom ? { capturedFrom: r.capturedFrom } : {}),
  };
}

/** Copies only the optional fields that are present (the contract's JSON has no `undefined`). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function user(u: UserReport, dropNames: boolean, t: Rewrite): UserReport {
  return {
    userId: t(u.userId),
    identity: u.identity,
    ...pick(u, ['masterKey', 'selfSigningKey', 'userSigningKey']),
    devices: u.devices.map((d) => device(d, dropNames)),
  };
}

function device(d: DeviceReport, dropNames: boolean): DeviceReport {
  return {
    deviceId: d.deviceId,
    status: d.status,
    verified: d.verified,
    ...(dropNames ? {} : pick(d, ['displayName'])),
    ...pick(d, ['ed25519', 'curve25519']),
  };
}

function backup(b: BackupReport): BackupReport {
  return {
    status: b.status,
    ...pick(b, ['version', 'algorithm', 'publicKey']),
    ...(b.signatures ? { signatures: { ...b.signatures } } : {}),
    ...(b.sessions ? { sessions: { total: b.sessions.total, decrypted: b.sessions.decrypted, failed: b.sessions.failed } } : {}),
  };
}

function secretStorage(s: SecretStorageReport): SecretStorageReport {
  return {
    status: s.status,
    ...pick(s, ['defaultKeyId']),
    ...(s.keys ? { keys: [...s.keys] } : {}),
    secrets: { ...s.secrets },
  };
}

function recoveryKey(k: RecoveryKeyReport): RecoveryKeyReport {
  return {
    status: k.status,
    ...pick(k, ['reason', 'position', 'keyId']),
    ...(k.unlocked ? { unlocked: { secrets: k.unlocked.secrets, of: k.unlocked.of, backup: k.unlocked.backup } } : {}),
  };
}

function finding(f: Finding, t: Rewrite): Finding {
  return {
    code: f.code,
    severity: f.severity,
    ...(f.userId !== undefined ? { userId: t(f.userId) } : {}),
    ...pick(f, ['deviceId']),
    message: t(f.message),
    hint: t(f.hint),
    evidence: mapStrings(publicEvidence(f.evidence), t) as Record<string, unknown>,
  };
}

/** A JSON copy of evidence without any field whose name says it holds a secret. */
function publicEvidence(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(publicEvidence);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!SECRET_FIELD.test(k)) out[k] = publicEvidence(x);
    return out;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return undefined; // not JSON (a report is plain JSON; anything else is dropped, not stringified)
}

// ---- rewriting strings ------------------------------------------------------------------------

type Rewrite = (s: string) => string;

function makeRewriter(r: Report, o: RedactOptions): Rewrite | undefined {
  const steps: Rewrite[] = [];
  if (o.dropDisplayNames) {
    const names = new Set<string>();
    for (const u of r.users) for (const d of u.devices) if (d.displayName !== undefined && d.displayName.trim() !== '') names.add(d.displayName);
    const sorted = [...names].sort((a, b) => b.length - a.length);
    if (sorted.length > 0)
      steps.push((s) => {
        let t = s;
        // Core quotes names as `ID ("name")`: drop the parenthesis entirely, then any other mention.
        for (const n of sorted) t = t.split(` ("${n}")`).join('').split(`"${n}"`).join('[name removed]');
        for (const n of sorted) t = replaceBounded(t, n, '[name removed]');
        return t;
      });
  }
  if (o.hashIds) {
    const salt = o.salt as Uint8Array;
    const ids = new Set<string>([r.subject.userId, ...r.users.map((u) => u.userId), ...r.findings.flatMap((f) => (f.userId !== undefined ? [f.userId] : []))]);
    const servers = new Set<string>();
    // IDs mentioned in any text (a room ID in evidence, a user in a sentence) are found by pattern.
    mapStrings(r, (s) => {
      for (const m of s.matchAll(MATRIX_ID)) ids.add(m[0]);
      return s;
    });
    for (const id of ids) {
      const colon = id.indexOf(':');
      if (colon > 0 && colon < id.length - 1) servers.add(id.slice(colon + 1));
    }
    const hash = (kind: string, value: string) => bytesToHex(sha256(concatBytes(salt, utf8ToBytes(`${kind}\u0000${value}`)))).slice(0, HASH_HEX_DIGITS);
    const idMap = [...ids]
      .filter((id) => id.length > 0)
      .sort((a, b) => b.length - a.length)
      .map((id) => [id, `${id[0] ?? ''}${SIGIL_WORD[id[0] ?? ''] ?? 'id'}-${hash('id', id)}`] as const);
    const serverMap = [...servers].sort((a, b) => b.length - a.length).map((sv) => [sv, `server-${hash('server', sv)}`] as const);
    steps.push((s) => {
      let t = s;
      for (const [id, h] of idMap) t = t.split(id).join(h);
      for (const [sv, h] of serverMap) t = replaceBounded(t, sv, h);
      return t;
    });
  }
  return steps.length === 0 ? undefined : (s) => steps.reduce((t, f) => f(t), s);
}

/** Replaces `needle` where it is not part of a longer word or host name. */
function replaceBounded(s: string, needle: string, by: string): string {
  if (needle === '' || !s.includes(needle)) return s;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return s.replace(new RegExp(`(?<![\\p{L}\\p{N}_.-])${escaped}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, 'gu'), () => by);
}

/** Applies `f` to every string in a JSON value (evidence), object keys included; returns a new value. */
function mapStrings<T>(v: T, f: Rewrite): T {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return f(x);
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x === 'object' && x !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(x)) out[f(k)] = walk(y);
      return out;
    }
    return x;
  };
  return walk(v) as T;
}
