/**
 * @module popup/view/summary — the one line a person reads first ("2 of your 4 sessions are not
 * verified", "Your key backup cannot be trusted", "Everything checks out"), then the other
 * problems in a few words each, worst first. Honest about what was not checked: "Everything checks
 * out" is said only when no error or warning was found, and is followed by what was not checked.
 */
import type { Report } from '../../core/report/types.ts';
import { byToneDesc, count, people, worstTone, type Tone } from './format.ts';
import { findingCounts } from './findings.ts';
import type { SecretKind } from './recoveryKey.ts';
import { findingsIn, type Place } from './placement.ts';

const SECTION_WORDS: readonly (readonly [Place, string])[] = [
  ['identity', 'your identity'],
  ['sessions', 'your sessions'],
  ['people', 'the people you talk to'],
  ['backup', 'your key backup'],
  ['secret-storage', 'your secret storage'],
];

export interface SummaryLine {
  readonly tone: Tone;
  readonly text: string;
  /** The report section that explains it. */
  readonly section: Place;
}

export interface SummaryView {
  readonly tone: Tone;
  readonly headline: string;
  /** The section that explains the headline, when it names one problem. */
  readonly headlineSection?: Place;
  /** The other problems, worst first. */
  readonly more: SummaryLine[];
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number };
  /** "1 thing could not be checked (see the end of the report)." when `notChecked` is not empty. */
  readonly notCheckedNote?: string;
}

/**
 * Summarises a report.
 * @param r the report
 * @param secretKind what the user typed when the report carries a recovery-key check
 */
