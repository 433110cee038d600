/**
 * @module popup/view/reportText — the readable-text form of a report for export (issue 4 item 6):
 * the same words the popup shows, section by section, built from the same view models, so the two
 * never disagree. Give it the redacted report; it adds nothing the report does not hold.
 */
import type { Report } from '../../core/report/types.ts';
import type { Redaction } from '../../core/report/redact.ts';
import { formatTime } from './format.ts';
import { summarize } from './summary.ts';
import { identityView } from './identity.ts';
import { sessionsView } from './sessions.ts';
import { peopleView } from './people.ts';
import { backupView } from './backup.ts';
import { secretStorageView } from './secretStorage.ts';
import { recoveryKeyView } from './recoveryKey.ts';
import { findingView } from './findings.ts';
import { notCheckedView } from './notChecked.ts';
import { safeText } from './safeText.ts';

const fp = (groups: readonly string[] | undefined) => (groups ? groups.join(' ') : '(none)');

/**
 * Renders a report as plain text (UTF-8, `\n` line ends).
 * @param r the report (normally already redacted)
 * @param redaction what was redacted, to say so at the top
 */
export function reportText(r: Report, redaction?: Redaction): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const heading = (s: string) => {
    line();
    line(s.toUpperCase());
  };
  const id = identityView(r);
  line('Crosscheck report');
  line(`Account: ${id.userId}, session ${id.deviceId}`);
  line(`Made: ${formatTime(r.generatedAt)}`);
  if (redaction && (redaction.idsHashed || redaction.displayNamesDropped))
    line(`Redacted: ${[redaction.idsHashed ? 'user and room IDs and server names replaced by hashes' : '', redaction.displayNamesDropped ? 'session names left out' : ''].filter(Boolean).join('; ')}.`);

  const s = summarize(r);
  heading('Summary');
  line(`${s.headline}.`);
  for (const m of s.more) line(`- ${m.text}.`);
  line(`Findings: ${s.counts.error} problem(s), ${s.counts.warning} warning(s), ${s.counts.info} note(s).`);
  if (s.notCheckedNote) line(s.notCheckedNote);

  heading(`Your identity: ${id.statusWord}`);
  line(id.explanation);
  line(`What this rests on: ${id.anchor.word}. ${id.anchor.detail}`);
  for (const k of id.keys) {
    line(`${k.name}: ${k.state.word}${k.state.detail ? ` (${k.state.detail})` : ''}`);
    line(`  ${fp(k.fingerprint)}`);
  }

  const sv = sessionsView(r);
  heading('Your sessions');
  line(sv.intro);
  for (const row of sv.rows) {
    line(`- ${row.deviceId}${row.name ? ` "${row.name}"` : ''}${row.isThis ? ' (this session)' : ''}: ${row.word}. ${row.detail}`);
    if (row.fingerprint) line(`  session key ${fp(row.fingerprint)}`);
  }

  const pv = peopleView(r);
  heading('People you share encrypted rooms with');
  line(pv.intro);
  for (const g of pv.groups) {
    line(`${g.title} (${g.rows.length}): ${g.meaning}`);
    for (const p of g.rows) line(`- ${p.userId}: ${p.detail}${p.masterKey ? `; master key ${fp(p.masterKey)}` : ''}`);
  }

  const bv = backupView(r);
  heading(`Key backup: ${bv.word}`);
  line(bv.explanation);
  for (const f of bv.facts) line(`${f.label}: ${f.value}`);
  if (bv.publicKey) line(`Public key: ${fp(bv.publicKey)}`);
  for (const sg of bv.signers) line(`Signature by ${sg.who}: ${sg.word}`);

  const ss = secretStorageView(r);
  heading(`Secret storage: ${ss.word}`);
  line(ss.explanation);
  if (ss.defaultKeyId) line(`Default key: ${ss.defaultKeyId}`);
  if (ss.keysNote) line(ss.keysNote);
  for (const x of ss.secrets) line(`- ${x.label}: ${x.word}`);

  if (r.recoveryKey.status !== 'not-checked') {
    const rk = recoveryKeyView(r.recoveryKey, 'recovery-key', r.secretStorage.defaultKeyId);
    heading('Recovery key');
    line(rk.headline);
    for (const d of rk.details) line(d);
  }

  if (r.findings.length > 0) {
    heading('Findings');
    for (const f of r.findings.map((f) => findingView(f))) {
      line(`[${f.severityWord}] ${f.about ? `${f.about}: ` : ''}${f.message}`);
      if (f.why) line(`  Why it matters: ${f.why}`);
      line(`  What to do: ${f.hint}`);
      line(`  Code: ${f.code}`);
    }
  }

  const nc = notCheckedView(r);
  if (nc.items.length > 0) {
    heading('Not checked');
    line(nc.intro);
    for (const n of nc.items) line(`- ${safeText(n, 400)}`);
  }
  return `${out.join('\n')}\n`;
}
