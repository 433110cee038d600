/**
 * @module cli/renderText — the readable summary `crosscheck audit` prints without `--json`.
 * Pure: report in, text out. Server-supplied strings (display names) are stripped of control and
 * bidi-override characters so they cannot rewrite the terminal or reorder what is shown
 * (security H6).
 */
import type { Finding, Report, UserReport } from '../core/report/types.ts';
import type { ClientStoreSummary, StoreKeyMatch } from '../core/report/clientStoreSummary.ts';

// C0/C1 controls, and the bidi embedding/override/isolate controls.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
export const safe = (s: string): string => s.replace(UNSAFE, '\uFFFD');

const ANCHOR_WORDS: Record<Report['anchor'], string> = {
  'recovery-key': 'your recovery key (it unlocks the master key the server shows)',
  'local-private-key': "the private master key this browser's client holds",
  'own-device-signature': "this session's own signature on your master key, as this browser's client store knows the session",
  'client-store-flag': "a flag in this browser's client store (a script on the page could have written it)",
  none: 'nothing: your identity could not be confirmed',
};

export interface RenderOptions {
  /** Show every user, not just the ones with something to say. */
  readonly verbose?: boolean;
}

export function renderText(r: Report, opts: RenderOptions = {}): string {
  const lines: string[] = [];
  const own = r.users.find((u) => u.userId === r.subject.userId);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  lines.push(`Crosscheck report for ${safe(r.subject.userId)} (session ${safe(r.subject.deviceId)}), ${r.generatedAt}`);
  if (r.capturedFrom === 'client-store') lines.push("Offline: the keys are the ones this client's own store last saw; the homeserver was not asked.");
  lines.push(summaryLine(r, own));
  lines.push(`Problems: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} note(s).`);
  lines.push('');
  lines.push(`Your identity: ${own ? own.identity : 'not found'}; trust rests on ${ANCHOR_WORDS[r.anchor]}.`);
  if (own) {
    if (own.masterKey) lines.push(`  master key        ${own.masterKey}`);
    if (own.selfSigningKey) lines.push(`  self-signing key  ${own.selfSigningKey}`);
    if (own.userSigningKey) lines.push(`  user-signing key  ${own.userSigningKey}`);
    lines.push('  Your sessions:');
    for (const d of own.devices) lines.push(`    ${d.status === 'cross-signed' ? (d.verified ? '✓' : '~') : '✗'} ${safe(d.deviceId)}${d.displayName ? ` "${safe(d.displayName)}"` : ''}: ${d.status}${d.verified ? ', verified' : ''}${d.deviceId === r.subject.deviceId ? ' (this session)' : ''}`);
  }
  const others = r.users.filter((u) => u.userId !== r.subject.userId);
  if (others.length > 0) {
    const by = (s: UserReport['identity']) => others.filter((u) => u.identity === s).length;
    lines.push('');
    lines.push(`People (${others.length}): ${by('verified')} verified, ${by('unverified')} not verified, ${by('changed')} changed, ${by('refused')} refused, ${by('no-cross-signing')} without cross-signing, ${by('unknown')} unknown.`);
    for (const u of others) {
      if (!opts.verbose && u.identity !== 'changed' && u.identity !== 'refused' && u.identity !== 'unknown') continue;
      const detail = u.identity === 'unknown' ? (r.capturedFrom === 'client-store' ? "this client's store holds no keys for them" : 'their keys could not be fetched') : `${u.devices.filter((d) => d.status === 'cross-signed').length} of ${u.devices.length} sessions signed by them`;
      lines.push(`  ${safe(u.userId)}: ${u.identity} (${detail})`);
    }
  }
  lines.push('');
  lines.push(`Key backup: ${r.backup.status}${r.backup.version ? ` (version ${safe(r.backup.version)})` : ''}${r.backup.sessions ? `; ${r.backup.sessions.total} keys stored, ${r.backup.sessions.decrypted} decrypted, ${r.backup.sessions.failed} failed` : ''}.`);
  lines.push(`Secret storage: ${r.secretStorage.status}${r.secretStorage.defaultKeyId ? ` (default key ${safe(r.secretStorage.defaultKeyId)})` : ''}.`);
  for (const [name, status] of Object.entries(r.secretStorage.secrets)) lines.push(`  ${name}: ${status}`);
  lines.push(`Recovery key: ${r.recoveryKey.status}${r.recoveryKey.reason ? ` (${r.recoveryKey.reason}${r.recoveryKey.position ? ` at character ${r.recoveryKey.position}` : ''})` : ''}${r.recoveryKey.unlocked ? `; unlocks ${r.recoveryKey.unlocked.secrets} of ${r.recoveryKey.unlocked.of} secrets${r.recoveryKey.unlocked.backup ? ' and the current key backup' : ''}` : ''}.`);
  if (r.clientStore) lines.push('', ...renderClientStore(r.clientStore));
  if (r.findings.length > 0) {
    lines.push('');
    lines.push('Findings:');
    for (const f of r.findings) lines.push(...renderFinding(f));
  }
  if (r.notChecked.length > 0) {
    lines.push('');
    lines.push('Not checked:');
    for (const n of r.notChecked) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function summaryLine(r: Report, own: UserReport | undefined): string {
  if (!own) return 'Your own keys were not in the server response.';
  const total = own.devices.length;
  const unverified = own.devices.filter((d) => !d.verified).length;
  const parts: string[] = [];
  if (own.identity === 'verified') parts.push(unverified === 0 ? `All ${total} of your sessions are verified.` : `${unverified} of your ${total} sessions are not verified.`);
  else parts.push(`Your identity is ${own.identity}, so none of your ${total} sessions can be called verified.`);
  if (r.backup.status === 'untrusted' || r.backup.status === 'mismatch') parts.push('Your key backup cannot be trusted.');
  if (r.backup.status === 'missing') parts.push('You have no key backup.');
  return parts.join(' ');
}

const MATCH_WORDS: Record<StoreKeyMatch, string> = {
  matches: 'held, matches the published key',
  differs: 'held, but DIFFERS from the published key',
  'not-cached': 'not held',
  'not-published': 'held; nothing published to compare with',
  unknown: 'unknown',
};

/** The client's own view (report.clientStore): every line is "per the client store". */
function renderClientStore(c: ClientStoreSummary): string[] {
  const out = [`This client's own store (${safe(c.client)}; the page can write it, so these are the client's facts, not proofs):`];
  const session = c.thisSession === 'matches' ? 'match the keys the server publishes' : c.thisSession === 'differs' ? 'DIFFER from the keys the server publishes' : c.thisSession === 'not-published' ? 'are not published by the server' : 'unknown';
  out.push(`  this session's keys   ${session}`);
  out.push(`  master key            ${MATCH_WORDS[c.crossSigning.master]}`);
  out.push(`  self-signing key      ${MATCH_WORDS[c.crossSigning.selfSigning]}`);
  out.push(`  user-signing key      ${MATCH_WORDS[c.crossSigning.userSigning]}`);
  out.push(`  backup key            ${MATCH_WORDS[c.backupKey]}${c.backupKeyVersion ? ` (for backup version ${safe(c.backupKeyVersion)})` : ''}`);
  if (c.sessions) out.push(`  message keys          ${c.sessions.total} in ${c.sessions.rooms} room${c.sessions.rooms === 1 ? '' : 's'}, ${c.sessions.notBackedUp} not backed up`);
  if (c.withheld !== undefined) out.push(`  withheld keys         ${c.withheld}`);
  out.push(`  other people          ${c.identities.held} identit${c.identities.held === 1 ? 'y' : 'ies'} held${c.identities.changed ? `, ${c.identities.changed} changed since the client pinned them` : ''}`);
  return out;
}

function renderFinding(f: Finding): string[] {
  const tag = f.severity === 'error' ? 'ERROR  ' : f.severity === 'warning' ? 'WARNING' : 'NOTE   ';
  return [`  ${tag} ${f.code}: ${safe(f.message)}`, `          → ${safe(f.hint)}`];
}