export function summarize(r: Report, secretKind: SecretKind = 'recovery-key'): SummaryView {
  const lines: SummaryLine[] = [];
  const own = r.users.find((u) => u.userId === r.subject.userId);
  const what = secretKind === 'passphrase' ? 'passphrase' : 'recovery key';

  // Your identity.
  if (!own) lines.push({ section: 'identity', tone: 'error', text: "Your own keys were not in your server's answer" });
  else
    switch (own.identity) {
      case 'refused':
        lines.push({ section: 'identity', tone: 'error', text: 'Your identity cannot be trusted: the keys your server shows are invalid' });
        break;
      case 'changed':
        lines.push({ section: 'identity', tone: 'error', text: 'Your identity changed since Crosscheck last saw it' });
        break;
      case 'no-cross-signing':
        lines.push({ section: 'identity', tone: 'error', text: 'Your account has no cross-signing identity' });
        break;
      case 'unknown':
        lines.push({ section: 'identity', tone: 'error', text: 'Your own keys could not be fetched' });
        break;
      case 'unanchored':
      case 'unverified':
        lines.push({ section: 'identity', tone: 'warning', text: 'Nothing confirms that your identity is really yours' });
        break;
      case 'verified':
        if (r.anchor === 'client-store-flag') lines.push({ section: 'identity', tone: 'warning', text: 'Only a flag the web page could have written confirms your identity' });
        break;
    }

  // Your sessions.
  if (own && own.devices.length > 0) {
    const total = own.devices.length;
    const notVerified = own.devices.filter((d) => !d.verified).length;
    const invalid = own.devices.filter((d) => d.status === 'invalid').length;
    if (own.identity === 'verified') {
      if (notVerified > 0) lines.push({ section: 'sessions', tone: invalid > 0 ? 'error' : 'warning', text: total === 1 ? 'Your only session is not verified' : `${notVerified} of your ${total} sessions ${notVerified === 1 ? 'is' : 'are'} not verified` });
    } else if (own.identity !== 'no-cross-signing' && own.identity !== 'unknown') {
      lines.push({ section: 'sessions', tone: 'warning', text: `None of your ${count(total, 'session')} can count as verified while your identity is not confirmed` });
    }
  }

  // Key backup.
  switch (r.backup.status) {
    case 'untrusted':
      lines.push({ section: 'backup', tone: 'warning', text: 'Your key backup cannot be trusted' });
      break;
    case 'mismatch':
      lines.push({ section: 'backup', tone: 'error', text: 'Your key backup cannot be trusted: its key is not the one you hold' });
      break;
    case 'missing':
      lines.push({ section: 'backup', tone: 'warning', text: 'You have no key backup' });
      break;
    case 'unsupported':
      lines.push({ section: 'backup', tone: 'warning', text: 'Your key backup is of a kind Crosscheck cannot check' });
      break;
    case 'trusted':
    case 'unknown':
      break;
  }

  // Secret storage.
  if (r.secretStorage.status === 'missing') lines.push({ section: 'secret-storage', tone: 'warning', text: 'You have no secret storage, so no recovery key' });
  if (r.secretStorage.status === 'incomplete') lines.push({ section: 'secret-storage', tone: 'warning', text: 'Your secret storage is incomplete or out of date' });

  // Recovery key (only after a check).
  switch (r.recoveryKey.status) {
    case 'wrong':
      lines.push({ section: 'secret-storage', tone: 'error', text: `That ${what} is wrong` });
      break;
    case 'malformed':
      lines.push({ section: 'secret-storage', tone: 'error', text: 'That is not a valid recovery key' });
      break;
    case 'matches-other-key':
      lines.push({ section: 'secret-storage', tone: 'warning', text: `That is an old ${what}` });
      break;
    case 'unconfirmed':
      lines.push({ section: 'secret-storage', tone: 'warning', text: `Nothing could confirm that ${what}` });
      break;
    case 'correct':
    case 'not-checked':
      break;
  }

  // People.
  const others = r.users.filter((u) => u.userId !== r.subject.userId);
  const changed = others.filter((u) => u.identity === 'changed').length;
  const refused = others.filter((u) => u.identity === 'refused').length;
  const unknown = others.filter((u) => u.identity === 'unknown').length;
  const unsigned = others.filter((u) => u.identity === 'verified' && u.devices.some((d) => d.status === 'not-cross-signed')).length;
  const broken = others.filter((u) => u.identity !== 'refused' && u.devices.some((d) => d.status === 'invalid')).length;
  const lapsed = new Set(
    r.findings.filter((f) => f.userId !== undefined && f.userId !== r.subject.userId && (f.code === 'USER_SIGNATURE_INVALID' || (f.code === 'USER_NOT_VERIFIED' && f.severity !== 'info'))).map((f) => f.userId),
  ).size;
  if (refused > 0) lines.push({ section: 'people', tone: 'error', text: `The keys of ${people(refused)} you talk to are invalid` });
  if (changed > 0) lines.push({ section: 'people', tone: 'warning', text: changed === 1 ? '1 person you talk to has a new identity' : `${changed} people you talk to have a new identity` });
  if (lapsed > 0) lines.push({ section: 'people', tone: 'warning', text: `Your verification of ${people(lapsed)} no longer counts` });
  if (broken > 0) lines.push({ section: 'people', tone: 'warning', text: `${people(broken)} you talk to ${broken === 1 ? 'has a session' : 'have sessions'} with broken keys` });
  if (unsigned > 0) lines.push({ section: 'people', tone: 'warning', text: `${people(unsigned)} you verified ${unsigned === 1 ? 'has' : 'have'} sessions they did not sign` });
  if (unknown > 0) lines.push({ section: 'people', tone: 'warning', text: `The keys of ${people(unknown)} could not be fetched` });

  // Anything else worth a look: a line per section that has problems no line above names.
  for (const [place, title] of SECTION_WORDS) {
    if (lines.some((l) => l.section === place)) continue;
    const here = findingsIn(r, place).filter((f) => f.severity !== 'info');
    if (here.length === 0) continue;
    const errors = here.filter((f) => f.severity === 'error').length;
    lines.push({ section: place, tone: errors > 0 ? 'error' : 'warning', text: `${errors > 0 ? count(errors, 'problem') : count(here.length, 'warning')} about ${title}` });
  }

  const counts = findingCounts(r.findings);
  const problems = counts.error + counts.warning;
  const sorted = byToneDesc(lines);
  const notCheckedNote = r.notChecked.length > 0 ? `${count(r.notChecked.length, 'thing')} could not be checked (listed at the end).` : undefined;
  const first = sorted[0];
  if (!first) {
    if (problems === 0) return { tone: 'ok', headline: 'Everything checks out', more: [], counts, ...(notCheckedNote ? { notCheckedNote } : {}) };
    // Findings none of the lines above covers: say how many, never "everything checks out".
    return { tone: counts.error > 0 ? 'error' : 'warning', headline: `Crosscheck found ${count(problems, 'problem')}`, more: [], counts, ...(notCheckedNote ? { notCheckedNote } : {}) };
  }
  return { tone: worstTone(sorted.map((l) => l.tone)), headline: first.text, headlineSection: first.section, more: sorted.slice(1), counts, ...(notCheckedNote ? { notCheckedNote } : {}) };
}
