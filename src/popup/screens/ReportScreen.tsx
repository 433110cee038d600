/**
 * @module popup/screens/ReportScreen — the report, for a person who is not a cryptographer: the
 * summary line first, then your identity, your sessions, the people you share encrypted rooms
 * with, key backup, secret storage, and what could not be checked. Each finding is shown in the
 * section it is about, with why it matters and what to do.
 */
import type { Report } from '../../core/report/types.ts';
import { summarize } from '../view/summary.ts';
import { identityView } from '../view/identity.ts';
import { sessionsView } from '../view/sessions.ts';
import { peopleView } from '../view/people.ts';
import { backupView } from '../view/backup.ts';
import { secretStorageView } from '../view/secretStorage.ts';
import { notCheckedView } from '../view/notChecked.ts';
import { clientStoreView } from '../view/clientStore.ts';
import { findingsIn } from '../view/placement.ts';
import { findingView } from '../view/findings.ts';
import { formatTime, count } from '../view/format.ts';
import type { SecretKind } from '../view/recoveryKey.ts';
import { Section } from '../components/Section.tsx';
import { Tag, ToneMark } from '../components/Tag.tsx';
import { Fingerprint } from '../components/Fingerprint.tsx';
import { FindingList } from '../components/FindingItem.tsx';
import { SecretList } from '../components/SecretList.tsx';
import { safeText } from '../view/safeText.ts';
import { IdentityHistory, type HistoryApi } from '../components/IdentityHistory.tsx';


export interface ReportScreenProps {
  readonly report: Report;
  /** When the report includes a recovery-key check: what was typed. */
  readonly secretKind?: SecretKind;
  /** Where it came from ("Demo account", "Element Web at https://…"), already safe. */
  readonly sourceNote?: string;
  /** Why the homeserver could not be reached, when the report comes from this browser's stores. */
  readonly offlineBecause?: string;
  readonly onCheckKey: () => void;
  /** Our pin store (for accounts checked from a tab, not the demo): history and accepting a new identity. */
  readonly history?: HistoryApi;
}

