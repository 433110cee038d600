/**
 * @module popup/screens/RecoveryKeyScreen — "Check recovery key". The field is masked
 * (security.md §5 "Secrets": type=password, autocomplete=off, spellcheck=false,
 * autocapitalize=off) and uncontrolled: its text is read once, turned into UTF-8 bytes, and the
 * field is cleared in the same moment; the text is never kept in component state. The bytes are
 * transferred to a Worker this page starts itself, with the snapshot from the background; the key
 * never goes to the background and nothing of it is stored.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { Report } from '../../core/report/types.ts';
import type { PopupApi } from '../api.ts';
import { checkSecretInWorker, secretBytes, wipeBytes, type WorkerLike } from '../recoveryWorker.ts';
import { recoveryKeyView, typedShape, markPosition, groupOf, type SecretKind } from '../view/recoveryKey.ts';
import { secretRows } from '../view/secretStorage.ts';
import { findingsIn } from '../view/placement.ts';
import { findingView } from '../view/findings.ts';
import { anchorView } from '../view/identity.ts';
import { Tag, ToneMark } from '../components/Tag.tsx';
import { FindingList } from '../components/FindingItem.tsx';
import { SecretList } from '../components/SecretList.tsx';

export interface RecoveryKeyScreenProps {
  readonly api: PopupApi;
  readonly createWorker: () => Promise<WorkerLike>;
  /** The report the check was made against (for "before" comparisons). */
  readonly current: Report;
  /** A finished check: the Worker's report (no secret in it) and what was typed. */
  readonly onChecked: (report: Report, kind: SecretKind) => void;
  readonly onShowReport: () => void;
  /** The last check's result, kept by the app so it survives switching screens. */
  readonly last?: { readonly report: Report; readonly kind: SecretKind; readonly shape?: string };
  readonly onLast: (last: { report: Report; kind: SecretKind; shape?: string }) => void;
}

type Phase = { readonly kind: 'idle' } | { readonly kind: 'checking' } | { readonly kind: 'error'; readonly message: string };


