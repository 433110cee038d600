/**
 * @module popup/view/sessions — "Your sessions": every device of our own user, worded "of the
 * sessions your server reported" (security.md §5 "UI": the server can hide a device, so the list is
 * only ever what it showed). This session first, then the ones with problems, then the rest.
 */
import type { DeviceReport, Finding, Report } from '../../core/report/types.ts';
import { count, fingerprintGroups, worstTone, type Tone } from './format.ts';
import { findingView, type FindingView } from './findings.ts';
import { safeText } from './safeText.ts';
import { findingsIn } from './placement.ts';

export interface SessionRow {
  readonly deviceId: string;
  /** Server-supplied, unsigned display name (made safe), when there is one. */
  readonly name?: string;
  readonly isThis: boolean;
  readonly word: string;
  readonly tone: Tone;
  readonly detail: string;
  /** The session's Ed25519 key in groups of four (what "session key" means in Element). */
  readonly fingerprint?: string[];
  readonly findings: FindingView[];
}

export interface SessionsView {
  /** "Of the 4 sessions your server reported, 2 are verified." */
  readonly intro: string;
  readonly total: number;
  readonly verified: number;
  readonly tone: Tone;
  /** The section's state in a few words ("All verified", "2 not verified"). */
  readonly word: string;
  readonly rows: SessionRow[];
}

function deviceState(d: DeviceReport, ownVerified: boolean, findings: readonly Finding[]): { word: string; tone: Tone; detail: string } {
  const stale = findings.some((f) => f.code === 'DEVICE_SIGNED_BY_STALE_KEY');
  switch (d.status) {
    case 'cross-signed':
      return d.verified
        ? { word: 'Verified', tone: 'ok', detail: 'Signed by your self-signing key, and your identity is confirmed.' }
        : ownVerified
          ? { word: 'Signed', tone: 'warning', detail: 'Signed by your self-signing key.' }
          : { word: 'Signed, identity not confirmed', tone: 'warning', detail: 'Signed by your self-signing key, but your identity itself is not confirmed, so this proves little.' };
    case 'not-cross-signed':
      return stale
        ? { word: 'Not verified', tone: 'warning', detail: 'It was verified with an older key of yours; that no longer counts.' }
        : { word: 'Not verified', tone: 'warning', detail: 'No valid signature from your self-signing key.' };
    case 'invalid':
      return { word: 'Invalid keys', tone: 'error', detail: 'Its keys or their signatures are broken; it cannot be trusted.' };
  }
}

/**
 * The sessions section.
 * @param r the report
 */
export function sessionsView(r: Report): SessionsView {
  const own = r.users.find((u) => u.userId === r.subject.userId);
  const devices = own?.devices ?? [];
  // Offline, the list is what the client's own store holds, not the server's answer.
  const offline = r.capturedFrom === 'client-store';
  const placed = findingsIn(r, 'sessions');
  const rows = devices.map((d): SessionRow => {
    const fs = placed.filter((f) => f.deviceId === d.deviceId);
    const state = deviceState(d, own?.identity === 'verified', fs);
    const findings = fs.map((f) => findingView(f, r.subject.userId));
    const tone = worstTone([state.tone, ...findings.map((f) => f.tone).filter((t) => t !== 'info')]);
    return {
      deviceId: safeText(d.deviceId),
      ...(d.displayName !== undefined && d.displayName !== '' ? { name: safeText(d.displayName) } : {}),
      isThis: d.deviceId === r.subject.deviceId,
      word: state.word,
      tone,
      detail: state.detail,
      ...(d.ed25519 ? { fingerprint: fingerprintGroups(d.ed25519) } : {}),
      findings,
    };
  });
  const rank = (row: SessionRow) => (row.isThis ? 0 : row.tone === 'error' ? 1 : row.tone === 'warning' ? 2 : 3);
  const sorted = rows.map((row, i) => ({ row, i })).sort((a, b) => rank(a.row) - rank(b.row) || a.i - b.i).map((x) => x.row);
  const verified = devices.filter((d) => d.verified).length;
  const total = devices.length;
  const intro =
    total === 0
      ? `${offline ? 'This browser’s client knows' : 'Your server reported'} no sessions for you.`
      : `Of the ${count(total, 'session')} ${offline ? 'this browser’s client knows' : 'your server reported'}, ${verified === total ? (total === 1 ? 'it is verified' : 'all are verified') : `${verified === 0 ? 'none' : verified} ${verified === 1 ? 'is' : 'are'} verified`}.`;
  const word = total === 0 ? 'None reported' : verified === total ? 'All verified' : `${total - verified} not verified`;
  return { intro, total, verified, tone: worstTone(rows.map((x) => x.tone)), word, rows: sorted };
}