/** The whole report. */
export function ReportScreen({ report, secretKind, sourceNote, offlineBecause, onCheckKey, history }: ReportScreenProps) {
  const s = summarize(report, secretKind);
  const id = identityView(report);
  const sessions = sessionsView(report);
  const ppl = peopleView(report);
  const backup = backupView(report);
  const store = clientStoreView(report);
  const ss = secretStorageView(report);
  const nc = notCheckedView(report);
  const identityFindings = findingsIn(report, 'identity').map((f) => findingView(f, report.subject.userId));
  const backupFindings = findingsIn(report, 'backup').map((f) => findingView(f, report.subject.userId));
  const secretFindings = findingsIn(report, 'secret-storage').map((f) => findingView(f, report.subject.userId));

  return (
    <div class="report">
      <div class={`summary summary-${s.tone}`} role="region" aria-labelledby="summary-title">
        <h1 id="summary-title" class="summary-title" tabIndex={-1}>
          <ToneMark tone={s.tone} />
          <span>{s.headline}</span>
        </h1>
        {s.more.length > 0 ? (
          <ul class="summary-more" aria-label="Also">
            {s.more.map((m, i) => (
              <li key={i}>
                <ToneMark tone={m.tone} />
                <a href={`#${m.section}`}>{m.text}</a>
              </li>
            ))}
          </ul>
        ) : null}
        <p class="summary-meta">
          {count(s.counts.error, 'problem')} · {count(s.counts.warning, 'warning')} · {count(s.counts.info, 'note')}
          {s.notCheckedNote ? (
            <>
              {' · '}
              <a href="#not-checked">{s.notCheckedNote}</a>
            </>
          ) : null}
        </p>
        <p class="summary-meta">
          {id.userId}, session <span class="mono">{id.deviceId}</span> · {formatTime(report.generatedAt)}
          {sourceNote ? ` · ${sourceNote}` : ''}
        </p>
      </div>

      {report.capturedFrom === 'client-store' ? (
        <p class="offline-note" role="note" data-testid="offline-note">
          <strong>Offline. </strong>
          {offlineBecause ? `${safeText(offlineBecause, 300).replace(/([^.!?])$/, '$1.')} ` : 'Your homeserver was not asked. '}
          This report checks the keys this browser&rsquo;s client last saw, from its own stores: every signature is checked as usual, but the page itself can write those stores,
          and keys changed since the client last synced are not here. Check again when your homeserver is reachable.
        </p>
      ) : null}

      <div class="sections">
        <Section id="identity" title="Your identity" state={{ tone: id.tone, word: id.statusWord }}>
          <p>{id.explanation}</p>
          <div class={`anchor anchor-${id.anchor.tone}`}>
            <p>
              <strong>What this rests on: </strong>
              {id.anchor.word}.
            </p>
            <p class="muted">{id.anchor.detail}</p>
            {report.clientStore && report.anchor !== 'recovery-key' && report.anchor !== 'none' ? (
              <p class="muted" data-testid="client-store-label">
                Per this browser&rsquo;s client store ({safeText(report.clientStore.client, 80)}): the page itself can write that store, so a recovery-key check is the stronger proof.
              </p>
            ) : null}
            {id.anchor.tone !== 'ok' || report.anchor !== 'recovery-key' ? (
              <p>
                <button type="button" class="link-button" onClick={onCheckKey}>
                  Check your recovery key
                </button>
              </p>
            ) : null}
          </div>
          {id.keys.length > 0 ? (
            <ul class="keys" aria-label="Your cross-signing keys">
              {id.keys.map((k) => (
                <li class="key" key={k.name}>
                  <div class="row-head">
                    <strong>{k.name}</strong>
                    <Tag tone={k.state.tone}>{k.state.word}</Tag>
                  </div>
                  <p class="muted">
                    {k.role}
                    {k.state.detail ? ` ${k.state.detail}` : ''}
                  </p>
                  {k.fingerprint ? <Fingerprint groups={k.fingerprint} label={k.name} /> : null}
                </li>
              ))}
            </ul>
          ) : null}
          <FindingList findings={identityFindings} label="Findings about your identity" />
        </Section>

        <Section id="sessions" title="Your sessions" state={{ tone: sessions.tone, word: sessions.word }}>
          <p>{sessions.intro}</p>
          <ul class="rows" aria-label="Your sessions">
            {sessions.rows.map((row) => (
              <li class={`row row-${row.tone}`} key={row.deviceId}>
                <div class="row-head">
                  <span class="row-name">
                    {row.name ? <span>{row.name}</span> : null}
                    <span class="mono">{row.deviceId}</span>
                    {row.isThis ? <span class="pill">this session</span> : null}
                  </span>
                  <Tag tone={row.tone === 'info' ? 'info' : row.tone}>{row.word}</Tag>
                </div>
                <p class="muted">{row.detail}</p>
                {row.fingerprint ? (
                  <details>
                    <summary>Session key</summary>
                    <Fingerprint groups={row.fingerprint} label={`session ${row.deviceId}`} />
                  </details>
                ) : null}
                <FindingList findings={row.findings} label={`Findings about session ${row.deviceId}`} hideAbout />
              </li>
            ))}
          </ul>
        </Section>

        <Section id="people" title="People you share encrypted rooms with" state={{ tone: ppl.tone, word: ppl.word }}>
          <p>{ppl.intro}</p>
          <FindingList findings={ppl.general} label="Findings about the people you talk to" />
          {ppl.groups.map((g) => (
            <div class="group" key={g.id}>
              <h3 class="group-title">
                <Tag tone={g.tone}>{g.title}</Tag> <span class="muted">{g.rows.length}</span>
              </h3>
              <p class="muted">{g.meaning}</p>
              <ul class="rows" aria-label={g.title}>
                {g.rows.map((p) => {
                  const loud = p.findings.filter((f) => f.tone !== 'info');
                  const quiet = p.findings.filter((f) => f.tone === 'info');
                  return (
                    <li class={`row row-${p.tone}`} key={p.userId}>
                      <div class="row-head">
                        <span class="row-name mono">{p.userId}</span>
                        {p.tone !== g.tone ? <Tag tone={p.tone}>{p.word}</Tag> : null}
                      </div>
                      <p class="muted">{p.detail}</p>
                      <FindingList findings={loud} label={`Findings about ${p.userId}`} hideAbout />
                      {history && g.id === 'changed' ? (
                        <IdentityHistory userId={p.userId} {...(currentMasterKey(report, p.userId) ? { currentMasterKey: currentMasterKey(report, p.userId) as string } : {})} api={history} />
                      ) : null}
                      {p.masterKey || p.sessions.length > 0 || quiet.length > 0 ? (
                        <details>
                          <summary>Keys and sessions</summary>
                          {p.masterKey ? (
                            <p>
                              Master key <Fingerprint groups={p.masterKey} label={`${p.userId} master key`} />
                            </p>
                          ) : null}
                          {p.sessions.length > 0 ? (
                            <ul class="plain">
                              {p.sessions.map((d) => (
                                <li key={d.deviceId}>
                                  <span class="mono">{d.deviceId}</span>
                                  {d.name ? ` ${d.name}` : ''}: {d.word}
                                </li>
                              ))}
                            </ul>
                          ) : null}
                          <FindingList findings={quiet} label={`Notes about ${p.userId}`} hideAbout />
                        </details>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </Section>

        <Section id="backup" title="Key backup" state={{ tone: backup.tone, word: backup.word }}>
          <p>{backup.explanation}</p>
          {backup.facts.length > 0 ? (
            <dl class="facts">
              {backup.facts.map((f) => (
                <div key={f.label}>
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {backup.publicKey ? (
            <>
              <p class="muted fp-label">Public key</p>
              <Fingerprint groups={backup.publicKey} label="backup public key" />
            </>
          ) : null}
          {backup.signers.length > 0 ? (
            <>
              <h3 class="sub-title">Signatures on the backup</h3>
              <ul class="plain signers">
                {backup.signers.map((sg, i) => (
                  <li key={i} class="with-mark">
                    <ToneMark tone={sg.tone} />
                    <span>
                      {sg.who}: {sg.word}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <FindingList findings={backupFindings} label="Findings about key backup" />
        </Section>

        <Section id="secret-storage" title="Secret storage" state={{ tone: ss.tone, word: ss.word }}>
          <p>{ss.explanation}</p>
          {ss.defaultKeyId ? (
            <p class="muted">
              Default key <span class="mono">{ss.defaultKeyId}</span>
              {ss.keysNote ? `. ${ss.keysNote}` : ''}
            </p>
          ) : null}
          {ss.secrets.length > 0 ? (
            <SecretList rows={ss.secrets} label="Secrets" />
          ) : null}
          <FindingList findings={secretFindings} label="Findings about secret storage and your recovery key" />
          {report.recoveryKey.status === 'not-checked' ? (
            <p>
              <button type="button" class="link-button" onClick={onCheckKey}>
                Check your recovery key or passphrase
              </button>{' '}
              <span class="muted">to open these secrets and confirm they are right.</span>
            </p>
          ) : null}
        </Section>

        {store ? (
          <Section id="client-store" title="This browser’s client store" state={{ tone: store.tone, word: store.word }}>
            <p>
              What the signed-in client keeps in this browser ({store.client}), set against what is published. These are the client&rsquo;s own records: the page itself can write them, so
              they explain problems but prove nothing.
            </p>
            <dl class="facts" data-testid="client-store-facts">
              {store.rows.map((r) => (
                <div key={r.label}>
                  <dt>{r.label}</dt>
                  <dd class="with-mark">
                    <ToneMark tone={r.tone} />
                    <span>{r.value}</span>
                  </dd>
                </div>
              ))}
            </dl>
          </Section>
        ) : null}

        <Section id="not-checked" title="Not checked" state={nc.items.length > 0 ? { tone: 'info', word: count(nc.items.length, 'item') } : { tone: 'ok', word: 'Nothing left out' }}>
          <p>{nc.intro}</p>
          {nc.items.length > 0 ? (
            <ul class="plain">
              {nc.items.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          ) : null}
        </Section>
      </div>
    </div>
  );
}

/** The master key the report shows for a user now (full string, for matching pin rows). */
function currentMasterKey(report: Report, userId: string): string | undefined {
  return report.users.find((u) => u.userId === userId)?.masterKey;
}