/** The recovery-key screen. */
export function RecoveryKeyScreen({ api, createWorker, current, onChecked, onShowReport, last, onLast }: RecoveryKeyScreenProps) {
  const [mode, setMode] = useState<SecretKind>('recovery-key');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const [focusResult, setFocusResult] = useState(false);

  useEffect(() => {
    if (focusResult && resultHeading.current) {
      resultHeading.current.focus();
      setFocusResult(false);
    }
  }, [focusResult, last]);

  async function submit(e: Event) {
    e.preventDefault();
    const field = input.current;
    if (!field || phase.kind === 'checking') return;
    if (field.value.trim() === '') {
      setPhase({ kind: 'error', message: mode === 'passphrase' ? 'Type your passphrase first.' : 'Type or paste your recovery key first.' });
      field.focus();
      return;
    }
    // Read once, to bytes, and clear the field at once (security.md §5 "Secrets").
    const shape = mode === 'recovery-key' ? typedShape(field.value) : undefined;
    const bytes = secretBytes(field.value);
    field.value = '';
    setPhase({ kind: 'checking' });
    const snap = await api.request('get-snapshot', {});
    if (!snap.ok) {
      wipeBytes(bytes);
      setPhase({ kind: 'error', message: `Could not get your account's data to check against: ${snap.error.message}` });
      return;
    }
    let worker: WorkerLike;
    try {
      worker = await createWorker();
    } catch (err) {
      wipeBytes(bytes);
      setPhase({ kind: 'error', message: `Could not start the check: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const result = await checkSecretInWorker({ snapshotJson: snap.value.snapshotJson, secret: { kind: mode, text: bytes }, now: new Date(), createWorker: () => worker });
    wipeBytes(bytes); // empty after the transfer; wiped in case it was not transferred
    if (!result.ok) {
      setPhase({ kind: 'error', message: result.error.message });
      return;
    }
    setPhase({ kind: 'idle' });
    onLast({ report: result.value, kind: mode, ...(shape !== undefined ? { shape } : {}) });
    onChecked(result.value, mode);
    setFocusResult(true);
  }

  const what = mode === 'passphrase' ? 'passphrase' : 'recovery key';
  return (
    <div class="recovery">
      <h1 class="screen-title" tabIndex={-1}>
        Check your recovery key
      </h1>
      <p>
        Find out whether a recovery key (or passphrase) you saved is the right one, and what it can restore. It is checked here, in this window, and forgotten
        right after; it is never sent anywhere or stored.
      </p>
      <form class="card" onSubmit={submit} autocomplete="off" noValidate>
        <fieldset class="choice">
          <legend>What will you type?</legend>
          <label>
            <input type="radio" name="kind" value="recovery-key" checked={mode === 'recovery-key'} onChange={() => setMode('recovery-key')} /> Recovery key
          </label>
          <label>
            <input type="radio" name="kind" value="passphrase" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} /> Passphrase
          </label>
        </fieldset>
        <label class="field-label" for="secret-input">
          {mode === 'passphrase' ? 'Your secret-storage passphrase' : 'Your recovery key'}
        </label>
        <input
          id="secret-input"
          ref={input}
          class="secret-input"
          type="password"
          autocomplete="off"
          spellcheck={false}
          autocapitalize="off"
          aria-describedby="secret-help"
          disabled={phase.kind === 'checking'}
          maxLength={1024}
        />
        <p id="secret-help" class="muted">
          {mode === 'passphrase'
            ? 'The passphrase you chose when you set up secure backup. Checking it takes a few seconds.'
            : 'Four-character groups starting with "Es", e.g. as your client showed it. Spaces and line breaks do not matter.'}
        </p>
        <div class="actions">
          <button type="submit" class="primary" disabled={phase.kind === 'checking'}>
            {phase.kind === 'checking' ? 'Checking…' : `Check ${what}`}
          </button>
        </div>
        <div role="status" aria-live="polite" class="status-line">
          {phase.kind === 'checking' ? <p>Checking… this can take a few seconds.</p> : null}
          {phase.kind === 'error' ? <p class="error-text">{phase.message}</p> : null}
        </div>
      </form>

      {last ? <Result last={last} current={current} headingRef={resultHeading} onShowReport={onShowReport} /> : null}
    </div>
  );
}

function Result({ last, current, headingRef, onShowReport }: { last: { report: Report; kind: SecretKind; shape?: string }; current: Report; headingRef: RefObject<HTMLHeadingElement | null>; onShowReport: () => void }) {
  const r = last.report;
  const v = recoveryKeyView(r.recoveryKey, last.kind, r.secretStorage.defaultKeyId);
  const mark = v.position !== undefined && last.shape ? markPosition(last.shape, v.position) : undefined;
  const where = v.position !== undefined && last.shape ? groupOf(last.shape, v.position) : undefined;
  const rows = secretRows(r.secretStorage.secrets);
  const findings = findingsIn(r, 'secret-storage').map((f) => findingView(f, r.subject.userId));
  const anchorChanged = r.anchor !== current.anchor && r.anchor === 'recovery-key';
  return (
    <section class={`card result result-${v.tone}`} aria-labelledby="rk-result-title">
      <h2 id="rk-result-title" class="card-title" tabIndex={-1} ref={headingRef}>
        <span>{last.kind === 'passphrase' ? 'Passphrase' : 'Recovery key'}</span>
        <Tag tone={v.tone}>{WORD[v.status]}</Tag>
      </h2>
      <p class="result-headline">{v.headline}</p>
      {where && where.group > 1 ? (
        <p>
          That is group {where.group}, character {where.index} of the key as you typed it:
        </p>
      ) : null}
      {mark ? (
        <p class="shape" aria-label={`The problem is at character ${v.position} of what you typed.`}>
          <span aria-hidden="true">
            {mark.before}
            <mark>{mark.at}</mark>
            {mark.after}
          </span>
        </p>
      ) : null}
      {v.details.length > 0 ? (
        <ul class="plain">
          {v.details.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      ) : null}
      {anchorChanged ? (
        <p class="anchor anchor-ok">
          <strong>Your identity is now confirmed by your recovery key. </strong>
          {anchorView('recovery-key').detail}
        </p>
      ) : null}
      {rows.length > 0 && r.recoveryKey.unlocked ? (
        <>
          <h3 class="sub-title">Each secret in your secret storage</h3>
          <SecretList rows={rows} />
        </>
      ) : null}
      <FindingList findings={findings} label="What this check found" />
      <p>
        <button type="button" class="link-button" onClick={onShowReport}>
          See the whole report with this result
        </button>
      </p>
    </section>
  );
}

const WORD = { correct: 'Correct', wrong: 'Wrong', malformed: 'Not a recovery key', unconfirmed: 'Cannot be confirmed', 'matches-other-key': 'Old key', 'not-checked': 'Not checked' } as const;
