/**
 * @module popup/view/people — "People you share encrypted rooms with": every other user in the
 * report, grouped by what matters to you (identity changed, keys refused, unknown, not verified,
 * verified), with a plain detail line and their findings.
 */
import type { IdentityStatus, Report, UserReport } from '../../core/report/types.ts';
import { count, fingerprintGroups, people, worstTone, type Tone } from './format.ts';
import { findingView, type FindingView } from './findings.ts';
import { safeText } from './safeText.ts';
import { findingsIn } from './placement.ts';

export type PeopleGroupId = 'changed' | 'refused' | 'unknown' | 'not-verified' | 'verified';

export interface PersonRow {
  readonly userId: string;
  readonly word: string;
  readonly tone: Tone;
  readonly detail: string;
  readonly masterKey?: string[];
  readonly sessions: { readonly deviceId: string; readonly name?: string; readonly signed: boolean; readonly word: string }[];
  readonly findings: FindingView[];
}

export interface PeopleGroup {
  readonly id: PeopleGroupId;
  readonly title: string;
  readonly tone: Tone;
  /** What being in this group means. */
  readonly meaning: string;
  readonly rows: PersonRow[];
}

export interface PeopleView {
  readonly total: number;
  /** "Your server reported 8 people you share encrypted rooms with: 2 verified, 2 not verified, 1 with a changed identity, 3 unknown." */
  readonly intro: string;
  readonly tone: Tone;
  /** The section's state in a few words ("Needs a look", "All verified"). */
  readonly word: string;
  readonly groups: PeopleGroup[];
  /** Findings about people as a whole (e.g. a server whose keys could not be fetched), or about someone not listed. */
  readonly general: FindingView[];
}

const GROUP: Record<PeopleGroupId, { title: string; tone: Tone; meaning: string }> = {
  changed: { title: 'Identity changed', tone: 'warning', meaning: 'Their master key is not the one you saw or verified before. Check with them another way before trusting it.' },
  refused: { title: 'Keys refused', tone: 'error', meaning: 'Their keys as the server shows them are invalid, so none of their sessions can be trusted.' },
  unknown: { title: 'Unknown', tone: 'warning', meaning: 'Their keys could not be fetched, so nothing about them was checked. That is not the same as safe.' },
  'not-verified': { title: 'Not verified', tone: 'info', meaning: 'You have not verified them (or they have not set up cross-signing), so you cannot be sure who reads what you send them.' },
  verified: { title: 'Verified', tone: 'ok', meaning: 'You verified them, and their identity is intact.' },
};

function groupOf(s: IdentityStatus): PeopleGroupId {
  switch (s) {
    case 'changed':
      return 'changed';
    case 'refused':
      return 'refused';
    case 'unknown':
      return 'unknown';
    case 'verified':
      return 'verified';
    case 'unverified':
    case 'unanchored':
    case 'no-cross-signing':
      return 'not-verified';
  }
}

function personDetail(u: UserReport, offline: boolean): { word: string; detail: string } {
  const signed = u.devices.filter((d) => d.status === 'cross-signed').length;
  const n = u.devices.length;
  const sessions = n === 0 ? 'no sessions reported' : signed === n ? `all ${count(n, 'session')} signed by them` : `${signed} of ${count(n, 'session')} signed by them`;
  switch (u.identity) {
    case 'verified':
      return { word: 'Verified', detail: signed === n ? sessions : `${sessions}; the others may not be theirs` };
    case 'unverified':
    case 'unanchored':
      return { word: 'Not verified', detail: sessions };
    case 'no-cross-signing':
      return { word: 'No cross-signing', detail: `has not set up cross-signing; ${count(n, 'session')} reported` };
    case 'changed':
      return { word: 'Identity changed', detail: sessions };
    case 'refused':
      return { word: 'Keys refused', detail: 'their keys are invalid' };
    case 'unknown':
      return { word: 'Unknown', detail: offline ? 'this browser’s client store holds no keys for them' : 'their keys could not be fetched' };
  }
}

/**
 * The people section.
 * @param r the report
 */
export function peopleView(r: Report): PeopleView {
  const others = r.users.filter((u) => u.userId !== r.subject.userId);
  const placed = findingsIn(r, 'people');
  const listed = new Set(others.map((u) => u.userId));
  const order: PeopleGroupId[] = ['changed', 'refused', 'unknown', 'not-verified', 'verified'];
  const groups: PeopleGroup[] = [];
  for (const id of order) {
    const members = others.filter((u) => groupOf(u.identity) === id);
    if (members.length === 0) continue;
    const rows = members.map((u): PersonRow => {
      const { word, detail } = personDetail(u, r.capturedFrom === 'client-store');
      const findings = placed.filter((f) => f.userId === u.userId).map((f) => findingView(f, r.subject.userId));
      const hasUnsigned = u.identity === 'verified' && u.devices.some((d) => d.status !== 'cross-signed');
      return {
        userId: safeText(u.userId),
        word: hasUnsigned ? 'Has unsigned sessions' : word,
        tone: hasUnsigned ? 'warning' : GROUP[id].tone,
        detail,
        ...(u.masterKey ? { masterKey: fingerprintGroups(u.masterKey) } : {}),
        sessions: u.devices.map((d) => ({
          deviceId: safeText(d.deviceId),
          ...(d.displayName ? { name: safeText(d.displayName) } : {}),
          signed: d.status === 'cross-signed',
          word: d.status === 'cross-signed' ? (d.verified ? 'verified' : 'signed by them') : d.status === 'invalid' ? 'invalid keys' : 'not signed by them',
        })),
        findings,
      };
    });
    groups.push({ id, ...GROUP[id], rows });
  }
  const n = (id: PeopleGroupId) => groups.find((g) => g.id === id)?.rows.length ?? 0;
  const parts = [
    `${n('verified')} verified`,
    `${n('not-verified')} not verified`,
    ...(n('changed') ? [`${n('changed')} with a changed identity`] : []),
    ...(n('refused') ? [`${n('refused')} with refused keys`] : []),
    ...(n('unknown') ? [`${n('unknown')} unknown`] : []),
  ];
  // Offline, the list is the client's own (its sync store), not the server's answer.
  const who = r.capturedFrom === 'client-store' ? 'This browser’s client knows' : 'Your server reported';
  const intro = others.length === 0 ? `${who} nobody else you share encrypted rooms with.` : `${who} ${people(others.length)} you share encrypted rooms with: ${parts.join(', ')}.`;
  const general = placed.filter((f) => f.userId === undefined || !listed.has(f.userId)).map((f) => findingView(f, r.subject.userId));
  const tone = worstTone([...groups.flatMap((g) => g.rows.map((x) => x.tone)), ...general.map((f) => f.tone)]);
  const word = others.length === 0 ? 'Nobody' : tone === 'error' || tone === 'warning' ? 'Needs a look' : n('not-verified') > 0 ? `${n('not-verified')} not verified` : 'All verified';
  return { total: others.length, intro, tone, word, groups, general };
}
